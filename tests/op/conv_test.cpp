// Finite-difference gradient checks (f64) for conv2d, pooling2d, global average pooling and
// batchnorm, with the harness of gradient_check_test.cpp: loss = sum(w .* f(x)), central
// differences with h = 1e-6, bound 1e-6 relative. Plus shape errors and f32 forward values.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>

#include "gradient_check.h"
#include "magmadnn.h"
#include "test_util.h"

using namespace magmadnn;
using OpD = op::OpPtr<double>;
using test::check_gradients;
using test::rnd;

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

TEST(Pooling2d, MaxTwoByTwoF32MatchesLoopsIncludingTies) {
    // widths 38 and 10 cover one and two 16-output chunks of the vectorised path, an odd height
    // leaves a row unread; values on a coarse grid make ties common (the first maximum in
    // top-left, top-right, bottom-left, bottom-right order wins)
    // with `relu`, a relu before the pooling is fused into it by op::optimize
    for (bool relu : {false, true}) {
        for (const Shape& s : {Shape{2, 3, 13, 38}, Shape{3, 2, 10, 10}}) {
            Tensor<float> x(s, HOST);
            std::mt19937 gen(17);
            std::uniform_int_distribution<int> level(-3, 3);
            for (index_t i = 0; i < x.size(); ++i) x.set_flat(i, 0.5f * float(level(gen)));
            auto xv = op::var<float>("x", x);
            auto y =
                op::pooling2d(relu ? op::relu(xv) : xv, {2, 2}, {2, 2}, {0, 0}, op::PoolMode::max);
            const index_t oh = s[2] / 2, ow = s[3] / 2;
            Tensor<float> wt = test::random_tensor<float>(y->shape(), 5);
            auto loss = op::reduce_sum(op::product(y, op::var<float>("w", wt)));
            EXPECT_EQ(op::optimize(loss), relu ? 1 : 0);
            loss->eval();
            op::GradTable<float> table;
            op::get_grad_table<float>({xv}, loss, table);
            const Tensor<float> dx = table.get(xv);
            Tensor<float> expect_dx(s, HOST);
            expect_dx.zero();
            const Tensor<float> yv = y->output();
            for (index_t pl = 0; pl < s[0] * s[1]; ++pl) {
                for (index_t i = 0; i < oh; ++i) {
                    for (index_t j = 0; j < ow; ++j) {
                        index_t arg = pl * s[2] * s[3] + 2 * i * s[3] + 2 * j;
                        for (index_t u = 0; u < 2; ++u) {
                            for (index_t v = 0; v < 2; ++v) {
                                const index_t e = pl * s[2] * s[3] + (2 * i + u) * s[3] + 2 * j + v;
                                if (x.get_flat(e) > x.get_flat(arg)) arg = e;
                            }
                        }
                        const index_t o = (pl * oh + i) * ow + j;
                        const float best = x.get_flat(arg);
                        ASSERT_EQ(yv.get_flat(o), relu ? std::max(best, 0.0f) : best)
                            << to_string(s) << " output " << o;
                        if (!relu || best > 0) expect_dx.set_flat(arg, wt.get_flat(o));
                    }
                }
            }
            for (index_t e = 0; e < x.size(); ++e) {
                ASSERT_EQ(dx.get_flat(e), expect_dx.get_flat(e))
                    << to_string(s) << (relu ? " relu" : "") << " input " << e;
            }
        }
    }
}

TEST(ConvGradCheck, ReluIntoMaxPoolFusion) {
    // relu -> max pooling, fused by op::optimize: the pooling node applies the relu to its output
    // and passes gradients only where that output is positive
    Tensor<double> x = rnd({2, 3, 6, 8}, 21);
    for (index_t i = 0; i < x.size(); ++i) x.set_flat(i, x.get_flat(i) + 0.003 * double(i % 23));
    for (Shape k : {Shape{2, 2}, Shape{3, 3}}) {
        const op::Pair kernel{k[0], k[1]}, stride{2, 2};
        auto build = [&](auto v) {
            return op::pooling2d(op::relu(v[0]), kernel, stride, {0, 0}, op::PoolMode::max);
        };
        check_gradients(build, {x}, /*optimize_graph=*/true);
        // the fused graph computes the unfused values
        auto xv = op::var<double>("x", x);
        auto fused = op::reduce_sum(build(std::vector<OpD>{xv}));
        auto plain = op::reduce_sum(build(std::vector<OpD>{xv}));
        EXPECT_EQ(op::optimize(fused), 1);
        EXPECT_EQ(op::optimize(fused), 0);  // idempotent
        EXPECT_EQ(fused->eval().get_flat(0), plain->eval().get_flat(0));
    }
    // a relu read by another node as well stays a node of its own
    auto xv = op::var<double>("x", x);
    auto r = op::relu(xv);
    auto both = op::add(op::reduce_sum(op::pooling2d(r, {2, 2}, {2, 2}, {0, 0}, op::PoolMode::max)),
                        op::reduce_sum(r));
    EXPECT_EQ(op::optimize(both), 0);
}
