// Each optimizer against the scalar reference (reference.h) on random parameters and gradients,
// hand-computed first steps, the differences between variants, state and input checks.
#include <gtest/gtest.h>

#include <cmath>
#include <ostream>

#include "reference.h"

using namespace magmadnn;
using namespace magmadnn::test;
namespace opt = magmadnn::optimizer;

namespace {

struct Case {
    const char* name;
    opt::Config config;
};
// gtest prints a parameter into the test's name: the case name, not the struct's bytes.
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

std::vector<Case> cases() {
    return {
        {"sgd", opt::sgd(0.1)},
        {"sgd_weight_decay", opt::sgd(0.1, 0.0, false, 0.01)},
        {"sgd_momentum", opt::sgd(0.05, 0.9)},
        {"sgd_nesterov_weight_decay", opt::sgd(0.05, 0.9, true, 1e-3)},
        {"sgd_momentum_clipped", opt::sgd(0.1, 0.9).with_clip_norm(1.0)},
        {"adam", opt::adam(0.01)},
        {"adam_l2", opt::adam(0.01, 0.8, 0.99, 1e-6, 0.05)},
        {"adam_clipped", opt::adam(0.01).with_clip_norm(0.5)},
        {"adamw", opt::adamw(0.01, 0.9, 0.999, 1e-8, 0.1)},
        {"rmsprop", opt::rmsprop(0.01)},
        {"rmsprop_momentum_weight_decay", opt::rmsprop(0.01, 0.9, 1e-6, 0.8, 0.02)},
        {"adagrad", opt::adagrad(0.1)},
        {"adagrad_weight_decay", opt::adagrad(0.1, 1e-10, 0.05)},
    };
}

const std::vector<Shape> kShapes = {{3, 4}, {5}, {2, 2, 2}, {0}};

Vecs random_vecs(std::uint32_t seed, double scale = 1.0) {
    Vecs v;
    for (const Shape& s : kShapes) {
        v.push_back(random_vec(static_cast<std::size_t>(numel(s)), seed++, -scale, scale));
    }
    return v;
}

// Runs `steps` steps of the library optimizer in T and of the reference in double from the
// same (T-rounded) start, halving the learning rate after step 3; returns both results.
template <typename T>
std::pair<Vecs, Vecs> run_both(const opt::Config& cfg, int steps) {
    Vecs w_ref = rounded<T>(random_vecs(100));
    auto params = to_tensors<T>(w_ref, kShapes);
    auto o = opt::make_optimizer<T>(cfg);
    ReferenceOptimizer ref(cfg);
    for (int s = 0; s < steps; ++s) {
        if (s == 3) {
            const T lr = static_cast<T>(cfg.learning_rate * 0.5);
            o->set_learning_rate(lr);
            ref.lr = static_cast<double>(lr);
        }
        const Vecs g = rounded<T>(random_vecs(200 + 10 * static_cast<std::uint32_t>(s), 2.0));
        const auto grads = to_tensors<T>(g, kShapes);
        o->step(params, grads);
        ref.step(w_ref, g);
    }
    EXPECT_EQ(o->steps(), steps);
    return {to_vecs(params), w_ref};
}

class MatchesReference : public ::testing::TestWithParam<Case> {};

TEST_P(MatchesReference, Double) {
    const auto [got, want] = run_both<double>(GetParam().config, 7);
    for (std::size_t p = 0; p < got.size(); ++p) {
        for (std::size_t i = 0; i < got[p].size(); ++i) {
            EXPECT_NEAR(got[p][i], want[p][i], 1e-12) << "param " << p << " element " << i;
        }
    }
}

TEST_P(MatchesReference, Float) {
    const auto [got, want] = run_both<float>(GetParam().config, 7);
    for (std::size_t p = 0; p < got.size(); ++p) {
        for (std::size_t i = 0; i < got[p].size(); ++i) {
            EXPECT_NEAR(got[p][i], want[p][i], 1e-5 * std::max(1.0, std::abs(want[p][i])))
                << "param " << p << " element " << i;
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Optimizers, MatchesReference, ::testing::ValuesIn(cases()),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

// One scalar parameter w stepped with constant gradients, for hand-computed values.
std::vector<double> scalar_run(const opt::Config& cfg, double w0, const std::vector<double>& gs) {
    std::vector<Tensor<double>> w = {Tensor<double>::from_vector({w0}, {1})};
    auto o = opt::make_optimizer<double>(cfg);
    std::vector<double> out;
    for (double g : gs) {
        const std::vector<Tensor<double>> grad = {Tensor<double>::from_vector({g}, {1})};
        o->step(w, grad);
        out.push_back(w[0].get_flat(0));
    }
    return out;
}

TEST(Optimizer, SgdMomentumAndNesterovByHand) {
    // v1 = 1, w1 = 1 - 0.1 * 1; v2 = 0.9 + 1, w2 = 0.9 - 0.1 * 1.9
    auto m = scalar_run(opt::sgd(0.1, 0.9), 1.0, {1.0, 1.0});
    EXPECT_NEAR(m[0], 0.9, 1e-15);
    EXPECT_NEAR(m[1], 0.71, 1e-15);
    // nesterov: u1 = 1 + 0.9 * 1 = 1.9; u2 = 1 + 0.9 * 1.9 = 2.71
    auto n = scalar_run(opt::sgd(0.1, 0.9, true), 1.0, {1.0, 1.0});
    EXPECT_NEAR(n[0], 0.81, 1e-15);
    EXPECT_NEAR(n[1], 0.539, 1e-15);
    // weight decay: g = 1 + 0.5 * 2 = 2, w = 2 - 0.1 * 2
    EXPECT_NEAR(scalar_run(opt::sgd(0.1, 0, false, 0.5), 2.0, {1.0})[0], 1.8, 1e-15);
}

TEST(Optimizer, AdamFirstStepIsLrTimesSign) {
    // After bias correction m^ = g, v^ = g^2: w1 = w0 - lr * g / (|g| + eps)
    const auto w = scalar_run(opt::adam(0.01), 1.0, {-3.0});
    EXPECT_NEAR(w[0], 1.0 + 0.01 * 3.0 / (3.0 + 1e-8), 1e-15);
}

TEST(Optimizer, RmspropAndAdagradFirstStepByHand) {
    // rmsprop: v = 0.01 * 4, w = 1 - 0.01 * 2 / (0.2 + 1e-8)
    EXPECT_NEAR(scalar_run(opt::rmsprop(0.01), 1.0, {2.0})[0], 1.0 - 0.02 / (0.2 + 1e-8), 1e-15);
    // adagrad: s = 4, w = 1 - 0.1 * 2 / (2 + 1e-10)
    EXPECT_NEAR(scalar_run(opt::adagrad(0.1), 1.0, {2.0})[0], 1.0 - 0.2 / (2 + 1e-10), 1e-15);
}

TEST(Optimizer, NesterovDiffersFromPlainMomentum) {
    const auto plain = scalar_run(opt::sgd(0.1, 0.9), 1.0, {1.0, 0.5, -0.2});
    const auto nest = scalar_run(opt::sgd(0.1, 0.9, true), 1.0, {1.0, 0.5, -0.2});
    for (std::size_t i = 0; i < plain.size(); ++i) EXPECT_GT(std::abs(plain[i] - nest[i]), 1e-3);
}

TEST(Optimizer, AdamwDecouplesWeightDecayFromAdamL2) {
    const std::vector<double> gs = {0.5, -0.1, 0.3, 0.2};
    const auto l2 = scalar_run(opt::adam(0.01, 0.9, 0.999, 1e-8, 0.1), 2.0, gs);
    const auto decoupled = scalar_run(opt::adamw(0.01, 0.9, 0.999, 1e-8, 0.1), 2.0, gs);
    EXPECT_GT(std::abs(l2.back() - decoupled.back()), 1e-4);
    // AdamW step 1: w = 2 * (1 - 0.01 * 0.1) - 0.01 * 0.5 / (0.5 + 1e-8)
    EXPECT_NEAR(decoupled[0], 2.0 * (1 - 0.001) - 0.01 * 0.5 / (0.5 + 1e-8), 1e-15);
    // Adam step 1 with L2: g = 0.5 + 0.1 * 2 = 0.7, and the step is still lr * sign(g)
    EXPECT_NEAR(l2[0], 2.0 - 0.01 * 0.7 / (0.7 + 1e-8), 1e-15);
    // Without weight decay the two are the same rule.
    EXPECT_EQ(scalar_run(opt::adam(0.01, 0.9, 0.999, 1e-8, 0), 2.0, gs),
              scalar_run(opt::adamw(0.01, 0.9, 0.999, 1e-8, 0), 2.0, gs));
}

TEST(Optimizer, LearningRateAndStepsAndReset) {
    auto o = opt::make_optimizer<float>(opt::sgd(0.25, 0.9));
    EXPECT_EQ(o->learning_rate(), 0.25f);
    o->set_learning_rate(0.125f);
    EXPECT_EQ(o->learning_rate(), 0.125f);
    o->set_learning_rate(0.0f);  // a cosine schedule may reach 0
    EXPECT_EQ(o->config().name(), "sgd");

    std::vector<Tensor<float>> w = {Tensor<float>({3}, HOST)};
    const std::vector<Tensor<float>> g = {Tensor<float>::from_vector({1, 2, 3}, {3})};
    o->set_learning_rate(0.5f);
    o->step(w, g);
    o->step(w, g);
    EXPECT_EQ(o->steps(), 2);
    o->reset();
    EXPECT_EQ(o->steps(), 0);
    // after reset the momentum buffer starts from zero again, and new shapes are accepted
    std::vector<Tensor<float>> w2 = {Tensor<float>({2}, HOST)};
    const std::vector<Tensor<float>> g2 = {Tensor<float>::from_vector({1, 1}, {2})};
    o->step(w2, g2);
    EXPECT_EQ(w2[0].get_flat(0), -0.5f);
}

TEST(Optimizer, StateRoundTripsAndBadStatesAreErrors) {
    auto a = opt::make_optimizer<float>(opt::adam(0.01));
    std::vector<Tensor<float>> w = {Tensor<float>::from_vector({1, 2, 3}, {3})};
    const std::vector<Tensor<float>> g = {Tensor<float>::from_vector({0.5f, -1, 2}, {3})};
    a->step(w, g);
    const auto state = a->state();
    ASSERT_EQ(state.steps, 1);
    ASSERT_EQ(state.s1.size(), 1u);
    // a second optimizer continued from the state takes the same next step
    auto b = opt::make_optimizer<float>(opt::adam(0.01));
    const std::vector<Shape> shapes = {Shape{3}};
    b->set_state(state, shapes);
    std::vector<Tensor<float>> wa = {w[0].clone()}, wb = {w[0].clone()};
    a->step(wa, g);
    b->step(wb, g);
    EXPECT_EQ(wa[0].to_vector(), wb[0].to_vector());
    EXPECT_EQ(b->steps(), 2);
    // shapes that do not fit, and buffers the rule needs but the state lacks
    auto c = opt::make_optimizer<float>(opt::adam(0.01));
    const std::vector<Shape> wrong = {Shape{4}};
    EXPECT_THROW(c->set_state(state, wrong), ShapeError);
    auto sgd_state = opt::make_optimizer<float>(opt::sgd(0.1));  // plain SGD keeps no buffers
    std::vector<Tensor<float>> w3 = {w[0].clone()};
    sgd_state->step(w3, g);
    EXPECT_THROW(c->set_state(sgd_state->state(), shapes), ValueError);
}

TEST(Optimizer, StepWithClipNormEqualsClipThenStep) {
    const Vecs w0 = random_vecs(1), g0 = random_vecs(2, 3.0);
    auto w_a = to_tensors<double>(w0, kShapes), w_b = to_tensors<double>(w0, kShapes);
    auto g_a = to_tensors<double>(g0, kShapes), g_b = to_tensors<double>(g0, kShapes);
    opt::make_optimizer<double>(opt::adam(0.01).with_clip_norm(0.7))->step(w_a, g_a);
    opt::clip_grad_norm<double>(g_b, 0.7);
    opt::make_optimizer<double>(opt::adam(0.01))->step(w_b, g_b);
    EXPECT_EQ(to_vecs(w_a), to_vecs(w_b));
    EXPECT_EQ(to_vecs(g_a), g0);  // step() does not modify the gradients
}

TEST(ClipGradNorm, ReturnsNormAndScales) {
    std::vector<Tensor<double>> g = {Tensor<double>::from_vector({3, 4}, {2}),
                                     Tensor<double>::from_vector({12}, {1})};
    EXPECT_DOUBLE_EQ(opt::global_norm<double>(g), 13.0);
    EXPECT_DOUBLE_EQ(opt::clip_grad_norm<double>(g, 100.0), 13.0);  // under the limit: unchanged
    EXPECT_EQ(g[0].to_vector(), (std::vector<double>{3, 4}));
    EXPECT_DOUBLE_EQ(opt::clip_grad_norm<double>(g, 6.5), 13.0);
    const double coef = 6.5 / (13.0 + 1e-6);
    EXPECT_DOUBLE_EQ(g[0].get_flat(0), 3 * coef);
    EXPECT_DOUBLE_EQ(g[0].get_flat(1), 4 * coef);
    EXPECT_DOUBLE_EQ(g[1].get_flat(0), 12 * coef);
    EXPECT_NEAR(opt::global_norm<double>(g), 6.5, 1e-6);

    std::vector<Tensor<float>> gf = {Tensor<float>::from_vector({6, 8}, {2})};
    EXPECT_FLOAT_EQ(opt::clip_grad_norm<float>(gf, 1.0f), 10.0f);
    EXPECT_NEAR(gf[0].get_flat(0), 0.6f, 1e-6);
}

TEST(ClipGradNorm, NonFiniteNormAndBadMaxNorm) {
    std::vector<Tensor<double>> g = {Tensor<double>::from_vector({1, NAN}, {2})};
    expect_throw_with<NumericError>([&] { opt::clip_grad_norm<double>(g, 1.0); },
                                    {"nan", "lower the learning rate"});
    std::vector<Tensor<double>> inf = {Tensor<double>::from_vector({INFINITY}, {1})};
    expect_throw_with<NumericError>([&] { opt::clip_grad_norm<double>(inf, 1.0); }, {"inf"});
    std::vector<Tensor<double>> ok = {Tensor<double>::from_vector({1}, {1})};
    expect_throw_with<ValueError>([&] { opt::clip_grad_norm<double>(ok, 0.0); }, {"max_norm"});
    // inside step(): the parameters are left untouched
    std::vector<Tensor<double>> w = {Tensor<double>::from_vector({5, 5}, {2})};
    auto o = opt::make_optimizer<double>(opt::sgd(0.1).with_clip_norm(1.0));
    expect_throw_with<NumericError>([&] { o->step(w, g); },
                                    {"optimizer sgd", "nan", "learning rate (now 0.1)"});
    EXPECT_EQ(w[0].to_vector(), (std::vector<double>{5, 5}));
    EXPECT_EQ(o->steps(), 0);
}

TEST(OptimizerErrors, MismatchedParamsAndGrads) {
    auto o = opt::make_optimizer<double>(opt::adam());
    std::vector<Tensor<double>> w = {Tensor<double>({2, 3}), Tensor<double>({4})};
    std::vector<Tensor<double>> g1 = {Tensor<double>({2, 3})};
    expect_throw_with<ShapeError>([&] { o->step(w, g1); },
                                  {"optimizer adam", "2 parameters", "1 gradients"});
    std::vector<Tensor<double>> g2 = {Tensor<double>({2, 3}), Tensor<double>({5})};
    expect_throw_with<ShapeError>([&] { o->step(w, g2); },
                                  {"optimizer adam", "parameter 1", "{4}", "{5}"});
    EXPECT_EQ(o->steps(), 0);
}

TEST(OptimizerErrors, LaterStepWithOtherShapesOrCount) {
    auto o = opt::make_optimizer<float>(opt::rmsprop());
    std::vector<Tensor<float>> w = {Tensor<float>({2, 3}), Tensor<float>({4})};
    std::vector<Tensor<float>> g = {Tensor<float>({2, 3}), Tensor<float>({4})};
    o->step(w, g);
    std::vector<Tensor<float>> w2 = {Tensor<float>({2, 3}), Tensor<float>({2, 2})};
    std::vector<Tensor<float>> g2 = {Tensor<float>({2, 3}), Tensor<float>({2, 2})};
    expect_throw_with<ShapeError>([&] { o->step(w2, g2); },
                                  {"optimizer rmsprop", "parameter 1", "{2, 2}", "{4}"});
    std::vector<Tensor<float>> w3 = {Tensor<float>({2, 3})};
    std::vector<Tensor<float>> g3 = {Tensor<float>({2, 3})};
    expect_throw_with<ShapeError>([&] { o->step(w3, g3); }, {"1 parameters", "had 2"});
    EXPECT_EQ(o->steps(), 1);
}

TEST(OptimizerErrors, BadLearningRateAtRunTime) {
    auto o = opt::make_optimizer<double>(opt::sgd(0.1));
    expect_throw_with<ValueError>([&] { o->set_learning_rate(-0.5); }, {"optimizer sgd", "-0.5"});
    expect_throw_with<ValueError>([&] { o->set_learning_rate(NAN); }, {"nan"});
    EXPECT_EQ(o->learning_rate(), 0.1);
}

TEST(OptimizerErrors, InvalidConfigIsRejectedByMakeOptimizer) {
    opt::Config c = opt::adam();
    c.beta2 = 1.0;  // set by hand, bypassing the factory
    expect_throw_with<ValueError>([&] { opt::make_optimizer<float>(c); },
                                  {"optimizer adam", "beta2 = 1", "[0, 1)"});
}

}  // namespace
