// GPU memory across the ranks: which transport carries it, and NCCL's collectives and the
// gradient reducer on device tensors against the host's figures. Part of dist_test: it runs as a
// lone process and under mpirun; the GPU tests skip without a GPU per rank.
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "magmadnn.h"
#include "test_util.h"

using namespace magmadnn;

namespace {

dist::Communicator& world() { return dist::Communicator::world(); }

// Sets an environment variable for one scope, restoring what was there.
class ScopedEnv {
  public:
    ScopedEnv(const char* name, const char* value) : name_(name) {
        if (const char* old = std::getenv(name)) old_ = old;
        if (value != nullptr) {
            ::setenv(name, value, 1);
        } else {
            ::unsetenv(name);
        }
    }
    ~ScopedEnv() {
        if (old_) {
            ::setenv(name_, old_->c_str(), 1);
        } else {
            ::unsetenv(name_);
        }
    }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

  private:
    const char* name_;
    std::optional<std::string> old_;
};

bool gpu_per_rank() { return cuda_compiled() && device_count() >= world().size(); }

// Rank r's data, a pure function of (r, n, salt).
Tensor<double> rank_tensor(int r, index_t n, std::uint32_t salt) {
    return test::random_tensor<double>({n}, 3000 * salt + r);
}

}  // namespace

TEST(DistDevice, TransportFollowsTheEnvironment) {
    using dist::DeviceTransport;
    const bool nccl_here = cuda_compiled() && device_count() > 0;
    {
        ScopedEnv unset("MAGMADNN_DIST_DEVICE", nullptr);
        const DeviceTransport expected = nccl_here ? DeviceTransport::nccl
                                         : world().size() > 1 && world().cuda_aware()
                                             ? DeviceTransport::mpi
                                             : DeviceTransport::host;
        EXPECT_EQ(dist::DeviceCollectives::choose(world()), expected);
    }
    {
        ScopedEnv host("MAGMADNN_DIST_DEVICE", "host");
        EXPECT_EQ(dist::DeviceCollectives::choose(world()), DeviceTransport::host);
    }
    {
        ScopedEnv bogus("MAGMADNN_DIST_DEVICE", "gloo");
        EXPECT_THROW(dist::DeviceCollectives::choose(world()), ValueError);
    }
    if (!nccl_here) {
        ScopedEnv nccl("MAGMADNN_DIST_DEVICE", "nccl");
        try {
            dist::DeviceCollectives::choose(world());
            ADD_FAILURE() << "nccl without a GPU was accepted";
        } catch (const DeviceError& e) {
            EXPECT_NE(std::string(e.what()).find("MAGMADNN_DIST_DEVICE=nccl"), std::string::npos)
                << e.what();
        }
    }
    if (world().size() > 1 && !world().cuda_aware()) {
        ScopedEnv mpi("MAGMADNN_DIST_DEVICE", "mpi");
        try {
            dist::DeviceCollectives::choose(world());
            ADD_FAILURE() << "mpi with a library that is not CUDA-aware was accepted";
        } catch (const DeviceError& e) {
            EXPECT_NE(std::string(e.what()).find("not CUDA-aware"), std::string::npos) << e.what();
        }
    }
    EXPECT_EQ(dist::to_string(DeviceTransport::nccl), "nccl");
}

// Several ranks take GPU local_rank mod the GPUs; a lone process or a machine without one, none.
TEST(DistDevice, EachRankTakesItsLocalGpu) {
    const int gpus = cuda_compiled() ? device_count() : 0;
    if (world().size() == 1 || gpus == 0) {
        EXPECT_EQ(world().device(), -1);
    } else {
        EXPECT_EQ(world().device(), world().local_rank() % gpus);
    }
}

// NCCL on this rank's GPU: the mean, the mean on rank 0 and rank p - 1's data broadcast equal
// the host's figures (f64, NCCL's summation order: within 1e-12). With one GPU and one rank it
// runs NCCL's set-up and every call of the path.
TEST(DistDevice, NcclCollectivesOnGpuMemory) {
    if (!gpu_per_rank()) GTEST_SKIP() << "needs a CUDA GPU per rank (NCCL takes one GPU a rank)";
    if (dist::DeviceCollectives::choose(world()) != dist::DeviceTransport::nccl) {
        GTEST_SKIP() << "MAGMADNN_DIST_DEVICE chooses another transport";
    }
    dist::DeviceCollectives& dev = dist::DeviceCollectives::world();
    ASSERT_EQ(dev.transport(), dist::DeviceTransport::nccl);
    const int p = world().size(), r = world().rank();
    const index_t n = 3001;
    std::vector<double> mean(static_cast<std::size_t>(n), 0.0);
    for (int q = 0; q < p; ++q) {
        const auto v = rank_tensor(q, n, 1).to_vector();
        for (std::size_t i = 0; i < mean.size(); ++i) mean[i] += v[i] / p;
    }
    Tensor<double> a = rank_tensor(r, n, 1).to(DEVICE, true);
    dev.allreduce_mean(a.device_data(), static_cast<std::size_t>(n));
    dev.wait();
    const auto got = a.to_vector();
    for (std::size_t i = 0; i < mean.size(); ++i) ASSERT_NEAR(got[i], mean[i], 1e-12) << i;

    Tensor<double> b = rank_tensor(r, n, 1).to(DEVICE, true);
    dev.reduce_mean(b.device_data(), static_cast<std::size_t>(n), 0);
    dev.wait();
    const auto want = world().is_root() ? mean : rank_tensor(r, n, 1).to_vector();
    const auto reduced = b.to_vector();
    for (std::size_t i = 0; i < want.size(); ++i) ASSERT_NEAR(reduced[i], want[i], 1e-12) << i;

    Tensor<double> c = rank_tensor(r, n, 2).to(DEVICE, true);
    dev.broadcast(c.device_data(), static_cast<std::size_t>(n), p - 1);
    dev.wait();
    EXPECT_EQ(c.to_vector(), rank_tensor(p - 1, n, 2).to_vector());
}

// The reducer on DEVICE gradients (GPU buckets, NCCL) gives the means the host reducer gives,
// and a model trained on the GPU ends with the same bits on every rank.
TEST(DistDevice, GpuGradientsAverageLikeHostOnes) {
    if (!gpu_per_rank()) GTEST_SKIP() << "needs a CUDA GPU per rank";
    const std::vector<Shape> shapes{{3}, {5, 4}, {1}, {40}, {7, 7}};
    for (dist::Strategy s : {dist::Strategy::allreduce, dist::Strategy::master_worker}) {
        dist::GradientReducer<double> on_host(world(), s, 256, 64), on_gpu(world(), s, 256, 64);
        std::vector<Tensor<double>> host, gpu;
        for (std::size_t i = 0; i < shapes.size(); ++i) {
            host.push_back(test::random_tensor<double>(shapes[i], 70 * world().rank() + i));
            gpu.push_back(host.back().to(DEVICE, true));
        }
        on_host.average(host);
        on_gpu.average(gpu);
        if (!on_host.steps_here()) continue;  // master-worker's workers hold no mean
        for (std::size_t i = 0; i < shapes.size(); ++i) {
            const auto want = host[i].to_vector(), got = gpu[i].to_vector();
            for (std::size_t e = 0; e < want.size(); ++e) {
                ASSERT_NEAR(got[e], want[e], 1e-12) << dist::to_string(s) << " " << i << " " << e;
            }
        }
    }
    const char* arch = R"({"input_shape": [6], "layers": [
        {"type": "fullyconnected", "units": 16}, {"type": "activation", "activation": "tanh"},
        {"type": "fullyconnected", "units": 3}]})";
    set_seed(100 + world().rank());  // different starts: the broadcast makes them rank 0's
    auto m = model::sequential<float>(arch, 8, optimizer::sgd(0.1, 0.9), DEVICE);
    Tensor<float> x = test::random_tensor<float>({160, 6}, 5);
    Tensor<float> y({160, 3}, HOST);
    y.zero();
    for (index_t i = 0; i < 160; ++i) y.set({i, x.get({i, 0}) > 0 ? 0 : 1}, 1.0f);
    model::FitOptions o;
    o.verbosity = model::Verbosity::silent;
    m.fit(x, y, 2, o);
    std::vector<float> w;
    for (const auto& v : m.weights()) {
        const auto part = v->output().to_vector();
        w.insert(w.end(), part.begin(), part.end());
    }
    double sum = 0;
    for (float v : w) sum += double(v) * double(v);
    const auto sums = world().allgather<double>(sum);
    for (double v : sums) EXPECT_EQ(v, sums[0]);
}
