// Elementwise ops and broadcasting on the CPU, against scalar references on random inputs.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <set>
#include <string>

#include "backend/fused.h"
#include "backend/grad.h"
#include "magmadnn.h"
#include "test_util.h"

using namespace magmadnn;
using math::BinaryOp;
using math::UnaryOp;

TEST(Broadcast, ShapeRules) {
    EXPECT_EQ(math::broadcast_shape({2, 3}, {3}), (Shape{2, 3}));
    EXPECT_EQ(math::broadcast_shape({4, 1, 5}, {3, 1}), (Shape{4, 3, 5}));
    EXPECT_EQ(math::broadcast_shape({}, {2, 2}), (Shape{2, 2}));
    EXPECT_EQ(math::broadcast_shape({1}, {0}), (Shape{0}));
    EXPECT_THROW(math::broadcast_shape({2, 3}, {2}), ShapeError);
    try {
        math::broadcast_shape({2, 3}, {4, 3}, "add");
        FAIL();
    } catch (const ShapeError& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("add"), std::string::npos);
        EXPECT_NE(m.find("{2, 3}"), std::string::npos);
        EXPECT_NE(m.find("{4, 3}"), std::string::npos);
    }
}

namespace {
// Reference broadcast: out[idx] = f(a[idx mod a's shape], b[...]).
template <typename F>
Tensor<double> reference_binary(const Tensor<double>& a, const Tensor<double>& b, F f) {
    const Shape s = math::broadcast_shape(a.shape(), b.shape());
    Tensor<double> out(s, HOST);
    std::vector<index_t> idx(s.size(), 0);
    for (index_t flat = 0; flat < out.size(); ++flat) {
        index_t rem = flat;
        for (int d = static_cast<int>(s.size()) - 1; d >= 0; --d) {
            idx[d] = rem % s[d];
            rem /= s[d];
        }
        auto pick = [&](const Tensor<double>& t) {
            std::vector<index_t> ti(t.shape().size());
            for (std::size_t d = 0; d < ti.size(); ++d) {
                const std::size_t od = d + s.size() - ti.size();
                ti[d] = t.shape()[d] == 1 ? 0 : idx[od];
            }
            return t.get(ti);
        };
        out.set_flat(flat, f(pick(a), pick(b)));
    }
    return out;
}
}  // namespace

TEST(Broadcast, BinaryMatchesReferenceOnManyShapes) {
    const std::vector<std::pair<Shape, Shape>> cases = {{{7}, {7}},
                                                        {{5, 4}, {4}},
                                                        {{5, 4}, {5, 1}},
                                                        {{3, 1, 4}, {2, 1}},
                                                        {{2, 3, 4}, {}},
                                                        {{1}, {6, 2}},
                                                        {{4, 1, 3, 1}, {1, 5, 1, 2}},
                                                        {{300, 200}, {200}},
                                                        {{2, 300, 100}, {300, 1}}};
    std::uint32_t seed = 10;
    for (const auto& [sa, sb] : cases) {
        const auto a = test::random_tensor<double>(sa, seed++);
        const auto b = test::random_tensor<double>(sb, seed++);
        const auto got = math::binary(BinaryOp::sub, a, b);
        const auto want = reference_binary(a, b, [](double x, double y) { return x - y; });
        ASSERT_EQ(got.shape(), want.shape());
        EXPECT_EQ(got.to_vector(), want.to_vector()) << to_string(sa) << " - " << to_string(sb);
    }
}

TEST(Elementwise, UnaryOpsMatchStdMath) {
    const auto x = test::random_tensor<double>({1000}, 3, 0.1, 3.0);
    const std::vector<std::pair<UnaryOp, double (*)(double)>> ops = {
        {UnaryOp::exp, [](double v) { return std::exp(v); }},
        {UnaryOp::log, [](double v) { return std::log(v); }},
        {UnaryOp::sqrt, [](double v) { return std::sqrt(v); }},
        {UnaryOp::tanh, [](double v) { return std::tanh(v - 1.5); }},
        {UnaryOp::sigmoid, [](double v) { return 1.0 / (1.0 + std::exp(-(v - 1.5))); }},
        {UnaryOp::relu, [](double v) { return std::max(v - 1.5, 0.0); }},
        {UnaryOp::gelu,
         [](double v) { return (v - 1.5) * 0.5 * (1.0 + std::erf((v - 1.5) / std::sqrt(2.0))); }},
    };
    Tensor<double> shifted = math::unary(UnaryOp::add_scalar, x, -1.5);
    for (const auto& [op, f] : ops) {
        const bool centred = op != UnaryOp::exp && op != UnaryOp::log && op != UnaryOp::sqrt;
        const auto y = math::unary(op, centred ? shifted : x);
        for (index_t i = 0; i < x.size(); ++i) {
            EXPECT_NEAR(y.get_flat(i), f(x.get_flat(i)), 1e-14) << static_cast<int>(op);
        }
    }
}

namespace {

// Inputs in an op's domain (elementwise_ops.h): [0.5, 2], and for `any` both signs.
Tensor<double> domain_inputs(UnaryOp op, index_t n, std::uint32_t seed) {
    Tensor<double> x = test::random_tensor<double>({n}, seed, 0.5, 2.0);
    if (math::domain(op) == math::Domain::any) {
        for (index_t i = 0; i < n; i += 2) x.set_flat(i, -x.get_flat(i));
    }
    return x;
}

// A parameter for the ops that take one (slope, scalar, exponent), 0 for the others.
double param_for(UnaryOp op) {
    switch (op) {
        case UnaryOp::leaky_relu:
            return 0.1;
        case UnaryOp::add_scalar:
            return 0.7;
        case UnaryOp::mul_scalar:
            return -1.3;
        case UnaryOp::pow_scalar:
            return 2.5;
        case UnaryOp::rsub_scalar:
            return 0.4;
        case UnaryOp::rdiv_scalar:
            return 1.7;
        default:
            return 0.0;
    }
}

}  // namespace

// Every row of the op table: the gradient kernel against central differences of the forward
// kernel (h = 1e-6, f64), |dx - g f'| <= 1e-7 (1 + |g f'|); measured: 4e-11 to 1.5e-10.
TEST(Elementwise, EveryUnaryGradientMatchesFiniteDifferences) {
    const double h = 1e-6;
    for (UnaryOp op : math::all_unary_ops) {
        const double p = param_for(op);
        const auto x = domain_inputs(op, 200, 11);
        const auto g = test::random_tensor<double>({200}, 12);
        const auto y = math::unary(op, x, p);
        Tensor<double> dx(x.shape());
        math::unary_grad(op, x, y, g, dx, p);
        const auto yp = math::unary(op, math::unary(UnaryOp::add_scalar, x, h), p);
        const auto ym = math::unary(op, math::unary(UnaryOp::add_scalar, x, -h), p);
        double worst = 0;
        for (index_t i = 0; i < x.size(); ++i) {
            const double want = g.get_flat(i) * (yp.get_flat(i) - ym.get_flat(i)) / (2 * h);
            worst = std::max(worst, std::fabs(dx.get_flat(i) - want) / (1 + std::fabs(want)));
        }
        EXPECT_LE(worst, 1e-7) << math::to_string(op);
        std::printf("%-12s gradient vs finite differences: %.1e\n", math::to_string(op), worst);
    }
}

// The table's "gradient reads" column is true: the arguments it says are unread are NaN here,
// and the gradient is still the same.
TEST(Elementwise, EveryUnaryGradientReadsWhatItsRowSays) {
    for (UnaryOp op : math::all_unary_ops) {
        const double p = param_for(op);
        const auto x = domain_inputs(op, 64, 13);
        const auto g = test::random_tensor<double>({64}, 14);
        const auto y = math::unary(op, x, p);
        Tensor<double> want(x.shape()), got(x.shape());
        math::unary_grad(op, x, y, g, want, p);
        Tensor<double> poison(x.shape());
        for (index_t i = 0; i < poison.size(); ++i) {
            poison.set_flat(i, std::numeric_limits<double>::quiet_NaN());
        }
        const math::GradReads reads = math::grad_reads(op);
        const bool uses_x = reads == math::GradReads::input || reads == math::GradReads::both;
        const bool uses_y = reads == math::GradReads::output || reads == math::GradReads::both;
        math::unary_grad(op, uses_x ? x : poison, uses_y ? y : poison, g, got, p);
        EXPECT_EQ(got.to_vector(), want.to_vector()) << math::to_string(op);
    }
}

TEST(Elementwise, UnaryGradShapeMismatchIsAShapeErrorNamingTheOp) {
    const auto x = test::random_tensor<double>({4, 3}, 15);
    Tensor<double> wrong({3, 4}), dx(x.shape());
    try {
        math::unary_grad(UnaryOp::tanh, x, x, wrong, dx);
        FAIL() << "no error";
    } catch (const ShapeError& e) {
        EXPECT_NE(std::string(e.what()).find("unary_grad(tanh)"), std::string::npos) << e.what();
    }
}

namespace {
// Inputs for a binary op: a in the op's domain, b of both signs, b broadcast along axis 0.
std::pair<Tensor<double>, Tensor<double>> binary_inputs(BinaryOp op, std::uint32_t seed) {
    Tensor<double> a = test::random_tensor<double>({6, 5}, seed, 0.5, 2.0);
    Tensor<double> b = test::random_tensor<double>({5}, seed + 1, 0.5, 2.0);
    if (math::domain(op) == math::Domain::any) {
        for (index_t i = 0; i < a.size(); i += 2) a.set_flat(i, -a.get_flat(i));
    }
    for (index_t i = 1; i < b.size(); i += 2) b.set_flat(i, -b.get_flat(i));
    return {a, b};
}
}  // namespace

// Every binary row's two gradient functors against central differences of the forward kernel,
// elementwise over the broadcast shape (h = 1e-6, f64), |d - g df| <= 1e-7 (1 + |g df|).
TEST(Elementwise, EveryBinaryGradientMatchesFiniteDifferences) {
    const double h = 1e-6;
    for (BinaryOp op : math::all_binary_ops) {
        const auto [a, b] = binary_inputs(op, 21);
        const auto z = math::binary(op, a, b);
        const auto g = test::random_tensor<double>(z.shape(), 23);
        for (int side = 0; side < 2; ++side) {
            Tensor<double> d(z.shape());
            math::binary_grad(op, side, a, b, z, g, d);
            const Tensor<double>& moved = side == 0 ? a : b;
            const auto plus = math::unary(UnaryOp::add_scalar, moved, h);
            const auto minus = math::unary(UnaryOp::add_scalar, moved, -h);
            const auto zp = side == 0 ? math::binary(op, plus, b) : math::binary(op, a, plus);
            const auto zm = side == 0 ? math::binary(op, minus, b) : math::binary(op, a, minus);
            double worst = 0;
            for (index_t i = 0; i < z.size(); ++i) {
                const double want = g.get_flat(i) * (zp.get_flat(i) - zm.get_flat(i)) / (2 * h);
                worst = std::max(worst, std::fabs(d.get_flat(i) - want) / (1 + std::fabs(want)));
            }
            EXPECT_LE(worst, 1e-7) << math::to_string(op) << " side " << side;
        }
    }
}

TEST(Elementwise, BinaryGradShapeMismatchIsAShapeErrorNamingTheOp) {
    const auto a = test::random_tensor<double>({4, 3}, 25);
    const auto z = math::binary(BinaryOp::mul, a, a);
    Tensor<double> wrong({3, 4}), out(z.shape());
    try {
        math::binary_grad(BinaryOp::mul, 1, a, a, z, wrong, out);
        FAIL() << "no error";
    } catch (const ShapeError& e) {
        EXPECT_NE(std::string(e.what()).find("binary_grad(mul, b)"), std::string::npos) << e.what();
    }
}

// Every fused row equals its two-pass composition act(a + b), broadcasting, in f32 and f64.
TEST(Elementwise, EveryFusedOpEqualsItsComposition) {
    for (math::FusedOp op : math::all_fused_ops) {
        const auto a = test::random_tensor<float>({7, 9}, 27);
        const auto b = test::random_tensor<float>({9}, 28);
        Tensor<float> got(a.shape());
        math::fused_binary(op, a, b, got);
        const auto want = math::unary(math::activation_of(op), math::add(a, b));
        for (index_t i = 0; i < got.size(); ++i) {
            EXPECT_NEAR(got.get_flat(i), want.get_flat(i), 1e-6f) << math::to_string(op) << i;
        }
        const auto ad = test::random_tensor<double>({40, 33}, 29);
        const auto bd = test::random_tensor<double>({40, 1}, 30);
        Tensor<double> gd(ad.shape());
        math::fused_binary(op, ad, bd, gd);
        const auto wd = math::unary(math::activation_of(op), math::add(ad, bd));
        for (index_t i = 0; i < gd.size(); ++i) {
            EXPECT_NEAR(gd.get_flat(i), wd.get_flat(i), 1e-14) << math::to_string(op) << i;
        }
    }
}

// Every name in the table is distinct and round-trips through the graph node's kind.
TEST(Elementwise, EveryTableRowHasItsOwnName) {
    std::set<std::string> names;
    for (UnaryOp op : math::all_unary_ops) names.insert(math::to_string(op));
    for (BinaryOp op : math::all_binary_ops) names.insert(math::to_string(op));
    for (math::FusedOp op : math::all_fused_ops) names.insert(math::to_string(op));
    EXPECT_EQ(names.size(), std::size(math::all_unary_ops) + std::size(math::all_binary_ops) +
                                std::size(math::all_fused_ops));
    auto x = op::var<double>("x", {3});
    EXPECT_EQ(op::unary(x, UnaryOp::gelu)->kind(), "gelu");
    EXPECT_EQ(op::binary(x, x, BinaryOp::minimum)->kind(), "minimum");
}

TEST(Elementwise, InPlaceAndAxpby) {
    auto x = test::random_tensor<float>({100}, 6);
    const auto before = x.to_vector();
    math::unary(UnaryOp::mul_scalar, x, x, 3.0f);
    EXPECT_FLOAT_EQ(x.get_flat(7), 3.0f * before[7]);
    Tensor<float> y({100}, HOST);
    y.fill(1.0f);
    math::axpby(2.0f, x, 0.5f, y);
    EXPECT_FLOAT_EQ(y.get_flat(9), 2.0f * x.get_flat(9) + 0.5f);
    Tensor<float> wrong({99}, HOST);
    EXPECT_THROW(math::axpby(1.0f, x, 1.0f, wrong), ShapeError);
    EXPECT_THROW(math::unary(UnaryOp::exp, x, wrong), ShapeError);
}
