// Data-parallel training: the collectives against serial sums, the ring's fixed order to the
// bit, the gradient buckets, and models trained on several ranks against one. The same binary
// runs as a lone process and under mpirun (tests/dist/CMakeLists.txt); every rank runs every
// test, and any rank's failure fails the run.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "magmadnn.h"
#include "magmadnn/dist/communicator.h"
#include "magmadnn/dist/gradient_reducer.h"
#include "test_util.h"

using namespace magmadnn;

namespace {

dist::Communicator& world() { return dist::Communicator::world(); }

// Rank r's test data: a pure function of (r, n, salt), so every rank can compute any rank's.
template <typename T>
std::vector<T> rank_data(int r, std::size_t n, std::uint32_t salt) {
    const Tensor<T> t = test::random_tensor<T>({static_cast<index_t>(n)}, 1000 * salt + r);
    return t.to_vector();
}

// The ring's documented order: chunk k summed as ((x_k + x_{k+1}) + ...) + x_{k-1}.
template <typename T>
std::vector<T> ring_reference(std::size_t n, std::uint32_t salt) {
    const int p = world().size();
    std::vector<std::vector<T>> all;
    for (int r = 0; r < p; ++r) all.push_back(rank_data<T>(r, n, salt));
    std::vector<T> out(n);
    for (int k = 0; k < p; ++k) {
        const std::size_t lo = std::size_t(k) * n / p, hi = std::size_t(k + 1) * n / p;
        for (std::size_t i = lo; i < hi; ++i) {
            T acc = all[k][i];
            for (int j = 1; j < p; ++j) acc = acc + all[(k + j) % p][i];
            out[i] = acc;
        }
    }
    return out;
}

std::uint64_t fnv1a(const void* data, std::size_t bytes, std::uint64_t h = 1469598103934665603ull) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < bytes; ++i) h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

template <typename T>
std::uint64_t weights_hash(const model::Model<T>& m) {
    std::uint64_t h = 1469598103934665603ull;
    for (const auto& w : m.weights()) {
        const Tensor<T> v = w->output().to(HOST);
        h = fnv1a(v.cdata(), static_cast<std::size_t>(v.size()) * sizeof(T), h);
    }
    return h;
}

const char* const kArch = R"({"input_shape": [6], "layers": [
    {"type": "fullyconnected", "units": 16}, {"type": "activation", "activation": "tanh"},
    {"type": "fullyconnected", "units": 3}]})";

// A 3-class problem with a learnable rule, the same on every rank.
template <typename T>
std::pair<Tensor<T>, Tensor<T>> toy_data(index_t n) {
    Tensor<T> x = test::random_tensor<T>({n, 6}, 7);
    Tensor<T> y({n, 3}, HOST);
    y.zero();
    for (index_t i = 0; i < n; ++i) {
        const double s = double(x.get({i, 0})) + double(x.get({i, 1})) - double(x.get({i, 2}));
        y.set({i, s < -0.4 ? 0 : s < 0.4 ? 1 : 2}, T(1));
    }
    return {x, y};
}

}  // namespace

TEST(Dist, WorldIsWhatTheLauncherStarted) {
    const char* env = std::getenv("OMPI_COMM_WORLD_SIZE");  // Open MPI
    if (env == nullptr) env = std::getenv("PMI_SIZE");      // MPICH (Hydra)
    const int expected = env != nullptr && MAGMADNN_MPI ? std::atoi(env) : 1;
    EXPECT_EQ(world().size(), expected);
    EXPECT_GE(world().rank(), 0);
    EXPECT_LT(world().rank(), world().size());
    EXPECT_EQ(world().uses_mpi(), expected > 1 || (env != nullptr && MAGMADNN_MPI));
    const auto ranks = world().allgather<std::int64_t>(world().rank());
    ASSERT_EQ(ranks.size(), static_cast<std::size_t>(world().size()));
    for (int r = 0; r < world().size(); ++r) EXPECT_EQ(ranks[r], r);
}

// MPI_Allreduce against the serial sum of every rank's data; its order is the library's, so
// the bound is p ulp-scale: |got - want| <= 1e-13 (f64) / 1e-5 (f32) for values in [-p, p].
TEST(Dist, AllreduceEqualsTheSerialSum) {
    const int p = world().size();
    for (std::size_t n : {std::size_t(1), std::size_t(1000), std::size_t(65537)}) {
        auto d = rank_data<double>(world().rank(), n, 1);
        auto f = rank_data<float>(world().rank(), n, 2);
        world().allreduce_sum(std::span<double>(d));
        world().allreduce_sum(std::span<float>(f));
        std::vector<double> wd(n, 0.0), wf(n, 0.0);
        for (int r = 0; r < p; ++r) {
            const auto od = rank_data<double>(r, n, 1);
            const auto of = rank_data<float>(r, n, 2);
            for (std::size_t i = 0; i < n; ++i) wd[i] += od[i], wf[i] += of[i];
        }
        for (std::size_t i = 0; i < n; ++i) {
            ASSERT_NEAR(d[i], wd[i], 1e-13) << n << " " << i;
            ASSERT_NEAR(f[i], wf[i], 1e-5) << n << " " << i;
        }
    }
    std::vector<std::int64_t> counts{world().rank() + 1, 7};
    world().allreduce_sum(std::span<std::int64_t>(counts));
    EXPECT_EQ(counts[0], std::int64_t(p) * (p + 1) / 2);
    EXPECT_EQ(counts[1], 7 * p);
}

// The ring sums each chunk in its documented order: the same bits as the serial reference,
// on every rank, for sizes below, at and above the rank count.
TEST(Dist, RingEqualsItsFixedOrderToTheBit) {
    const int p = world().size();
    for (std::size_t n : {std::size_t(0), std::size_t(1), std::size_t(p + 1), std::size_t(1000),
                          std::size_t(100003)}) {
        auto d = rank_data<double>(world().rank(), n, 3);
        auto f = rank_data<float>(world().rank(), n, 4);
        world().ring_allreduce_sum(std::span<double>(d));
        world().ring_allreduce_sum(std::span<float>(f));
        EXPECT_EQ(d, ring_reference<double>(n, 3)) << "f64 n = " << n;
        EXPECT_EQ(f, ring_reference<float>(n, 4)) << "f32 n = " << n;
        // and the same bits on every rank
        const auto hashes = world().allgather<std::uint64_t>(fnv1a(f.data(), n * sizeof(float)));
        for (std::uint64_t h : hashes) EXPECT_EQ(h, hashes[0]);
    }
}

// Two summands commute exactly, so on two ranks the ring and MPI_Allreduce agree to the bit.
TEST(Dist, RingAndAllreduceAgreeToTheBitOnTwoRanks) {
    if (world().size() != 2) GTEST_SKIP() << "needs exactly 2 ranks";
    auto a = rank_data<float>(world().rank(), 4099, 5);
    auto b = a;
    world().ring_allreduce_sum(std::span<float>(a));
    world().allreduce_sum(std::span<float>(b));
    EXPECT_EQ(a, b);
}

TEST(Dist, BroadcastGivesEveryRankTheRootsValues) {
    const int root = world().size() - 1;
    auto d = rank_data<double>(world().rank(), 333, 6);
    world().broadcast(std::span<double>(d), root);
    EXPECT_EQ(d, rank_data<double>(root, 333, 6));
    EXPECT_THROW(world().broadcast(std::span<double>(d), world().size()), ValueError);
}

// Gradients of several sizes in buckets of at most 64 bytes (first) and 256 bytes: the mean of
// the ranks' values, whatever the bucketing; a tensor of another shape later is a ShapeError.
TEST(Dist, GradientReducerAveragesInBuckets) {
    const int p = world().size();
    for (dist::Strategy s :
         {dist::Strategy::allreduce, dist::Strategy::ring, dist::Strategy::master_worker}) {
        dist::GradientReducer<double> reducer(world(), s, 256, 64);
        // master-worker: the mean on rank 0 alone, which steps for everyone
        const bool holds_mean = s != dist::Strategy::master_worker || world().is_root();
        EXPECT_EQ(reducer.steps_here(), holds_mean);
        const std::vector<Shape> shapes{{3}, {5, 4}, {1}, {40}, {7, 7}};
        std::vector<Tensor<double>> grads;
        for (std::size_t i = 0; i < shapes.size(); ++i) {
            grads.push_back(test::random_tensor<double>(shapes[i], 50 * world().rank() + i));
        }
        reducer.average(grads);
        for (std::size_t i = 0; i < shapes.size() && holds_mean; ++i) {
            for (index_t e = 0; e < grads[i].size(); ++e) {
                double sum = 0;
                for (int r = 0; r < p; ++r) {
                    sum += test::random_tensor<double>(shapes[i], 50 * r + i).get_flat(e);
                }
                ASSERT_NEAR(grads[i].get_flat(e), sum / p, 1e-14) << i << " " << e;
            }
        }
        if (p > 1) {
            // last tensor first: {7, 7} alone (more than the first bucket's 64 bytes), {40}
            // alone (320 of 256 bytes), then {1}, {5, 4} and {3} together
            EXPECT_EQ(reducer.bucket_sizes(), (std::vector<std::size_t>{49, 40, 24}));
        }
        grads[1] = Tensor<double>({4, 5});
        if (p > 1) {
            EXPECT_THROW(reducer.average(grads), ShapeError);
        }
    }
}

// Ranks that start from different weights end with rank 0's start trained on the shared
// batches: after two epochs the weights are the same bits on every rank, for both strategies.
TEST(Dist, ModelWeightsAreIdenticalOnEveryRank) {
    for (dist::Strategy s :
         {dist::Strategy::allreduce, dist::Strategy::ring, dist::Strategy::master_worker}) {
        set_seed(100 + world().rank());  // a different initialisation per rank
        auto m = model::sequential<float>(kArch, 8, optimizer::sgd(0.1, 0.9));
        const auto [x, y] = toy_data<float>(256);
        model::FitOptions o;
        o.seed = 3;
        o.verbosity = model::Verbosity::silent;
        o.strategy = s;
        const model::History h = m.fit(x, y, 2, o);
        const auto hashes = world().allgather<std::uint64_t>(weights_hash(m));
        for (std::uint64_t v : hashes) EXPECT_EQ(v, hashes[0]) << dist::to_string(s);
        EXPECT_EQ(h.epochs.back().world_size, world().size());
        if (world().size() > 1) {
            EXPECT_GT(h.epochs.back().bytes_sent, 0u);
        }
    }
}

// p ranks with batch B each follow one process with batch p B over the same data order (f64,
// SGD with momentum, 3 epochs of 8 steps): the mean of p per-rank mean gradients equals the
// mean over p B rows up to rounding, so the weights agree to 1e-12.
TEST(Dist, RanksWithBatchBFollowOneProcessWithBatchPB) {
    const int p = world().size();
    const index_t batch = 4;
    const auto [x, y] = toy_data<double>(32 * p);
    model::FitOptions o;
    o.seed = 11;
    o.verbosity = model::Verbosity::silent;
    set_seed(5);
    auto parallel = model::sequential<double>(kArch, batch, optimizer::sgd(0.05, 0.9));
    set_seed(5);
    auto alone = model::sequential<double>(kArch, batch * p, optimizer::sgd(0.05, 0.9));
    parallel.fit(x, y, 3, o);
    o.strategy = dist::Strategy::local;
    alone.fit(x, y, 3, o);
    for (std::size_t i = 0; i < parallel.weights().size(); ++i) {
        const Tensor<double>& a = parallel.weights()[i]->output();
        const Tensor<double>& b = alone.weights()[i]->output();
        for (index_t e = 0; e < a.size(); ++e) {
            ASSERT_NEAR(a.get_flat(e), b.get_flat(e), 1e-12) << "weight " << i << " " << e;
        }
    }
}

// Every strategy trains the same model: master-worker and the ring against allreduce (f64;
// the sums differ only in order, 1e-12 after 16 steps).
TEST(Dist, StrategiesTrainTheSameWeights) {
    const auto [x, y] = toy_data<double>(64 * world().size());
    std::vector<std::vector<double>> finals;
    for (dist::Strategy s :
         {dist::Strategy::allreduce, dist::Strategy::ring, dist::Strategy::master_worker}) {
        set_seed(21);
        auto m = model::sequential<double>(kArch, 8, optimizer::adam(0.01));
        model::FitOptions o;
        o.seed = 2;
        o.verbosity = model::Verbosity::silent;
        o.strategy = s;
        m.fit(x, y, 2, o);
        std::vector<double> all;
        for (const auto& w : m.weights()) {
            const auto v = w->output().to_vector();
            all.insert(all.end(), v.begin(), v.end());
        }
        finals.push_back(all);
    }
    for (std::size_t k = 1; k < finals.size(); ++k) {
        for (std::size_t e = 0; e < finals[0].size(); ++e) {
            ASSERT_NEAR(finals[k][e], finals[0][e], 1e-12) << "strategy " << k << " " << e;
        }
    }
}

// Async on two ranks: one worker, whose every gradient the server applies at once (staleness
// 0), so it is SGD with the worker's batches: the same bits as a lone process.
TEST(Dist, AsyncOnTwoRanksIsTheWorkersSgd) {
    if (world().size() != 2) GTEST_SKIP() << "needs exactly 2 ranks";
    const auto [x, y] = toy_data<double>(96);
    model::FitOptions o;
    o.seed = 8;
    o.verbosity = model::Verbosity::silent;
    set_seed(3);
    auto async = model::sequential<double>(kArch, 8, optimizer::sgd(0.05, 0.9));
    set_seed(3);
    auto alone = model::sequential<double>(kArch, 8, optimizer::sgd(0.05, 0.9));
    o.strategy = dist::Strategy::async;
    const model::History h = async.fit(x, y, 2, o);
    o.strategy = dist::Strategy::local;
    const model::History l = alone.fit(x, y, 2, o);
    for (std::size_t i = 0; i < async.weights().size(); ++i) {
        EXPECT_EQ(async.weights()[i]->output().to_vector(),
                  alone.weights()[i]->output().to_vector());
    }
    ASSERT_EQ(h.epochs.size(), 2u);
    EXPECT_EQ(h.epochs[1].staleness_max, 0.0);
    EXPECT_DOUBLE_EQ(h.epochs[1].loss, l.epochs[1].loss);
}

// Async on any number of ranks: the workers' updates at most max_staleness apart, the loss
// falling, and every rank ending with the server's weights and history.
TEST(Dist, AsyncTrainsWithinItsStalenessBound) {
    const int workers = world().size() - 1;
    const auto [x, y] = toy_data<float>(480);
    set_seed(13);
    auto m = model::sequential<float>(kArch, 8, optimizer::sgd(0.05, 0.9));
    model::FitOptions o;
    o.seed = 1;
    o.verbosity = model::Verbosity::silent;
    o.strategy = dist::Strategy::async;
    o.max_staleness = 1;
    const model::History h = m.fit(x, y, 4, o);
    ASSERT_EQ(h.epochs.size(), 4u);
    EXPECT_LT(h.epochs.back().loss, h.epochs.front().loss);
    // a gradient is behind by what the other workers applied meanwhile: a worker at clock c is
    // answered only while the slowest is at c - S or later, and until its next gradient
    // arrives none passes c + S + 1: at most 2 S + 1 updates from each of the others
    for (const auto& e : h.epochs) {
        EXPECT_LE(e.staleness_max, double(std::max(0, workers - 1) * (2 * o.max_staleness + 1)));
        EXPECT_EQ(e.steps, 480 / (8 * std::max(1, workers)) * std::max(1, workers));
    }
    const auto hashes = world().allgather<std::uint64_t>(weights_hash(m));
    for (std::uint64_t v : hashes) EXPECT_EQ(v, hashes[0]);
    const auto losses = world().allgather<double>(h.epochs.back().loss);
    for (double v : losses) EXPECT_EQ(v, losses[0]);
}

// The epoch's metrics and validation are over every rank's rows: the same on every rank.
TEST(Dist, MetricsAreReducedOverTheRanks) {
    set_seed(9);
    auto m = model::sequential<float>(kArch, 8, optimizer::sgd(0.1));
    const auto [x, y] = toy_data<float>(200);
    model::FitOptions o;
    o.verbosity = model::Verbosity::silent;
    o.validation_split = 0.2;
    const model::History h = m.fit(x, y, 1, o);
    const model::EpochStats& e = h.epochs.back();
    const auto loss = world().allgather<double>(e.loss);
    const auto val = world().allgather<double>(e.val_accuracy);
    for (double v : loss) EXPECT_EQ(v, loss[0]);
    for (double v : val) EXPECT_EQ(v, val[0]);
    // every rank evaluates the whole validation set alone: the reduced figure is that figure
    const model::Metrics alone = m.evaluate(x.slice(160, 200), y.slice(160, 200));
    EXPECT_NEAR(e.val_accuracy, alone.accuracy, 1e-12);
}

// The seed's optimizer: parameters start as rank 0's, and a step is SGD on the mean gradient,
// the same on every rank.
TEST(Dist, DistributedGradientDescentStepsOnTheMeanGradient) {
    const int p = world().size();
    std::vector<Tensor<double>> params{test::random_tensor<double>({5, 3}, 60 + world().rank())};
    std::vector<Tensor<double>> grads{test::random_tensor<double>({5, 3}, 70 + world().rank())};
    optimizer::DistributedGradientDescentOptimizer<double> optim(0.5);
    optim.step(params, grads);
    const Tensor<double> start = test::random_tensor<double>({5, 3}, 60);  // rank 0's
    for (index_t e = 0; e < 15; ++e) {
        double mean = 0;
        for (int r = 0; r < p; ++r) mean += test::random_tensor<double>({5, 3}, 70 + r).get_flat(e);
        mean /= p;
        EXPECT_NEAR(params[0].get_flat(e), start.get_flat(e) - 0.5 * mean, 1e-14) << e;
    }
}

TEST(Dist, StrategyNamesRoundTrip) {
    for (auto s : {dist::Strategy::automatic, dist::Strategy::local, dist::Strategy::allreduce,
                   dist::Strategy::ring, dist::Strategy::master_worker, dist::Strategy::async}) {
        EXPECT_EQ(dist::parse_strategy(dist::to_string(s)), s);
    }
    EXPECT_THROW(dist::parse_strategy("hogwild"), ValueError);
    EXPECT_EQ(dist::resolve(dist::Strategy::automatic, 1), dist::Strategy::local);
    EXPECT_EQ(dist::resolve(dist::Strategy::automatic, 4), dist::Strategy::allreduce);
    EXPECT_THROW(world().set_timeout(0), ValueError);
}

TEST(Dist, PointToPointRejectsBadPeersAndTags) {
    std::vector<double> v(3);
    EXPECT_THROW(world().send(std::span<const double>(v), world().rank(), 0), ValueError);
    EXPECT_THROW(world().recv(std::span<double>(v), world().size(), 0), ValueError);
    EXPECT_THROW(world().send(std::span<const double>(v), 0, 40000), ValueError);
    EXPECT_THROW(world().recv(std::span<double>(v), dist::Communicator::any_source, -1),
                 ValueError);
}

TEST(Dist, MessagesOfAnyLengthArriveWholeAndInOrder) {
    EXPECT_THROW(world().send_message("x", world().rank(), 1), ValueError);
    EXPECT_THROW((void)world().try_recv_message(world().size(), 1), ValueError);
    if (world().size() < 2) GTEST_SKIP() << "needs 2 ranks";
    constexpr int tag = 321;
    // every rank but 0 sends rank 0 an empty message, then 3 MB, then its rank
    if (world().rank() != 0) {
        const std::string big(3 << 20, static_cast<char>('a' + world().rank()));
        world().send_message("", 0, tag);
        world().send_message(big, 0, tag);
        world().send_message(std::to_string(world().rank()), 0, tag);
    } else {
        std::map<int, std::vector<std::string>> got;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        std::size_t count = 0;
        while (count < 3u * std::size_t(world().size() - 1) &&
               std::chrono::steady_clock::now() < deadline) {
            if (auto m = world().try_recv_message(dist::Communicator::any_source, tag)) {
                got[m->source].push_back(std::move(m->bytes));
                ++count;
            }
        }
        for (int r = 1; r < world().size(); ++r) {
            ASSERT_EQ(got[r].size(), 3u) << "rank " << r;
            EXPECT_EQ(got[r][0], "");
            EXPECT_EQ(got[r][1], std::string(3 << 20, static_cast<char>('a' + r)));
            EXPECT_EQ(got[r][2], std::to_string(r));
        }
    }
    EXPECT_FALSE(world().try_recv_message(dist::Communicator::any_source, tag));
    world().barrier();
}

TEST(Dist, LoaderShardsTogetherSeeOneLoadersBatches) {
    const auto [x, y] = toy_data<float>(45);
    data::LoaderOptions whole;
    whole.seed = 4;
    data::BatchLoader<float> one(x, y, 12, whole);  // 3 full batches, then 9 rows
    std::vector<std::vector<float>> parts(3);
    for (int k = 0; k < 3; ++k) {
        data::LoaderOptions o = whole;
        o.shard = k;
        o.shards = 3;
        data::BatchLoader<float> shard(x, y, 4, o);
        EXPECT_EQ(shard.batches_per_epoch(), 4);
        shard.start_epoch(1);
        for (data::Batch<float> b; shard.next(b);) {
            const auto v = b.x.to_vector();
            parts[k].insert(parts[k].end(), v.begin(), v.end());
            parts[k].push_back(-99.0f);  // batch boundary
        }
    }
    one.start_epoch(1);
    std::size_t at[3] = {0, 0, 0};
    for (data::Batch<float> b; one.next(b);) {
        const auto v = b.x.to_vector();
        std::size_t off = 0;
        for (int k = 0; k < 3; ++k) {  // shard k holds its consecutive share of this batch
            std::size_t len = 0;
            while (parts[k][at[k] + len] != -99.0f) ++len;
            ASSERT_LE(off + len, v.size());
            EXPECT_TRUE(
                std::equal(v.begin() + off, v.begin() + off + len, parts[k].begin() + at[k]));
            off += len;
            at[k] += len + 1;
        }
        EXPECT_EQ(off, v.size());
    }
    data::LoaderOptions bad;
    bad.shard = 2;
    bad.shards = 2;
    EXPECT_THROW(data::BatchLoader<float>(x, y, 4, bad), ValueError);
}

int main(int argc, char** argv) {
    dist::Communicator::world();  // MPI starts before the tests, on this thread
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
