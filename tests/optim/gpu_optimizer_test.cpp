// The CUDA update kernels against the CPU loops: the same steps on DEVICE, MANAGED and
// CUDA_MANAGED parameters (skips without a GPU).
#include <gtest/gtest.h>

#include <cmath>

#include "reference.h"

using namespace magmadnn;
using namespace magmadnn::test;
namespace opt = magmadnn::optimizer;

namespace {

const std::vector<Shape> kShapes = {{33, 65}, {7}, {40000}};

Vecs random_vecs(std::uint32_t seed, double scale) {
    Vecs v;
    for (const Shape& s : kShapes) {
        v.push_back(random_vec(static_cast<std::size_t>(numel(s)), seed++, -scale, scale));
    }
    return v;
}

template <typename T>
Vecs run(const opt::Config& cfg, memory_t memory) {
    const Vecs w0 = random_vecs(1, 1.0);
    auto params = to_tensors<T>(w0, kShapes, memory);
    auto o = opt::make_optimizer<T>(cfg);
    for (int s = 0; s < 5; ++s) {
        const auto grads = to_tensors<T>(random_vecs(10 + 5 * s, 2.0), kShapes, memory);
        if (s == 3) o->set_learning_rate(static_cast<T>(cfg.learning_rate * 0.5));
        o->step(params, grads);
    }
    for (const auto& p : params) EXPECT_EQ(p.memory(), memory);
    return to_vecs(params);
}

template <typename T>
void expect_same(const Vecs& gpu, const Vecs& cpu, double rel) {
    for (std::size_t p = 0; p < gpu.size(); ++p) {
        for (std::size_t i = 0; i < gpu[p].size(); ++i) {
            ASSERT_NEAR(gpu[p][i], cpu[p][i], rel * std::max(1.0, std::abs(cpu[p][i])))
                << "param " << p << " element " << i;
        }
    }
}

const std::vector<opt::Config> kConfigs = {
    opt::sgd(0.1, 0.0, false, 0.01),
    opt::sgd(0.05, 0.9, true, 1e-3),
    opt::adam(0.01, 0.9, 0.999, 1e-8, 0.05).with_clip_norm(5.0),
    opt::adamw(0.01),
    opt::rmsprop(0.01, 0.9, 1e-6, 0.8, 0.02),
    opt::adagrad(0.1).with_clip_norm(1.0),
};

}  // namespace

TEST(GpuOptimizer, DeviceStepsMatchCpu) {
    MAGMADNN_SKIP_WITHOUT_GPU();
    for (const auto& cfg : kConfigs) {
        SCOPED_TRACE(cfg.name());
        // nvcc contracts a * b + c into FMAs, the host compiler does not: a few ulps apart.
        expect_same<double>(run<double>(cfg, DEVICE), run<double>(cfg, HOST), 1e-12);
        expect_same<float>(run<float>(cfg, DEVICE), run<float>(cfg, HOST), 1e-5);
    }
}

TEST(GpuOptimizer, ManagedMemoryStepsMatchCpu) {
    MAGMADNN_SKIP_WITHOUT_GPU();
    for (const auto& cfg : {kConfigs[1], kConfigs[2]}) {
        SCOPED_TRACE(cfg.name());
        const Vecs cpu = run<double>(cfg, HOST);
        expect_same<double>(run<double>(cfg, MANAGED), cpu, 1e-12);
        expect_same<double>(run<double>(cfg, CUDA_MANAGED), cpu, 1e-12);
    }
}

TEST(GpuOptimizer, ClipGradNormOnDevice) {
    MAGMADNN_SKIP_WITHOUT_GPU();
    const Vecs g0 = random_vecs(3, 1.0);
    auto host = to_tensors<double>(g0, kShapes);
    auto dev = to_tensors<double>(g0, kShapes, DEVICE);
    const double nh = opt::clip_grad_norm<double>(host, 2.0);
    const double nd = opt::clip_grad_norm<double>(dev, 2.0);
    EXPECT_NEAR(nd, nh, 1e-12 * nh);
    expect_same<double>(to_vecs(dev), to_vecs(host), 1e-14);
    EXPECT_NEAR(opt::global_norm<double>(dev), 2.0, 1e-5);

    std::vector<Tensor<double>> bad = {Tensor<double>::from_vector({1, NAN}, {2}).to(DEVICE)};
    EXPECT_THROW(opt::clip_grad_norm<double>(bad, 1.0), NumericError);
}

TEST(GpuOptimizer, StateFollowsTheParametersBetweenHostAndDevice) {
    MAGMADNN_SKIP_WITHOUT_GPU();
    const auto cfg = opt::adam(0.01);
    const Vecs w0 = random_vecs(1, 1.0);
    auto ph = to_tensors<double>(w0, kShapes);
    auto pm = to_tensors<double>(w0, kShapes);
    auto oh = opt::make_optimizer<double>(cfg), om = opt::make_optimizer<double>(cfg);
    for (int s = 0; s < 4; ++s) {
        const Vecs g = random_vecs(20 + 5 * s, 1.0);
        if (s == 2) {  // move the second run's parameters to the GPU half way
            for (auto& p : pm) p = p.to(DEVICE);
        }
        oh->step(ph, to_tensors<double>(g, kShapes));
        om->step(pm, to_tensors<double>(g, kShapes, s >= 2 ? DEVICE : HOST));
    }
    expect_same<double>(to_vecs(pm), to_vecs(ph), 1e-12);
}

TEST(GpuOptimizer, MixingHostAndDeviceIsAnError) {
    MAGMADNN_SKIP_WITHOUT_GPU();
    std::vector<Tensor<float>> w = {Tensor<float>({4}, DEVICE)};
    const std::vector<Tensor<float>> g = {Tensor<float>({4}, HOST)};
    EXPECT_THROW(opt::make_optimizer<float>(opt::sgd(0.1))->step(w, g), DeviceError);
}
