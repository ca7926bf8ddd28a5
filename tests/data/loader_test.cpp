#include "magmadnn/data/loader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "magmadnn/core/error.h"

using namespace magmadnn;

namespace {

// x row i is {i, i + 0.5}; y row i is {-i}: each batch row can be traced to its source.
data::BatchLoader<float> make_loader(index_t n, index_t batch, data::LoaderOptions opt) {
    Tensor<float> x({n, 2});
    Tensor<float> y({n, 1});
    for (index_t i = 0; i < n; ++i) {
        x.set({i, 0}, static_cast<float>(i));
        x.set({i, 1}, static_cast<float>(i) + 0.5f);
        y.set({i, 0}, -static_cast<float>(i));
    }
    return data::BatchLoader<float>(x, y, batch, opt);
}

// Runs one epoch; returns the source rows in the order seen and the batch sizes.
std::pair<std::vector<index_t>, std::vector<index_t>> run_epoch(data::BatchLoader<float>& loader,
                                                                std::uint64_t epoch) {
    std::vector<index_t> rows, sizes;
    loader.start_epoch(epoch);
    for (data::Batch<float> b; loader.next(b);) {
        sizes.push_back(b.size);
        EXPECT_EQ(b.x.shape(), (Shape{b.size, 2}));
        EXPECT_EQ(b.y.shape(), (Shape{b.size, 1}));
        for (index_t i = 0; i < b.size; ++i) {
            const auto r = static_cast<index_t>(b.x.get({i, 0}));
            EXPECT_EQ(b.x.get({i, 1}), static_cast<float>(r) + 0.5f);
            EXPECT_EQ(b.y.get({i, 0}), -static_cast<float>(r));
            rows.push_back(r);
        }
        std::this_thread::yield();
    }
    return {rows, sizes};
}

}  // namespace

TEST(BatchLoader, EveryRowOncePerEpochShuffled) {
    auto loader = make_loader(103, 10, {.shuffle = true, .seed = 5});
    EXPECT_EQ(loader.batches_per_epoch(), 11);
    for (std::uint64_t e = 0; e < 3; ++e) {
        auto [rows, sizes] = run_epoch(loader, e);
        ASSERT_EQ(rows.size(), 103u);
        std::vector<index_t> sorted = rows;
        std::sort(sorted.begin(), sorted.end());
        for (index_t i = 0; i < 103; ++i) EXPECT_EQ(sorted[static_cast<std::size_t>(i)], i);
        EXPECT_FALSE(std::is_sorted(rows.begin(), rows.end()));
        EXPECT_EQ(sizes.back(), 3);  // the partial last batch
        EXPECT_EQ(sizes.size(), 11u);
    }
}

TEST(BatchLoader, SameSeedSameOrderAndEpochsDiffer) {
    auto a = make_loader(50, 8, {.shuffle = true, .seed = 9});
    auto b = make_loader(50, 8, {.shuffle = true, .seed = 9});
    auto c = make_loader(50, 8, {.shuffle = true, .seed = 10});
    const auto a0 = run_epoch(a, 0).first;
    const auto a1 = run_epoch(a, 1).first;
    EXPECT_EQ(a0, run_epoch(b, 0).first);
    EXPECT_NE(a0, a1);
    EXPECT_NE(a0, run_epoch(c, 0).first);
    EXPECT_EQ(a1, run_epoch(a, 1).first);  // replaying an epoch gives its order again
}

TEST(BatchLoader, NoShuffleKeepsOrder) {
    auto loader = make_loader(7, 3, {.shuffle = false});
    auto [rows, sizes] = run_epoch(loader, 4);
    EXPECT_EQ(rows, (std::vector<index_t>{0, 1, 2, 3, 4, 5, 6}));
    EXPECT_EQ(sizes, (std::vector<index_t>{3, 3, 1}));
}

TEST(BatchLoader, DropLast) {
    auto loader = make_loader(23, 5, {.shuffle = true, .seed = 1, .drop_last = true});
    EXPECT_EQ(loader.batches_per_epoch(), 4);
    auto [rows, sizes] = run_epoch(loader, 0);
    EXPECT_EQ(sizes, (std::vector<index_t>{5, 5, 5, 5}));
    std::sort(rows.begin(), rows.end());
    EXPECT_EQ(std::adjacent_find(rows.begin(), rows.end()), rows.end());
}

TEST(BatchLoader, BatchLargerThanData) {
    auto loader = make_loader(4, 100, {.shuffle = false});
    auto [rows, sizes] = run_epoch(loader, 0);
    EXPECT_EQ(sizes, (std::vector<index_t>{4}));
}

TEST(BatchLoader, RestartMidEpoch) {
    auto loader = make_loader(40, 4, {.seed = 3});
    loader.start_epoch(0);
    data::Batch<float> b;
    ASSERT_TRUE(loader.next(b));
    ASSERT_TRUE(loader.next(b));
    EXPECT_EQ(run_epoch(loader, 0).first.size(), 40u);
}

TEST(BatchLoader, DestroyMidEpochDoesNotHang) {
    const auto start = std::chrono::steady_clock::now();
    for (int k = 0; k < 50; ++k) {
        auto loader = make_loader(1000, 7, {.seed = static_cast<std::uint64_t>(k)});
        loader.start_epoch(0);
        data::Batch<float> b;
        for (int i = 0; i < k % 4; ++i) ASSERT_TRUE(loader.next(b));
    }  // each destructor runs with the worker waiting or filling
    { auto never_started = make_loader(10, 2, {}); }
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
}

TEST(BatchLoader, BadArguments) {
    EXPECT_THROW(data::BatchLoader<float>(Tensor<float>({4, 2}), Tensor<float>({3, 1}), 2),
                 ShapeError);
    EXPECT_THROW(data::BatchLoader<float>(Tensor<float>({4, 2}), Tensor<float>({4, 1}), 0),
                 ValueError);
    auto loader = make_loader(4, 2, {});
    data::Batch<float> b;
    EXPECT_THROW(loader.next(b), ValueError);
}

TEST(BatchLoader, MovedLoaderKeepsWorking) {
    auto a = make_loader(9, 4, {.seed = 2});
    data::BatchLoader<float> b = std::move(a);
    EXPECT_EQ(run_epoch(b, 0).first.size(), 9u);
}
