// The TPE sampler: random until it has seen enough, deterministic given what it has seen, its
// draws inside every range, and drawn towards the good results: on objectives with a known
// optimum it lands nearer than random search, alone and under ASHA.
#include <gtest/gtest.h>

#include <cmath>

#include "magmadnn/core/error.h"
#include "magmadnn/hpo/sampler.h"
#include "magmadnn/hpo/scheduler.h"

using namespace magmadnn;

namespace {

hpo::SearchSpace space() {
    return hpo::SearchSpace::from_json(
        R"({"lr": {"type": "loguniform", "low": 1e-5, "high": 1},
            "x": {"type": "uniform", "low": -2, "high": 3},
            "units": {"type": "int", "low": 8, "high": 512, "log": true},
            "layers": {"type": "int", "low": 1, "high": 4},
            "opt": {"type": "choice", "values": ["sgd", "adam", "rmsprop"]}})",
        "test");
}

// Highest at lr 1e-2, x 0.5, units 64, layers 2, adam; every parameter matters.
double quality(const hpo::Params& p) {
    const double lr = std::log10(std::get<double>(p.at("lr"))) + 2;
    const double x = std::get<double>(p.at("x")) - 0.5;
    const double u = std::log2(double(std::get<std::int64_t>(p.at("units")))) - 6;
    const double l = double(std::get<std::int64_t>(p.at("layers"))) - 2;
    const double o = std::get<std::string>(p.at("opt")) == "adam" ? 0 : 1;
    return -(lr * lr + x * x + 0.25 * u * u + 0.5 * l * l + o);
}

// k trials drawn one after another, each seeing the results of the ones before.
std::vector<hpo::Observation> sequential(const hpo::Sampler& s, int trials) {
    std::vector<hpo::Observation> seen;
    for (int k = 0; k < trials; ++k) {
        const hpo::Params p = s.sample(k, seen);
        seen.push_back({p, 1, quality(p)});
    }
    return seen;
}

double best_of(const std::vector<hpo::Observation>& seen) {
    double best = -HUGE_VAL;
    for (const auto& o : seen) best = std::max(best, o.score);
    return best;
}

TEST(Tpe, StartsAsRandomSearch) {
    const hpo::TpeSampler tpe(space(), 11);
    const hpo::RandomSampler random(space(), 11);
    const auto seen = sequential(tpe, 10);
    for (int k = 0; k < 10; ++k) EXPECT_EQ(seen[std::size_t(k)].params, random.sample(k)) << k;
    EXPECT_NE(tpe.sample(10, seen), random.sample(10));  // the 11th is TPE's own
}

TEST(Tpe, SameResultsSameDraws) {
    const hpo::TpeSampler a(space(), 3), b(space(), 3), other_seed(space(), 4);
    const auto seen = sequential(a, 30);
    EXPECT_EQ(a.sample(30, seen), b.sample(30, seen));
    EXPECT_NE(a.sample(30, seen), other_seed.sample(30, seen));
    EXPECT_EQ(sequential(b, 30).back().params, seen.back().params);
}

TEST(Tpe, DrawsStayInTheirRanges) {
    const hpo::TpeSampler tpe(space(), 5);
    for (const auto& o : sequential(tpe, 200)) {
        const double lr = std::get<double>(o.params.at("lr"));
        const double x = std::get<double>(o.params.at("x"));
        const auto units = std::get<std::int64_t>(o.params.at("units"));
        const auto layers = std::get<std::int64_t>(o.params.at("layers"));
        EXPECT_TRUE(lr >= 1e-5 && lr <= 1) << lr;
        EXPECT_TRUE(x >= -2 && x <= 3) << x;
        EXPECT_TRUE(units >= 8 && units <= 512) << units;
        EXPECT_TRUE(layers >= 1 && layers <= 4) << layers;
    }
}

TEST(Tpe, FindsBetterConfigurationsThanRandomSearch) {
    // 60 trials each, 8 seeds: TPE's best beats random's on most seeds and on the median, and
    // its last 20 trials are near the optimum far more often
    int wins = 0;
    std::vector<double> gap;
    double tpe_late = 0, random_late = 0;
    for (std::uint64_t seed = 0; seed < 8; ++seed) {
        const auto t = sequential(hpo::TpeSampler(space(), seed), 60);
        const auto r = sequential(hpo::RandomSampler(space(), seed), 60);
        wins += best_of(t) > best_of(r);
        gap.push_back(best_of(t) - best_of(r));
        for (int k = 40; k < 60; ++k) {
            tpe_late += t[std::size_t(k)].score;
            random_late += r[std::size_t(k)].score;
        }
    }
    std::sort(gap.begin(), gap.end());
    EXPECT_GE(wins, 6);
    EXPECT_GT(gap[4], 0);
    EXPECT_GT(tpe_late / 160, random_late / 160 + 1.0)
        << "mean quality of trials 40-59: tpe " << tpe_late / 160 << ", random "
        << random_late / 160;
}

TEST(Tpe, LearnsWhichChoiceIsGood) {
    // adam is worth more than any x: the good results are adam's, so TPE keeps drawing it
    const auto s = hpo::SearchSpace::from_json(
        R"({"x": {"type": "uniform", "low": -2, "high": 3},
            "opt": {"type": "choice", "values": ["sgd", "adam", "rmsprop"]}})",
        "t");
    for (std::uint64_t seed = 0; seed < 4; ++seed) {
        const hpo::TpeSampler tpe(s, seed);
        std::vector<hpo::Observation> seen;
        int adam = 0;
        for (int k = 0; k < 60; ++k) {
            const hpo::Params p = tpe.sample(k, seen);
            const bool is_adam = std::get<std::string>(p.at("opt")) == "adam";
            const double x = std::get<double>(p.at("x")) - 0.5;
            seen.push_back({p, 1, -x * x - (is_adam ? 0 : 10)});
            if (k >= 30) adam += is_adam;
        }
        EXPECT_GE(adam, 24) << "of 30 late trials, seed " << seed;
    }
}

TEST(Tpe, PrefersDeeperResultsThenScores) {
    // a result at more epochs outranks any at fewer: trials near x = 2.5 trained longer
    const auto s =
        hpo::SearchSpace::from_json(R"({"x": {"type": "uniform", "low": 0, "high": 3}})", "t");
    const hpo::TpeSampler tpe(s, 1);
    std::vector<hpo::Observation> seen;
    for (int k = 0; k < 40; ++k) {
        const double x = 3.0 * k / 40;
        const bool deep = std::abs(x - 2.5) < 0.2;
        seen.push_back({{{"x", x}}, deep ? 9 : 1, deep ? 0.1 : 0.9});
    }
    double mean = 0;
    for (int k = 40; k < 60; ++k) mean += std::get<double>(tpe.sample(k, seen).at("x"));
    EXPECT_NEAR(mean / 20, 2.5, 0.3);
}

// ASHA with the synthetic curve quality * (1 - exp(-epochs / 3)) run on one worker.
double asha_best(hpo::SamplerKind sampler, std::uint64_t seed) {
    auto s = hpo::make_scheduler(space(), {.kind = hpo::SchedulerKind::Asha,
                                           .max_resource = 9,
                                           .min_resource = 1,
                                           .reduction_factor = 3,
                                           .trials = 60,
                                           .seed = seed,
                                           .sampler = sampler});
    while (auto job = s->next_job()) {
        const double q = quality(job->params);
        s->report(job->trial, job->rung, q - 2 * std::exp(-job->resource / 3.0));
    }
    EXPECT_TRUE(s->finished());
    return s->best()->value;
}

TEST(Tpe, UnderAshaBeatsRandomSampling) {
    int wins = 0;
    for (std::uint64_t seed = 0; seed < 6; ++seed) {
        wins += asha_best(hpo::SamplerKind::Tpe, seed) > asha_best(hpo::SamplerKind::Random, seed);
    }
    EXPECT_GE(wins, 5);
}

TEST(Tpe, ReplayDrawsTheSameTrials) {
    auto run = [](bool replay_half) {
        auto s = hpo::make_scheduler(space(), {.kind = hpo::SchedulerKind::Asha,
                                               .max_resource = 9,
                                               .trials = 30,
                                               .seed = 2,
                                               .sampler = hpo::SamplerKind::Tpe});
        int n = 0;
        while (auto job = s->next_job()) {
            s->report(job->trial, job->rung, quality(job->params) - std::exp(-job->resource));
            if (replay_half && ++n == 25) {
                auto fresh = hpo::make_scheduler(space(), {.kind = hpo::SchedulerKind::Asha,
                                                           .max_resource = 9,
                                                           .trials = 30,
                                                           .seed = 2,
                                                           .sampler = hpo::SamplerKind::Tpe});
                fresh->replay(s->events());
                for (std::int64_t t = 0; t < s->trials_started(); ++t) {
                    EXPECT_EQ(fresh->params(t), s->params(t)) << t;
                }
                s = std::move(fresh);
            }
        }
        std::vector<hpo::Params> all;
        for (std::int64_t t = 0; t < s->trials_started(); ++t) all.push_back(s->params(t));
        return all;
    };
    EXPECT_EQ(run(true), run(false));
}

TEST(Tpe, GridSearchRefusesIt) {
    const auto s =
        hpo::SearchSpace::from_json(R"({"opt": {"type": "choice", "values": ["a", "b"]}})", "t");
    EXPECT_THROW(hpo::make_scheduler(
                     s, {.kind = hpo::SchedulerKind::Grid, .sampler = hpo::SamplerKind::Tpe}),
                 ValueError);
    EXPECT_EQ(hpo::sampler_kind("tpe"), hpo::SamplerKind::Tpe);
    EXPECT_THROW(hpo::sampler_kind("bayes"), ValueError);
}

}  // namespace
