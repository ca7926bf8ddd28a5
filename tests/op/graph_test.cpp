// The graph's behaviour: the seed's first slide, laziness, reuse, fusion, dropout, errors.
#include <gtest/gtest.h>

#include <cmath>

#include "magmadnn.h"
#include "test_util.h"

using namespace magmadnn;

TEST(Graph, SeedSlideEvaluates) {
    auto A = op::var<float>("A", {4, 5}, {GLOROT, {1.5, 2.0}}, HOST);
    auto X = op::var<float>("X", {5, 4}, {UNIFORM, {0.0, 1.0}}, HOST);
    auto B = op::var<float>("B", {4, 4}, {DIAGONAL, {1, 2, 3, 4}}, HOST);
    auto result = op::add(op::matmul(A, X), B);
    Tensor<float> r = result->eval();
    const Tensor<float> want =
        math::add(math::matmul(op::value_of(A), op::value_of(X)), op::value_of(B));
    for (index_t i = 0; i < 16; ++i) EXPECT_FLOAT_EQ(r.get_flat(i), want.get_flat(i));
    EXPECT_EQ(result->shape(), (Shape{4, 4}));
}

TEST(Graph, BuildingComputesNothingAndEvalSeesNewValues) {
    auto x = op::var<double>("x", {2}, {CONSTANT, {3}});
    auto y = op::scalarproduct(2.0, x);
    EXPECT_EQ(y->output().get_flat(0), 0.0);  // nothing computed yet
    EXPECT_EQ(y->eval().get_flat(0), 6.0);
    op::value_of(x).fill(5.0);
    EXPECT_EQ(y->eval(false).get_flat(0), 6.0);  // cached
    EXPECT_EQ(y->eval().get_flat(0), 10.0);
}

TEST(Graph, ShapeErrorsNameTheOp) {
    auto a = op::var<float>("a", {2, 3});
    auto b = op::var<float>("b", {4, 5});
    try {
        op::matmul(a, b);
        FAIL();
    } catch (const ShapeError& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("matmul"), std::string::npos);
        EXPECT_NE(m.find("{2, 3}"), std::string::npos);
        EXPECT_NE(m.find("{4, 5}"), std::string::npos);
    }
    EXPECT_THROW(op::add(a, b), ShapeError);
    EXPECT_THROW(op::softmax_crossentropy(a, b), ShapeError);
    EXPECT_THROW(op::linear(a, b, op::OpPtr<float>{}), ShapeError);
    EXPECT_THROW(op::reduce_sum(a, 2), ValueError);
    EXPECT_THROW(op::dropout(a, 1.0f), ValueError);
    EXPECT_THROW(op::value_of(op::add(a, a)), ValueError);
}

TEST(Graph, GradTableRejectsVariablesOffThePath) {
    auto a = op::var<double>("a", {2}, {ONE, {}});
    auto c = op::var<double>("c", {2}, {ONE, {}});
    auto loss = op::reduce_sum(op::exp(a));
    loss->eval();
    op::GradTable<double> t;
    EXPECT_THROW(op::get_grad_table({c}, loss, t), ValueError);
    op::get_grad_table({a}, loss, t);
    EXPECT_NEAR(t.get(a).get_flat(0), std::exp(1.0), 1e-12);
    EXPECT_THROW(t.get(c), ValueError);
}

TEST(Graph, OptimizeFusesActivationIntoLinearWithSameValues) {
    auto x = op::var<float>("x", test::random_tensor<float>({8, 6}, 1));
    auto w = op::var<float>("w", test::random_tensor<float>({6, 5}, 2));
    auto b = op::var<float>("b", test::random_tensor<float>({5}, 3));
    auto h = op::relu(op::linear(x, w, b));
    auto loss = op::reduce_sum(h);
    const Tensor<float> before = h->eval().clone();
    EXPECT_EQ(op::optimize(loss), 1);
    EXPECT_EQ(op::optimize(loss), 0);  // idempotent
    loss->eval();
    const Tensor<float> after = h->output();
    for (index_t i = 0; i < before.size(); ++i)
        EXPECT_FLOAT_EQ(after.get_flat(i), before.get_flat(i));
    // a linear node read twice is not fused
    auto lin = op::linear(x, w, b);
    auto two = op::add(op::relu(lin), lin);
    EXPECT_EQ(op::optimize(two), 0);
}

TEST(Graph, DropoutDropsAboutRateAndScalesTheRest) {
    auto x = op::var<double>("x", {100, 100}, {ONE, {}});
    auto d = op::dropout(x, 0.3, 17);
    const auto y = d->eval().to_vector();
    int zeros = 0;
    for (double v : y) {
        if (v == 0.0) {
            ++zeros;
        } else {
            EXPECT_NEAR(v, 1.0 / 0.7, 1e-12);
        }
    }
    // binomial(10000, 0.3): sd = 45.8; 5 sd either side
    EXPECT_NEAR(zeros, 3000, 230);
    const auto y2 = d->eval().to_vector();
    EXPECT_NE(y, y2);  // a fresh mask per evaluation
    d->set_training(false);
    EXPECT_EQ(d->eval().to_vector(), std::vector<double>(10000, 1.0));
}

TEST(Graph, DropoutBackwardPassesTheForwardPassMask) {
    auto x = op::var<double>("x", test::random_tensor<double>({40, 25}, 9));
    auto d = op::dropout(x, 0.4, 23);
    auto loss = op::reduce_sum(d);
    for (int step = 0; step < 2; ++step) {  // a fresh mask each step, redrawn by backward
        loss->eval();
        op::GradTable<double> t;
        op::get_grad_table({x}, loss, t);
        const Tensor<double>& y = d->output();
        const Tensor<double>& xv = op::value_of(x);
        const Tensor<double>& g = t.get(x);
        for (index_t i = 0; i < y.size(); ++i) {  // dy/dx = y / x elementwise
            EXPECT_DOUBLE_EQ(g.get_flat(i) * xv.get_flat(i), y.get_flat(i)) << i;
        }
    }
}

TEST(Graph, DeviceDropoutDropsTheHostsElements) {
    MAGMADNN_SKIP_WITHOUT_GPU();
    const auto xv = test::random_tensor<float>({300, 70}, 4);
    auto run = [&](memory_t m) {
        auto x = op::var<float>("x", xv.to(m, true));
        auto d = op::dropout(x, 0.25f, 99);
        auto loss = op::reduce_sum(d);
        loss->eval();
        op::GradTable<float> t;
        op::get_grad_table({x}, loss, t);
        return std::pair{d->output().to(HOST), t.get(x).to(HOST)};
    };
    auto [yh, gh] = run(HOST);
    auto [yd, gd] = run(DEVICE);
    EXPECT_EQ(yd.to_vector(), yh.to_vector());
    EXPECT_EQ(gd.to_vector(), gh.to_vector());
}

// backward's on_ready hook: every variable reported once, its gradient already final when
// reported (w1 has two readers, so it is ready only after both), the deeper one first.
TEST(Graph, BackwardReportsEachGradientOnceItIsFinal) {
    auto x = op::var<double>("x", test::random_tensor<double>({5, 4}, 31));
    auto w1 = op::var<double>("w1", test::random_tensor<double>({4, 3}, 32));
    auto w2 = op::var<double>("w2", test::random_tensor<double>({3, 3}, 33));
    auto loss =
        op::reduce_sum(op::add(op::matmul(op::tanh(op::matmul(x, w1)), w2), op::matmul(x, w1)));
    loss->eval();
    const std::vector<op::OpPtr<double>> vars{w1, w2};
    op::GradTable<double> want;
    op::get_grad_table(vars, loss, want);
    std::vector<int> order;
    std::vector<Tensor<double>> seen(2);
    op::backward<double>(loss, vars, [&](std::size_t i) {
        order.push_back(static_cast<int>(i));
        seen[i] = vars[i]->grad().clone();
    });
    EXPECT_EQ(order, (std::vector<int>{1, 0}));
    for (std::size_t i = 0; i < 2; ++i) {
        EXPECT_EQ(seen[i].to_vector(), want.get(vars[i]).to_vector()) << vars[i]->name();
    }
}

TEST(Graph, ProfileTimesEveryNodeOnlyWhenEnabled) {
    auto x = op::var<float>("x", {8, 4}, {UNIFORM, {-1.0, 1.0}});
    auto w = op::var<float>("w", {4, 3}, {UNIFORM, {-1.0, 1.0}});
    auto loss = op::reduce_sum(op::relu(op::matmul(x, w)));
    op::profile::reset();
    loss->eval();
    EXPECT_TRUE(op::profile::entries().empty());  // off by default
    op::profile::enable();
    for (int i = 0; i < 3; ++i) {
        loss->eval();
        op::backward(loss, {w});
    }
    op::profile::enable(false);
    loss->eval();  // not counted
    const auto all = op::profile::entries();
    ASSERT_EQ(all.size(), 3u);  // matmul, relu, reduce_sum; variables are not timed
    bool saw_relu = false;
    for (const auto& e : all) {
        EXPECT_EQ(e.forward_calls, 3) << e.name;
        EXPECT_EQ(e.backward_calls, 3) << e.name;
        EXPECT_GE(e.forward_seconds, 0.0);
        saw_relu = saw_relu || e.kind == "relu";
    }
    EXPECT_TRUE(saw_relu);
    for (std::size_t i = 1; i < all.size(); ++i) EXPECT_GE(all[i - 1].total(), all[i].total());
    const std::string table = op::profile::table();
    EXPECT_NE(table.find("| relu |"), std::string::npos) << table;
    EXPECT_NE(table.find("total"), std::string::npos);
    op::profile::reset();
    EXPECT_TRUE(op::profile::entries().empty());
}
