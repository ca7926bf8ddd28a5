// Each initializer's values or statistics. Sample moments of n draws have standard error
// sigma / sqrt(n); the bounds below are 5 standard errors wide, so a correct generator fails
// about once in 3 million runs, a wrong scale or offset fails every time.
#include <gtest/gtest.h>

#include <cmath>

#include "magmadnn.h"

using namespace magmadnn;

namespace {
struct Moments {
    double mean = 0, var = 0, min = 1e300, max = -1e300;
};
Moments moments(const Tensor<double>& t) {
    Moments m;
    const auto v = t.to_vector();
    for (double x : v) {
        m.mean += x;
        m.min = std::min(m.min, x);
        m.max = std::max(m.max, x);
    }
    m.mean /= double(v.size());
    for (double x : v) m.var += (x - m.mean) * (x - m.mean);
    m.var /= double(v.size() - 1);
    return m;
}
}  // namespace

TEST(Init, ConstantFillers) {
    EXPECT_EQ(Tensor<float>({3, 3}, {ZERO, {}}).to_vector(), std::vector<float>(9, 0.0f));
    EXPECT_EQ(Tensor<float>({3, 3}, {ONE, {}}).to_vector(), std::vector<float>(9, 1.0f));
    EXPECT_EQ(Tensor<float>({2}, {CONSTANT, {2.5}}).to_vector(), std::vector<float>(2, 2.5f));
    EXPECT_THROW(Tensor<float>({2}, {CONSTANT, {}}), ValueError);
}

TEST(Init, IdentityAndDiagonal) {
    Tensor<float> i({3, 4}, {IDENTITY, {}});
    for (index_t r = 0; r < 3; ++r) {
        for (index_t c = 0; c < 4; ++c) EXPECT_EQ(i.get({r, c}), r == c ? 1.0f : 0.0f);
    }
    Tensor<float> d({4, 4}, {DIAGONAL, {1, 2, 3, 4}}, HOST);  // the seed's example
    EXPECT_EQ(d.get({2, 2}), 3.0f);
    EXPECT_EQ(d.get({2, 1}), 0.0f);
    Tensor<float> d1({2, 2}, {DIAGONAL, {7}});
    EXPECT_EQ(d1.get({1, 1}), 7.0f);
    EXPECT_THROW(Tensor<float>({3, 3}, {DIAGONAL, {1, 2}}), ValueError);
    EXPECT_THROW(Tensor<float>({3}, {IDENTITY, {}}), ShapeError);
}

TEST(Init, UniformMoments) {
    const double lo = -2.0, hi = 3.0;
    const index_t n = 200000;
    const Moments m = moments(Tensor<double>({n}, {UNIFORM, {lo, hi}}));
    const double sd = (hi - lo) / std::sqrt(12.0);
    EXPECT_NEAR(m.mean, 0.5, 5 * sd / std::sqrt(double(n)));
    EXPECT_NEAR(m.var, sd * sd, 5 * sd * sd * std::sqrt(0.8 / double(n)));  // var of var: 0.8 s^4/n
    EXPECT_GE(m.min, lo);
    EXPECT_LT(m.max, hi);
}

TEST(Init, NormalMoments) {
    const index_t n = 200000;
    const Moments m = moments(Tensor<double>({n}, {NORMAL, {1.5, 2.0}}));
    EXPECT_NEAR(m.mean, 1.5, 5 * 2.0 / std::sqrt(double(n)));
    EXPECT_NEAR(m.var, 4.0, 5 * 4.0 * std::sqrt(2.0 / double(n)));
}

TEST(Init, GlorotAndHeScaleWithFans) {
    const Moments g = moments(Tensor<double>({400, 600}, {GLOROT, {}}));
    const double gvar = 2.0 / (400 + 600);
    EXPECT_NEAR(g.mean, 0.0, 5 * std::sqrt(gvar / 240000));
    EXPECT_NEAR(g.var, gvar, 5 * gvar * std::sqrt(2.0 / 240000));
    const Moments h = moments(Tensor<double>({16, 8, 3, 3}, {HE, {}}));  // conv: fan_in 8*9
    const double hvar = 2.0 / 72;
    EXPECT_NEAR(h.var, hvar, 5 * hvar * std::sqrt(2.0 / 1152));
}

TEST(Init, SameSeedSameNumbersFreshStreamsDiffer) {
    const Tensor<float> a({100}, Filler(NORMAL, {0, 1}, 42));
    const Tensor<float> b({100}, Filler(NORMAL, {0, 1}, 42));
    EXPECT_EQ(a.to_vector(), b.to_vector());
    set_seed(7);
    const Tensor<float> c({100}, {UNIFORM, {0, 1}});
    const Tensor<float> d({100}, {UNIFORM, {0, 1}});
    EXPECT_NE(c.to_vector(), d.to_vector());
    set_seed(7);
    const Tensor<float> c2({100}, {UNIFORM, {0, 1}});
    EXPECT_EQ(c.to_vector(), c2.to_vector());
}

TEST(Init, PhiloxKnownAnswer) {
    // Random123's published known-answer vector for philox4x32-10, counter and key all ones.
    const auto r = random::philox(0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu,
                                  0xffffffffu);
    EXPECT_EQ(r.v[0], 0x408f276du);
    EXPECT_EQ(r.v[1], 0x41c83b0eu);
    EXPECT_EQ(r.v[2], 0xa20bc7c6u);
    EXPECT_EQ(r.v[3], 0x6d5451fdu);
}

TEST(Init, PhiloxKnownAnswerZero) {
    const auto r = random::philox(0, 0, 0, 0, 0, 0);
    EXPECT_EQ(r.v[0], 0x6627e8d5u);
    EXPECT_EQ(r.v[1], 0xe169c58du);
    EXPECT_EQ(r.v[2], 0xbc57ac4cu);
    EXPECT_EQ(r.v[3], 0x9b00dbd8u);
}
