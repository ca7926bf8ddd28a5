#include "magmadnn/data/split.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "magmadnn/core/error.h"

using namespace magmadnn;

namespace {

// Unbalanced classes: 0 has 53 rows, 1 has 31, 2 has 11, 3 has 5 (100 in all), interleaved.
std::vector<std::int32_t> unbalanced() {
    std::vector<std::int32_t> y;
    const std::map<std::int32_t, int> counts{{0, 53}, {1, 31}, {2, 11}, {3, 5}};
    for (const auto& [label, count] : counts) y.insert(y.end(), std::size_t(count), label);
    std::vector<std::int32_t> mixed(y.size());
    for (std::size_t i = 0; i < y.size(); ++i)
        mixed[(i * 37) % y.size()] = y[i];  // 37: coprime to 100
    return mixed;
}

std::map<std::int32_t, index_t> count_by_class(const std::vector<std::int32_t>& y,
                                               const std::vector<index_t>& rows) {
    std::map<std::int32_t, index_t> counts;
    for (const index_t r : rows) ++counts[y[std::size_t(r)]];
    return counts;
}

void expect_disjoint_and_covering(const data::SplitIndices& s, index_t n) {
    std::vector<index_t> all = s.train;
    all.insert(all.end(), s.test.begin(), s.test.end());
    std::sort(all.begin(), all.end());
    std::vector<index_t> expected(static_cast<std::size_t>(n));
    std::iota(expected.begin(), expected.end(), 0);
    EXPECT_EQ(all, expected);
    EXPECT_TRUE(std::is_sorted(s.train.begin(), s.train.end()));
    EXPECT_TRUE(std::is_sorted(s.test.begin(), s.test.end()));
}

}  // namespace

TEST(SplitIndices, StratifiedKeepsEveryClassWithinOneRowOfItsShare) {
    const auto y = unbalanced();
    for (const double f : {0.1, 0.2, 0.25, 0.33, 0.5, 0.8}) {
        const auto s = data::split_indices(y, f, 42);
        expect_disjoint_and_covering(s, 100);
        EXPECT_EQ(index_t(s.test.size()), std::llround(100 * f)) << "fraction " << f;
        const auto train = count_by_class(y, s.train);
        const auto test = count_by_class(y, s.test);
        for (const std::int32_t label : {0, 1, 2, 3}) {
            ASSERT_TRUE(train.count(label)) << "class " << label << " has no train row at " << f;
            const double total = double(train.at(label) + (test.count(label) ? test.at(label) : 0));
            const double in_test = test.count(label) ? double(test.at(label)) : 0.0;
            EXPECT_LE(std::abs(in_test - total * f), 1.0) << "class " << label << " at " << f;
        }
    }
}

TEST(SplitIndices, PlainShuffleIgnoresTheClasses) {
    // 90 rows of class 0 then 10 of class 1: a plain split of 0.5 takes 50 rows anywhere, and
    // some seed puts a share of class 1 other than the stratified 5 into test.
    std::vector<std::int32_t> y(100, 0);
    std::fill(y.begin() + 90, y.end(), 1);
    bool other_share = false;
    for (std::uint64_t seed = 0; seed < 20; ++seed) {
        const auto s = data::split_indices(y, 0.5, seed, /*stratify=*/false);
        expect_disjoint_and_covering(s, 100);
        EXPECT_EQ(s.test.size(), 50u);
        const auto test = count_by_class(y, s.test);
        if (!test.count(1) || test.at(1) != 5) other_share = true;
        EXPECT_EQ(count_by_class(y, data::split_indices(y, 0.5, seed).test).at(1), 5);
    }
    EXPECT_TRUE(other_share);
}

TEST(SplitIndices, DeterministicForASeedAndShuffledByIt) {
    const auto y = unbalanced();
    for (const bool stratify : {true, false}) {
        const auto a = data::split_indices(y, 0.3, 7, stratify);
        const auto b = data::split_indices(y, 0.3, 7, stratify);
        EXPECT_EQ(a.test, b.test);
        EXPECT_EQ(a.train, b.train);
        EXPECT_NE(a.test, data::split_indices(y, 0.3, 8, stratify).test);
        // not the last rows of the file, as a plain cut would take
        std::vector<index_t> tail(a.test.size());
        std::iota(tail.begin(), tail.end(), index_t(y.size() - a.test.size()));
        EXPECT_NE(a.test, tail);
    }
}

TEST(SplitIndices, AClassOfOneRowStaysInTrain) {
    std::vector<std::int32_t> y(20, 0);
    y[7] = 1;  // a single row of class 1
    for (std::uint64_t seed = 0; seed < 10; ++seed) {
        for (const double f : {0.2, 0.5, 0.9}) {
            const auto s = data::split_indices(y, f, seed);
            EXPECT_TRUE(std::binary_search(s.train.begin(), s.train.end(), 7))
                << "seed " << seed << " fraction " << f;
            EXPECT_EQ(index_t(s.test.size()), std::llround(20 * f));  // class 0 takes the row
        }
    }
    // three classes of one row: nothing can go to test below fraction 1
    const std::vector<std::int32_t> singles{0, 1, 2};
    EXPECT_TRUE(data::split_indices(singles, 0.5, 1).test.empty());
}

TEST(SplitIndices, FractionZeroAndOne) {
    const auto y = unbalanced();
    for (const bool stratify : {true, false}) {
        const auto none = data::split_indices(y, 0.0, 3, stratify);
        EXPECT_TRUE(none.test.empty());
        expect_disjoint_and_covering(none, 100);
        const auto all = data::split_indices(y, 1.0, 3, stratify);
        EXPECT_TRUE(all.train.empty());
        expect_disjoint_and_covering(all, 100);
    }
    EXPECT_TRUE(data::split_indices(std::vector<std::int32_t>{}, 0.5, 3).test.empty());
}

TEST(SplitIndices, BadFractionAndNegativeLabel) {
    const auto y = unbalanced();
    for (const double f : {-0.1, 1.5, std::nan("")}) {
        try {
            data::split_indices(y, f, 1);
            ADD_FAILURE() << "no error for fraction " << f;
        } catch (const ValueError& e) {
            EXPECT_NE(std::string(e.what()).find("outside [0, 1]"), std::string::npos) << e.what();
        }
    }
    const std::vector<std::int32_t> negative{0, 1, -2, 1};
    try {
        data::split_indices(negative, 0.5, 1);
        ADD_FAILURE() << "no error for a negative label";
    } catch (const ValueError& e) {
        EXPECT_NE(std::string(e.what()).find("label -2 at row 2"), std::string::npos) << e.what();
    }
    EXPECT_EQ(data::split_indices(negative, 0.5, 1, /*stratify=*/false).test.size(), 2u);
}

TEST(Subset, PicksRowsInOrderAndChecksThem) {
    data::Dataset<double> d{Tensor<double>({4, 2}), Tensor<std::int32_t>({4}), 3};
    for (index_t i = 0; i < 4; ++i) {
        d.x.set({i, 0}, double(i));
        d.x.set({i, 1}, 10.0 * double(i));
        d.labels.set({i}, std::int32_t(i % 3));
    }
    const std::vector<index_t> rows{3, 0};
    const auto s = data::subset(d, rows);
    EXPECT_EQ(s.x.to_vector(), (std::vector<double>{3, 30, 0, 0}));
    EXPECT_EQ(s.labels.to_vector(), (std::vector<std::int32_t>{0, 0}));
    EXPECT_EQ(s.num_classes, 3);
    const std::vector<index_t> bad{4};
    EXPECT_THROW(data::subset(d, bad), ValueError);
}
