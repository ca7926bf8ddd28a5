// The batchnorm node on GPU tensors (cuDNN) against the same node on the host: training and
// inference forwards, the gradients of x, gamma and beta, and the running statistics after a few
// training steps; f32 (bound 1e-5) and f64 (1e-12), DEVICE and MANAGED. Skips without a GPU.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <type_traits>
#include <vector>

#include "magmadnn.h"
#include "test_util.h"

using namespace magmadnn;

using test::rel_error;

namespace {

template <typename T>
double bound() {
    return std::is_same_v<T, double> ? 1e-12 : 1e-5;
}

// What one run leaves, on the host: per phase y, dx, dgamma, dbeta, then the running mean and
// variance.
template <typename T>
struct Result {
    std::vector<Tensor<T>> train, infer;
    Tensor<T> rm, rv;
};

// batchnorm(x, gamma, beta, rm, rv) on `memory`, loss = sum(f(bn) .* r) where f adds x once more
// when `x_twice` (two gradient contributions into x). `steps` training steps (forward and
// backward), then one in inference mode.
template <typename T>
Result<T> run(const Shape& xs, memory_t memory, int steps, bool x_twice) {
    const index_t c = xs[1];
    Tensor<T> xv = test::random_tensor<T>(xs, 1, -1.0, 2.0);  // a mean away from 0
    const Tensor<T> gv = test::random_tensor<T>({c}, 2, 0.5, 1.5);
    const Tensor<T> bv = test::random_tensor<T>({c}, 3);
    const Tensor<T> mv = test::random_tensor<T>({c}, 4, -0.2, 0.2);
    const Tensor<T> vv = test::random_tensor<T>({c}, 5, 0.5, 1.5);
    auto x = op::var<T>("x", xv.to(memory, true));
    auto gamma = op::var<T>("gamma", gv.to(memory, true));
    auto beta = op::var<T>("beta", bv.to(memory, true));
    auto rm = op::var<T>("rm", mv.to(memory, true));
    auto rv = op::var<T>("rv", vv.to(memory, true));
    auto bn = op::batchnorm(x, gamma, beta, rm, rv, T(0.1), T(1e-5));
    op::OpPtr<T> out = x_twice ? op::add(bn, x) : bn;
    const Tensor<T> r = test::random_tensor<T>(xs, 6);
    auto loss = op::reduce_sum(op::product(out, op::var<T>("r", r.to(memory))));
    const std::vector<op::OpPtr<T>> vars{x, gamma, beta};
    const auto collect = [&] {
        std::vector<Tensor<T>> v{bn->output().to(HOST, true)};
        for (const auto& p : vars) v.push_back(p->grad().to(HOST, true));
        return v;
    };
    Result<T> res;
    for (int s = 0; s < steps; ++s) {
        loss->eval();
        op::backward(loss, vars);
    }
    res.train = collect();
    bn->set_training(false);
    loss->eval();
    op::backward(loss, vars);
    res.infer = collect();
    res.rm = op::value_of(rm).to(HOST, true);
    res.rv = op::value_of(rv).to(HOST, true);
    return res;
}

template <typename T>
void check(const Shape& xs, memory_t memory, bool x_twice = false) {
    SCOPED_TRACE(to_string(xs) + " " + std::string(to_string(memory)) +
                 (std::is_same_v<T, double> ? " f64" : " f32") + (x_twice ? " x twice" : ""));
    const int steps = 3;
    const Result<T> host = run<T>(xs, HOST, steps, x_twice);
    const Result<T> gpu = run<T>(xs, memory, steps, x_twice);
    const char* names[] = {"y", "dx", "dgamma", "dbeta"};
    for (std::size_t i = 0; i < host.train.size(); ++i) {
        EXPECT_LE(rel_error(gpu.train[i], host.train[i]), bound<T>()) << "training " << names[i];
        EXPECT_LE(rel_error(gpu.infer[i], host.infer[i]), bound<T>()) << "inference " << names[i];
    }
    EXPECT_LE(rel_error(gpu.rm, host.rm), bound<T>()) << "running mean";
    EXPECT_LE(rel_error(gpu.rv, host.rv), bound<T>()) << "running variance";
}

}  // namespace

TEST(BatchNormCudnn, MatchesHostF32) {
    MAGMADNN_SKIP_WITHOUT_GPU();
    for (memory_t memory : {DEVICE, MANAGED}) {
        check<float>({4, 3, 5, 6}, memory);
        check<float>({16, 5}, memory);
    }
    check<float>({2, 8, 7, 7}, CUDA_MANAGED);
    check<float>({3, 4, 4, 4}, DEVICE, true);
}

TEST(BatchNormCudnn, MatchesHostF64) {
    MAGMADNN_SKIP_WITHOUT_GPU();
    for (memory_t memory : {DEVICE, MANAGED}) {
        check<double>({4, 3, 5, 6}, memory);
        check<double>({16, 5}, memory);
    }
    check<double>({8, 16, 9, 9}, DEVICE);
    check<double>({3, 4, 4, 4}, MANAGED, true);
}

// The host test's numbers (PyTorch's): cuDNN's running variance is the unbiased one.
TEST(BatchNormCudnn, RunningStatisticsFollowPyTorch) {
    MAGMADNN_SKIP_WITHOUT_GPU();
    auto x = op::var<float>("x", Tensor<float>::from_vector({1, 2, 3, 4}, {4, 1}).to(DEVICE));
    auto g = op::var<float>("g", {1}, {ONE, {}}, DEVICE);
    auto b = op::var<float>("b", {1}, {ZERO, {}}, DEVICE);
    auto rm = op::var<float>("rm", {1}, {ZERO, {}}, DEVICE);
    auto rv = op::var<float>("rv", {1}, {ONE, {}}, DEVICE);
    auto y = op::batchnorm(x, g, b, rm, rv, 0.1f, 1e-5f);
    const Tensor<float> out = y->eval().to(HOST, true);
    EXPECT_NEAR(out.get_flat(0), -1.5 / std::sqrt(1.25 + 1e-5), 1e-5);
    EXPECT_NEAR(op::value_of(rm).to(HOST, true).get_flat(0), 0.25, 1e-6);
    EXPECT_NEAR(op::value_of(rv).to(HOST, true).get_flat(0), 0.9 + 0.1 * 5.0 / 3.0, 1e-6);
    y->set_training(false);
    const Tensor<float> inf = y->eval().to(HOST, true);
    EXPECT_NEAR(inf.get_flat(3), (4 - 0.25) / std::sqrt(0.9 + 0.5 / 3.0 + 1e-5), 1e-5);
    EXPECT_NEAR(op::value_of(rm).to(HOST, true).get_flat(0), 0.25, 1e-6);
}

// One value per channel: the node stages through the host (biased variance, as on the host).
TEST(BatchNormCudnn, SingleValuePerChannelMatchesHost) {
    MAGMADNN_SKIP_WITHOUT_GPU();
    check<double>({1, 3}, DEVICE);
}
