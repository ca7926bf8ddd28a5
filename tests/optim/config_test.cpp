// Optimizer configurations: factories, validation messages, the string-map round trip, and the
// learning-rate schedules against torch's StepLR / CosineAnnealingLR values.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "reference.h"

using namespace magmadnn;
using magmadnn::test::expect_throw_with;
namespace opt = magmadnn::optimizer;

TEST(OptimizerConfig, FactoriesFillTheirFields) {
    const auto s = opt::sgd(0.05, 0.9, true, 1e-4);
    EXPECT_EQ(s.kind, opt::Kind::sgd);
    EXPECT_EQ(s.name(), "sgd");
    EXPECT_EQ(s.learning_rate, 0.05);
    EXPECT_EQ(s.momentum, 0.9);
    EXPECT_TRUE(s.nesterov);
    EXPECT_EQ(s.weight_decay, 1e-4);
    EXPECT_EQ(s.clip_norm, 0.0);
    EXPECT_EQ(s.schedule.kind, opt::Schedule::Kind::none);

    const auto a = opt::adam();
    EXPECT_EQ(a.name(), "adam");
    EXPECT_EQ(a.learning_rate, 1e-3);
    EXPECT_EQ(a.beta1, 0.9);
    EXPECT_EQ(a.beta2, 0.999);
    EXPECT_EQ(a.eps, 1e-8);
    EXPECT_EQ(a.weight_decay, 0.0);

    const auto w = opt::adamw();
    EXPECT_EQ(w.name(), "adamw");
    EXPECT_EQ(w.weight_decay, 0.01);

    const auto r = opt::rmsprop();
    EXPECT_EQ(r.name(), "rmsprop");
    EXPECT_EQ(r.learning_rate, 1e-2);
    EXPECT_EQ(r.alpha, 0.99);
    EXPECT_EQ(r.eps, 1e-8);
    EXPECT_EQ(r.momentum, 0.0);

    const auto g = opt::adagrad();
    EXPECT_EQ(g.name(), "adagrad");
    EXPECT_EQ(g.learning_rate, 1e-2);
    EXPECT_EQ(g.eps, 1e-10);

    const auto c = opt::adam().with_clip_norm(1.5).with_schedule(opt::Schedule::cosine(20, 1e-5));
    EXPECT_EQ(c.clip_norm, 1.5);
    EXPECT_EQ(c.schedule.kind, opt::Schedule::Kind::cosine);
    EXPECT_EQ(c.schedule.t_max, 20);
    EXPECT_EQ(c.schedule.min_lr, 1e-5);
}

TEST(OptimizerConfig, RoundTripThroughStringMap) {
    const std::vector<opt::Config> configs = {
        opt::sgd(0.05),
        opt::sgd(0.1, 0.9, true, 3e-4).with_schedule(opt::Schedule::step(30, 0.1)),
        opt::adam(),
        opt::adam(3e-4, 0.85, 0.995, 1e-7, 1e-2).with_clip_norm(1.0),
        opt::adamw(1e-3, 0.9, 0.98, 1e-6, 0.05).with_schedule(opt::Schedule::cosine(100, 1e-6)),
        opt::rmsprop(),
        opt::rmsprop(0.001, 0.9, 1e-7, 0.5, 1e-5),
        opt::adagrad(0.1, 1e-9, 0.01).with_clip_norm(2.5),
        opt::sgd(0.1 + 0.2),  // a value that needs all 17 digits
    };
    for (const auto& c : configs) {
        const auto m = c.to_map();
        EXPECT_EQ(opt::Config::from_map(m), c) << c.name() << " lr " << m.at("lr");
    }
}

TEST(OptimizerConfig, MapHasReadableKeys) {
    const auto m = opt::sgd(0.05, 0.9).with_schedule(opt::Schedule::step(10, 0.5)).to_map();
    EXPECT_EQ(m.at("optimizer"), "sgd");
    EXPECT_EQ(m.at("lr"), "0.05");
    EXPECT_EQ(m.at("momentum"), "0.9");
    EXPECT_EQ(m.at("nesterov"), "false");
    EXPECT_EQ(m.at("schedule"), "step");
    EXPECT_EQ(m.at("schedule.step_size"), "10");
    EXPECT_EQ(m.at("schedule.gamma"), "0.5");
    EXPECT_EQ(m.count("beta1"), 0u);  // only the keys the rule uses

    const auto a = opt::adam().to_map();
    EXPECT_EQ(a.at("beta2"), "0.999");
    EXPECT_EQ(a.at("eps"), "1e-08");
    EXPECT_EQ(a.count("momentum"), 0u);

    // Missing keys take the factory's defaults.
    const auto d = opt::Config::from_map({{"optimizer", "adamw"}, {"lr", "0.002"}});
    EXPECT_EQ(d, opt::adamw(0.002));
}

TEST(OptimizerConfig, BadMapsAreValueErrors) {
    using M = std::map<std::string, std::string>;
    expect_throw_with<ValueError>([] { opt::Config::from_map(M{{"lr", "0.1"}}); }, {"'optimizer'"});
    expect_throw_with<ValueError>(
        [] {
            opt::Config::from_map(M{{"optimizer", "lbfgs"}});
        },
        {"lbfgs"});
    expect_throw_with<ValueError>(
        [] {
            opt::Config::from_map(M{{"optimizer", "sgd"}, {"lr", "fast"}});
        },
        {"'lr'", "fast"});
    expect_throw_with<ValueError>(
        [] {
            opt::Config::from_map(M{{"optimizer", "sgd"}, {"lr", "0.1x"}});
        },
        {"0.1x"});
    expect_throw_with<ValueError>(
        [] {
            opt::Config::from_map(M{{"optimizer", "sgd"}, {"learning_rate", "0.1"}});
        },
        {"unknown key 'learning_rate'"});
    expect_throw_with<ValueError>(
        [] {
            opt::Config::from_map(M{{"optimizer", "sgd"}, {"nesterov", "yes"}});
        },
        {"nesterov", "yes"});
    expect_throw_with<ValueError>(
        [] {
            opt::Config::from_map(M{{"optimizer", "sgd"}, {"schedule", "linear"}});
        },
        {"linear"});
    expect_throw_with<ValueError>(
        [] {
            opt::Config::from_map(
                M{{"optimizer", "sgd"}, {"schedule", "step"}, {"schedule.step_size", "2.5"}});
        },
        {"schedule.step_size", "2.5"});
    expect_throw_with<ValueError>(
        [] {
            opt::Config::from_map(M{{"optimizer", "adam"}, {"lr", "-1"}});
        },
        {"optimizer adam", "-1"});
}

TEST(OptimizerConfig, EveryBadValueIsAValueErrorNamingIt) {
    const double nan = std::nan("");
    expect_throw_with<ValueError>([] { opt::sgd(0); }, {"optimizer sgd", "learning rate 0"});
    expect_throw_with<ValueError>([] { opt::sgd(-0.1); }, {"optimizer sgd", "-0.1"});
    expect_throw_with<ValueError>([&] { opt::adam(nan); }, {"optimizer adam", "nan"});
    expect_throw_with<ValueError>([] { opt::sgd(0.1, -0.5); }, {"momentum = -0.5"});
    expect_throw_with<ValueError>([] { opt::sgd(0.1, 0.9, false, -1e-4); },
                                  {"weight_decay = -0.0001"});
    expect_throw_with<ValueError>([] { opt::sgd(0.1, 0.0, true); }, {"nesterov", "momentum"});
    expect_throw_with<ValueError>([] { opt::adam(1e-3, 1.0); }, {"optimizer adam", "beta1 = 1"});
    expect_throw_with<ValueError>([] { opt::adam(1e-3, -0.1); }, {"beta1 = -0.1"});
    expect_throw_with<ValueError>([] { opt::adamw(1e-3, 0.9, 1.5); },
                                  {"optimizer adamw", "beta2 = 1.5"});
    expect_throw_with<ValueError>([] { opt::adam(1e-3, 0.9, 0.999, 0.0); }, {"eps = 0"});
    expect_throw_with<ValueError>([] { opt::adamw(1e-3, 0.9, 0.999, 1e-8, -0.01); },
                                  {"optimizer adamw", "weight_decay = -0.01"});
    expect_throw_with<ValueError>([] { opt::rmsprop(0.01, 1.5); },
                                  {"optimizer rmsprop", "alpha = 1.5"});
    expect_throw_with<ValueError>([] { opt::rmsprop(0.01, 0.99, -1e-8); }, {"eps = -1e-08"});
    expect_throw_with<ValueError>([] { opt::rmsprop(0.01, 0.99, 1e-8, -0.9); },
                                  {"momentum = -0.9"});
    expect_throw_with<ValueError>([] { opt::adagrad(-0.01); }, {"optimizer adagrad", "-0.01"});
    expect_throw_with<ValueError>([] { opt::adagrad(0.01, 0.0); }, {"eps = 0"});
    expect_throw_with<ValueError>([] { opt::sgd(0.1).with_clip_norm(-1.0); }, {"clip_norm = -1"});
    expect_throw_with<ValueError>([] { opt::Schedule::step(0); }, {"step_size = 0"});
    expect_throw_with<ValueError>([] { opt::Schedule::step(5, -0.5); }, {"gamma = -0.5"});
    expect_throw_with<ValueError>([] { opt::Schedule::cosine(0); }, {"t_max = 0"});
    expect_throw_with<ValueError>([] { opt::Schedule::cosine(10, -1e-3); }, {"min_lr = -0.001"});
    expect_throw_with<ValueError>([] { opt::scheduled_lr(opt::sgd(0.1), -1); }, {"epoch -1"});
}

TEST(LrSchedule, NoneKeepsTheLearningRate) {
    for (int e : {0, 1, 50}) EXPECT_EQ(opt::scheduled_lr(opt::adam(3e-4), e), 3e-4);
}

TEST(LrSchedule, StepMatchesTorchStepLR) {
    // StepLR(step_size=10, gamma=0.5) on lr 0.1: 0.1 for epochs 0-9, 0.05 for 10-19, ...
    const auto c = opt::sgd(0.1).with_schedule(opt::Schedule::step(10, 0.5));
    EXPECT_DOUBLE_EQ(opt::scheduled_lr(c, 0), 0.1);
    EXPECT_DOUBLE_EQ(opt::scheduled_lr(c, 9), 0.1);
    EXPECT_DOUBLE_EQ(opt::scheduled_lr(c, 10), 0.05);
    EXPECT_DOUBLE_EQ(opt::scheduled_lr(c, 19), 0.05);
    EXPECT_DOUBLE_EQ(opt::scheduled_lr(c, 25), 0.025);
    EXPECT_DOUBLE_EQ(opt::scheduled_lr(c, 30), 0.0125);
}

TEST(LrSchedule, CosineMatchesTorchCosineAnnealingLR) {
    // CosineAnnealingLR(T_max=10, eta_min=0.001) on lr 0.1 (closed form)
    const auto c = opt::adam(0.1).with_schedule(opt::Schedule::cosine(10, 0.001));
    EXPECT_DOUBLE_EQ(opt::scheduled_lr(c, 0), 0.1);
    EXPECT_DOUBLE_EQ(opt::scheduled_lr(c, 5), 0.0505);
    EXPECT_NEAR(opt::scheduled_lr(c, 10), 0.001, 1e-17);
    // epoch 3: 0.001 + 0.099 * (1 + cos(0.3 pi)) / 2 (the value Python prints for it)
    EXPECT_NEAR(opt::scheduled_lr(c, 3), 0.07959536998847742, 1e-17);
    EXPECT_NEAR(opt::scheduled_lr(c, 3), 0.001 + 0.099 * (1 + std::cos(0.3 * std::numbers::pi)) / 2,
                1e-17);
    // past T_max the closed form rises again, as torch's does
    EXPECT_NEAR(opt::scheduled_lr(c, 15), 0.0505, 1e-15);
    EXPECT_DOUBLE_EQ(opt::scheduled_lr(c, 20), 0.1);
}
