// Every op's gradient against central finite differences in f64 (harness and bound:
// gradient_check.h).
#include "gradient_check.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "magmadnn.h"
#include "test_util.h"

using namespace magmadnn;
using OpD = op::OpPtr<double>;
using test::check_gradients;
using test::rnd;

namespace {

// Inputs kept away from 0 so that relu-like kinks are not straddled by the finite difference.
Tensor<double> away_from_zero(const Shape& s, std::uint32_t seed) {
    Tensor<double> t = rnd(s, seed, 0.1, 1.0);
    for (index_t i = 0; i < t.size(); i += 2) t.set_flat(i, -t.get_flat(i));
    return t;
}

}  // namespace

TEST(GradCheck, AddSubWithBroadcasting) {
    check_gradients([](auto v) { return op::add(v[0], v[1]); }, {rnd({3, 4}, 1), rnd({4}, 2)});
    check_gradients([](auto v) { return op::sub(v[0], v[1]); }, {rnd({3, 1}, 3), rnd({3, 4}, 4)});
}

TEST(GradCheck, ProductDivWithBroadcasting) {
    check_gradients([](auto v) { return op::product(v[0], v[1]); },
                    {rnd({2, 3}, 5), rnd({2, 1}, 6)});
    check_gradients([](auto v) { return op::div(v[0], v[1]); },
                    {rnd({2, 3}, 7), rnd({3}, 8, 0.5, 2.0)});
}

TEST(GradCheck, ScalarOps) {
    check_gradients([](auto v) { return op::negate(v[0]); }, {rnd({5}, 9)});
    check_gradients([](auto v) { return op::add_scalar(v[0], 2.5); }, {rnd({5}, 10)});
    check_gradients([](auto v) { return op::scalarproduct(-1.5, v[0]); }, {rnd({5}, 11)});
    check_gradients([](auto v) { return op::pow(v[0], 3.0); }, {rnd({5}, 12, 0.2, 2.0)});
    check_gradients([](auto v) { return op::pow(v[0], 0.5); }, {rnd({5}, 13, 0.2, 2.0)});
}

TEST(GradCheck, ExpLog) {
    check_gradients([](auto v) { return op::exp(v[0]); }, {rnd({4, 3}, 14)});
    check_gradients([](auto v) { return op::log(v[0]); }, {rnd({4, 3}, 15, 0.2, 3.0)});
}

TEST(GradCheck, Activations) {
    check_gradients([](auto v) { return op::tanh(v[0]); }, {rnd({4, 3}, 16, -2, 2)});
    check_gradients([](auto v) { return op::sigmoid(v[0]); }, {rnd({4, 3}, 17, -3, 3)});
    check_gradients([](auto v) { return op::relu(v[0]); }, {away_from_zero({4, 3}, 18)});
    check_gradients([](auto v) { return op::leaky_relu(v[0], 0.1); }, {away_from_zero({4, 3}, 19)});
    check_gradients([](auto v) { return op::gelu(v[0]); }, {rnd({4, 3}, 20, -3, 3)});
}

TEST(GradCheck, MatmulTransposeReshape) {
    check_gradients([](auto v) { return op::matmul(v[0], v[1]); },
                    {rnd({3, 4}, 21), rnd({4, 2}, 22)});
    check_gradients([](auto v) { return op::transpose(v[0]); }, {rnd({3, 5}, 23)});
    check_gradients([](auto v) { return op::reshape(v[0], {2, -1}); }, {rnd({3, 4}, 24)});
    check_gradients([](auto v) { return op::flatten(v[0]); }, {rnd({2, 3, 2}, 25)});
    // a matrix used twice: gradients from both uses accumulate
    check_gradients([](auto v) { return op::matmul(v[0], op::transpose(v[0])); },
                    {rnd({3, 4}, 26)});
}

TEST(GradCheck, Reductions) {
    check_gradients([](auto v) { return op::reduce_sum(v[0], 0); }, {rnd({3, 4}, 27)});
    check_gradients([](auto v) { return op::reduce_sum(v[0], -1); }, {rnd({2, 3, 4}, 28)});
    check_gradients([](auto v) { return op::reduce_sum(v[0]); }, {rnd({3, 4}, 29)});
    check_gradients([](auto v) { return op::mean(v[0], 1); }, {rnd({3, 4}, 30)});
    check_gradients([](auto v) { return op::mean(v[0]); }, {rnd({2, 5}, 31)});
}

TEST(GradCheck, SoftmaxAndLogSoftmax) {
    check_gradients([](auto v) { return op::softmax(v[0]); }, {rnd({3, 5}, 32, -2, 2)});
    check_gradients([](auto v) { return op::log_softmax(v[0]); }, {rnd({3, 5}, 33, -2, 2)});
}

TEST(GradCheck, Losses) {
    Tensor<double> y({4, 3}, HOST);
    for (index_t i = 0; i < 4; ++i) y.set({i, i % 3}, 1.0);
    auto probs = math::softmax(rnd({4, 3}, 34, -1, 1));
    check_gradients([](auto v) { return op::crossentropy(v[0], v[1]); }, {y.clone(), probs});
    check_gradients([](auto v) { return op::softmax_crossentropy(v[0], v[1]); },
                    {rnd({4, 3}, 35, -2, 2), y.clone()});
    check_gradients([](auto v) { return op::mse(v[0], v[1]); }, {rnd({4, 3}, 36), rnd({4, 3}, 37)});
}

TEST(GradCheck, LinearEveryActivation) {
    for (auto act : {op::Activation::linear, op::Activation::relu, op::Activation::tanh,
                     op::Activation::sigmoid}) {
        check_gradients([act](auto v) { return op::linear(v[0], v[1], v[2], act); },
                        {away_from_zero({5, 4}, 38), rnd({4, 3}, 39), rnd({3}, 40)});
        check_gradients([act](auto v) { return op::linear(v[0], v[1], op::OpPtr<double>{}, act); },
                        {away_from_zero({5, 4}, 41), rnd({4, 3}, 42)});
    }
}

TEST(GradCheck, FusedLinearActivationAfterOptimize) {
    check_gradients([](auto v) { return op::tanh(op::linear(v[0], v[1], v[2])); },
                    {rnd({5, 4}, 43), rnd({4, 3}, 44), rnd({3}, 45)}, /*optimize_graph=*/true);
    check_gradients(
        [](auto v) {
            auto h = op::relu(op::linear(v[0], v[1], v[2]));
            return op::linear(h, v[3], op::OpPtr<double>{});
        },
        {away_from_zero({5, 4}, 46), rnd({4, 3}, 47), rnd({3}, 48), rnd({3, 2}, 49)}, true);
}

TEST(GradCheck, DropoutInInferenceModeIsIdentity) {
    check_gradients(
        [](auto v) {
            auto d = op::dropout(v[0], 0.5);
            d->set_training(false);
            return d;
        },
        {rnd({4, 4}, 50)});
}

// Every binary op of the table as a graph node, a in its domain, b of both signs, and b
// broadcast both ways (a row, then a column), with the harness's bound.
TEST(GradCheck, EveryBinaryOpOfTheTableWithBroadcasting) {
    for (math::BinaryOp o : math::all_binary_ops) {
        Tensor<double> a = rnd({3, 4}, 51, 0.5, 2.0);
        if (math::domain(o) == math::Domain::any) {
            for (index_t i = 0; i < a.size(); i += 2) a.set_flat(i, -a.get_flat(i));
        }
        SCOPED_TRACE(math::to_string(o));
        for (const Shape& bs : {Shape{4}, Shape{3, 1}}) {
            Tensor<double> b = rnd(bs, 52, 0.5, 2.0);
            for (index_t i = 1; i < b.size(); i += 2) b.set_flat(i, -b.get_flat(i));
            check_gradients([o](auto v) { return op::binary(v[0], v[1], o); }, {a, b});
        }
    }
}

// Every unary op of the table (backend/elementwise_ops.h) as a graph node, on inputs in its
// domain, with the harness's bound.
TEST(GradCheck, EveryUnaryOpOfTheTable) {
    for (math::UnaryOp u : math::all_unary_ops) {
        const double p = u == math::UnaryOp::pow_scalar ? 2.5 : 0.3;
        Tensor<double> x = rnd({3, 4}, 41, 0.5, 2.0);
        if (math::domain(u) == math::Domain::any) {
            for (index_t i = 0; i < x.size(); i += 2) x.set_flat(i, -x.get_flat(i));
        }
        SCOPED_TRACE(math::to_string(u));
        check_gradients([u, p](auto v) { return op::unary(v[0], u, p); }, {x});
    }
}
