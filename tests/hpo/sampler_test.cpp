// Grid and random samplers: coverage, order, reproducibility and ranges.
#include "magmadnn/hpo/sampler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "magmadnn/core/error.h"

using namespace magmadnn;
using hpo::SearchSpace;

namespace {

SearchSpace space() {
    return SearchSpace::from_json(
        R"({"lr": {"type": "loguniform", "low": 1e-4, "high": 1},
            "momentum": {"type": "uniform", "low": 0, "high": 0.99},
            "batch_size": {"type": "choice", "values": [32, 64, 128]},
            "hidden": {"type": "int", "low": 64, "high": 1024, "log": true},
            "layers": {"type": "int", "low": 1, "high": 3},
            "optimizer": {"type": "choice", "values": ["sgd", "adam"]}})",
        "test");
}

}  // namespace

TEST(HpoGridSampler, CoversTheProductOnceInNameOrderLastFastest) {
    const auto s = SearchSpace::from_json(
        R"({"b": {"type": "choice", "values": ["x", "y"]},
            "a": {"type": "int", "low": 1, "high": 3},
            "c": {"type": "uniform", "low": 0, "high": 1, "grid": [0.25, 0.5]}})",
        "test");
    const hpo::GridSampler grid(s);
    ASSERT_EQ(grid.size(), 12);
    std::set<std::string> seen;
    for (std::int64_t k = 0; k < 12; ++k) seen.insert(hpo::params_to_json(grid.sample(k)));
    EXPECT_EQ(seen.size(), 12u);  // every point once
    // a (3) slowest, then b (2), then c (2) fastest
    EXPECT_EQ(grid.sample(0),
              (hpo::Params{{"a", std::int64_t{1}}, {"b", std::string("x")}, {"c", 0.25}}));
    EXPECT_EQ(grid.sample(1),
              (hpo::Params{{"a", std::int64_t{1}}, {"b", std::string("x")}, {"c", 0.5}}));
    EXPECT_EQ(grid.sample(2),
              (hpo::Params{{"a", std::int64_t{1}}, {"b", std::string("y")}, {"c", 0.25}}));
    EXPECT_EQ(grid.sample(4),
              (hpo::Params{{"a", std::int64_t{2}}, {"b", std::string("x")}, {"c", 0.25}}));
    EXPECT_EQ(grid.sample(11),
              (hpo::Params{{"a", std::int64_t{3}}, {"b", std::string("y")}, {"c", 0.5}}));
    EXPECT_THROW(grid.sample(12), ValueError);
    EXPECT_THROW(grid.sample(-1), ValueError);
}

TEST(HpoGridSampler, AContinuousParameterWithoutGridIsNamed) {
    try {
        hpo::GridSampler g(space());
        FAIL() << "no error";
    } catch (const ValueError& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("parameter 'lr' is continuous (loguniform)"), std::string::npos) << m;
        EXPECT_NE(m.find("\"grid\""), std::string::npos) << m;
    }
    const auto huge = SearchSpace::from_json(
        R"({"a": {"type": "int", "low": 0, "high": 2000000},
            "b": {"type": "int", "low": 0, "high": 2000000}})",
        "t");
    try {
        hpo::GridSampler g(huge);
        FAIL() << "no error";
    } catch (const ValueError& e) {
        EXPECT_NE(std::string(e.what()).find("parameter 'b'"), std::string::npos) << e.what();
    }
}

TEST(HpoRandomSampler, TrialKIsAPureFunctionOfSeedAndK) {
    const hpo::RandomSampler a(space(), 7), b(space(), 7), c(space(), 8);
    EXPECT_FALSE(a.size().has_value());
    for (std::int64_t k : {0, 1, 5, 1000, 123456789}) {
        EXPECT_EQ(a.sample(k), b.sample(k));  // another sampler, any order
        EXPECT_NE(a.sample(k), c.sample(k));
    }
    EXPECT_NE(a.sample(0), a.sample(1));
    // adding a parameter leaves the others' draws alone
    auto params = space().params();
    params.push_back({"dropout", hpo::ParamType::Uniform, 0, 0.5});
    const hpo::RandomSampler wider(SearchSpace(params), 7);
    auto drawn = wider.sample(3);
    drawn.erase("dropout");
    EXPECT_EQ(drawn, a.sample(3));
}

TEST(HpoRandomSampler, DrawsStayInRangeAndSpreadInLogSpace) {
    const hpo::RandomSampler r(space(), 42);
    const int n = 4000;
    int lr_decade[4] = {0, 0, 0, 0};
    int hidden_low = 0;
    std::map<std::int64_t, int> layers, batch;
    std::map<std::string, int> opt;
    double mom_min = 1, mom_max = 0;
    for (int k = 0; k < n; ++k) {
        const auto p = r.sample(k);
        const double lr = std::get<double>(p.at("lr"));
        ASSERT_GE(lr, 1e-4);
        ASSERT_LE(lr, 1.0);
        ++lr_decade[std::min(3, static_cast<int>(std::floor(std::log10(lr) + 4)))];
        const double m = std::get<double>(p.at("momentum"));
        ASSERT_GE(m, 0.0);
        ASSERT_LT(m, 0.99);
        mom_min = std::min(mom_min, m);
        mom_max = std::max(mom_max, m);
        const auto h = std::get<std::int64_t>(p.at("hidden"));
        ASSERT_GE(h, 64);
        ASSERT_LE(h, 1024);
        hidden_low += h < 256;  // log2: 64..256 is half the range
        ++layers[std::get<std::int64_t>(p.at("layers"))];
        ++batch[std::get<std::int64_t>(p.at("batch_size"))];
        ++opt[std::get<std::string>(p.at("optimizer"))];
    }
    // each decade of lr a quarter of the draws (4000 draws: sd ~27)
    for (int d : lr_decade) EXPECT_NEAR(d, n / 4, 150);
    EXPECT_NEAR(hidden_low, n / 2, 200);
    EXPECT_LT(mom_min, 0.01);
    EXPECT_GT(mom_max, 0.98);
    EXPECT_EQ(layers.size(), 3u);
    for (const auto& [v, c] : layers) EXPECT_NEAR(c, n / 3, 150) << v;
    EXPECT_EQ(batch.size(), 3u);
    EXPECT_EQ(opt.size(), 2u);
    EXPECT_NEAR(opt["adam"], n / 2, 200);
}
