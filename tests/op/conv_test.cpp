// Finite-difference gradient checks (f64) for conv2d, pooling2d, global average pooling and
// batchnorm, with the harness of gradient_check_test.cpp: loss = sum(w .* f(x)), central
// differences with h = 1e-6, bound 1e-6 relative. Plus shape errors and f32 forward values.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "gradient_check.h"
#include "magmadnn.h"
#include "test_util.h"

using namespace magmadnn;
using OpD = op::OpPtr<double>;
using test::check_gradients;

namespace {

Tensor<double> rnd(const Shape& s, std::uint32_t seed, double lo = -1, double hi = 1) {
    return test::random_tensor<double>(s, seed, lo, hi);
}

}  // namespace

TEST(ConvGradCheck, Conv2dEveryAlgorithm) {
    for (conv::Algo a : {conv::Algo::direct, conv::Algo::im2col, conv::Algo::winograd2,
                         conv::Algo::winograd4, conv::Algo::fft}) {
        SCOPED_TRACE(conv::to_string(a));
        check_gradients(
            [a](auto v) {
                return op::conv2d(v[0], v[1], v[2], {1, 1}, {1, 1}, {1, 1}, 1, a);
            },
            {rnd({2, 2, 5, 6}, 1), rnd({3, 2, 3, 3}, 2), rnd({3}, 3)});
    }
}

TEST(ConvGradCheck, Conv2dStrideDilationGroups) {
    for (conv::Algo a : {conv::Algo::direct, conv::Algo::im2col}) {
        SCOPED_TRACE(conv::to_string(a));
        check_gradients(
            [a](auto v) {
                return op::conv2d(v[0], v[1], v[2], {2, 1}, {1, 2}, {1, 2}, 2, a);
            },
            {rnd({2, 4, 7, 6}, 4), rnd({6, 2, 3, 2}, 5), rnd({6}, 6)});
        check_gradients(
            [a](auto v) {
                return op::conv2d(v[0], v[1], OpD{}, {2, 2}, {0, 0}, {1, 1}, 1, a);
            },
            {rnd({1, 3, 6, 6}, 7), rnd({2, 3, 2, 2}, 8)});
    }
}

TEST(ConvGradCheck, Pooling) {
    // distinct values keep max pooling's winner unambiguous under the finite difference
    Tensor<double> x = rnd({2, 2, 5, 6}, 9);
    for (index_t i = 0; i < x.size(); ++i) x.set_flat(i, x.get_flat(i) + 0.01 * double(i % 17));
    check_gradients(
        [](auto v) {
            return op::pooling2d(v[0], {2, 2}, {2, 2}, {0, 0}, op::PoolMode::max);
        },
        {x});
    check_gradients(
        [](auto v) {
            return op::pooling2d(v[0], {3, 3}, {2, 2}, {1, 1}, op::PoolMode::max);
        },
        {x});
    check_gradients(
        [](auto v) {
            return op::pooling2d(v[0], {3, 2}, {1, 2}, {1, 1}, op::PoolMode::average);
        },
        {x});
    check_gradients([](auto v) { return op::global_avg_pool(v[0]); }, {x});
}

TEST(ConvGradCheck, BatchNormTrainingAndInference) {
    for (bool training : {true, false}) {
        SCOPED_TRACE(training ? "training" : "inference");
        auto rm = op::var<double>("rm", rnd({3}, 10));
        auto rv = op::var<double>("rv", rnd({3}, 11, 0.5, 2.0));
        check_gradients(
            [&](auto v) {
                auto y = op::batchnorm(v[0], v[1], v[2], rm, rv, 0.0, 1e-5);
                y->set_training(training);
                return y;
            },
            {rnd({3, 3, 2, 2}, 12), rnd({3}, 13), rnd({3}, 14)});
        check_gradients(
            [&](auto v) {
                auto y = op::batchnorm(v[0], v[1], v[2], rm, rv, 0.0, 1e-5);
                y->set_training(training);
                return y;
            },
            {rnd({4, 3}, 15), rnd({3}, 16), rnd({3}, 17)});
    }
}

TEST(BatchNorm, RunningStatisticsFollowPyTorch) {
    // x {4, 1}: mean 2.5, biased var 1.25, unbiased 5/3; momentum 0.1 from (0, 1)
    auto x = op::var<float>("x", Tensor<float>::from_vector({1, 2, 3, 4}, {4, 1}));
    auto g = op::var<float>("g", {1}, {ONE, {}});
    auto b = op::var<float>("b", {1}, {ZERO, {}});
    auto rm = op::var<float>("rm", {1}, {ZERO, {}});
    auto rv = op::var<float>("rv", {1}, {ONE, {}});
    auto y = op::batchnorm(x, g, b, rm, rv, 0.1f, 1e-5f);
    const Tensor<float> out = y->eval();
    EXPECT_NEAR(out.get_flat(0), -1.5 / std::sqrt(1.25 + 1e-5), 1e-5);
    EXPECT_NEAR(op::value_of(rm).get_flat(0), 0.25, 1e-6);
    EXPECT_NEAR(op::value_of(rv).get_flat(0), 0.9 + 0.1 * 5.0 / 3.0, 1e-6);
    y->set_training(false);  // inference: (x - 0.25) / sqrt(rv + eps)
    const Tensor<float> inf = y->eval();
    EXPECT_NEAR(inf.get_flat(3), (4 - 0.25) / std::sqrt(0.9 + 0.5 / 3.0 + 1e-5), 1e-5);
    EXPECT_NEAR(op::value_of(rm).get_flat(0), 0.25, 1e-6);  // unchanged in inference
}

TEST(Conv2d, ForwardValuesF32) {
    // a 1-channel 3x3 input, 2x2 filter of ones, no padding: sums of 2x2 windows, plus bias
    auto x =
        op::var<float>("x", Tensor<float>::from_vector({1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 1, 3, 3}));
    auto w = op::var<float>("w", {1, 1, 2, 2}, {ONE, {}});
    auto b = op::var<float>("b", Tensor<float>::from_vector({0.5f}, {1}));
    for (conv::Algo a : {conv::Algo::direct, conv::Algo::im2col, conv::Algo::fft,
                         conv::Algo::onednn, conv::Algo::automatic}) {
        auto y = op::conv2d(x, w, b, {1, 1}, {0, 0}, {1, 1}, 1, a);
        EXPECT_EQ(y->shape(), (Shape{1, 1, 2, 2}));
        EXPECT_EQ(y->eval().to_vector(), (std::vector<float>{12.5f, 16.5f, 24.5f, 28.5f}))
            << conv::to_string(a);
    }
}

TEST(Conv2d, ShapeErrorsNameTheShapes) {
    auto x = op::var<float>("x", {2, 3, 8, 8});
    auto expect_shape_error = [](auto f, const std::string& part) {
        try {
            f();
            ADD_FAILURE() << "no ShapeError";
        } catch (const ShapeError& e) {
            EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
        }
    };
    expect_shape_error(
        [&] {
            op::conv2d(x, op::var<float>("w", {4, 2, 3, 3}), {});
        },
        "input channels");
    expect_shape_error(
        [&] {
            op::conv2d(x, op::var<float>("w", {4, 3, 11, 11}), {});
        },
        "larger than the padded input");
    expect_shape_error(
        [&] {
            op::conv2d(x, op::var<float>("w", {4, 1, 3, 3}), {}, {1, 1}, {0, 0}, {1, 1}, 2);
        },
        "groups must divide");
    expect_shape_error([&] { op::conv2d(op::var<float>("f", {2, 64}), x, {}); }, "{2, 64}");
    expect_shape_error([&] { op::pooling2d(x, {9, 9}, {1, 1}); }, "larger than the padded");
    expect_shape_error(
        [&] {
            op::batchnorm(x, op::var<float>("g", {4}), op::var<float>("b", {3}),
                          op::var<float>("m", {3}), op::var<float>("v", {3}));
        },
        "3 channels");
}
