// Each optimizer minimises a small convex quadratic f(w) = 0.5 ||A w - b||^2 (gradients computed
// here) to near its optimum, with the learning rate set per epoch from the config's schedule as
// the model does.
#include <gtest/gtest.h>

#include <cmath>
#include <ostream>

#include "reference.h"

using namespace magmadnn;
using namespace magmadnn::test;
namespace opt = magmadnn::optimizer;

namespace {

constexpr int kRows = 8, kCols = 5;

struct Quadratic {
    Vec A = Vec(kRows * kCols), b = Vec(kRows), w_star = Vec(kCols);

    Quadratic() {
        // A well-conditioned A: identity on top plus small random entries.
        const Vec r = random_vec(kRows * kCols, 7, -0.3, 0.3);
        for (int i = 0; i < kRows; ++i) {
            for (int j = 0; j < kCols; ++j) A[i * kCols + j] = r[i * kCols + j] + (i == j ? 1 : 0);
        }
        b = random_vec(kRows, 8, -2, 2);
        // w* solves the normal equations A^T A w = A^T b (Gauss-Jordan with partial pivoting).
        double M[kCols][kCols + 1];
        for (int i = 0; i < kCols; ++i) {
            for (int j = 0; j < kCols; ++j) {
                M[i][j] = 0;
                for (int k = 0; k < kRows; ++k) M[i][j] += A[k * kCols + i] * A[k * kCols + j];
            }
            M[i][kCols] = 0;
            for (int k = 0; k < kRows; ++k) M[i][kCols] += A[k * kCols + i] * b[k];
        }
        for (int c = 0; c < kCols; ++c) {
            int p = c;
            for (int i = c + 1; i < kCols; ++i) {
                if (std::abs(M[i][c]) > std::abs(M[p][c])) p = i;
            }
            std::swap(M[c], M[p]);
            for (int i = 0; i < kCols; ++i) {
                if (i == c) continue;
                const double f = M[i][c] / M[c][c];
                for (int j = c; j <= kCols; ++j) M[i][j] -= f * M[c][j];
            }
        }
        for (int i = 0; i < kCols; ++i) w_star[i] = M[i][kCols] / M[i][i];
    }

    // grad = A^T (A w - b)
    Vec grad(const Vec& w) const {
        Vec r(kRows, 0.0), g(kCols, 0.0);
        for (int i = 0; i < kRows; ++i) {
            for (int j = 0; j < kCols; ++j) r[i] += A[i * kCols + j] * w[j];
            r[i] -= b[i];
        }
        for (int j = 0; j < kCols; ++j) {
            for (int i = 0; i < kRows; ++i) g[j] += A[i * kCols + j] * r[i];
        }
        return g;
    }
};

struct Case {
    const char* name;
    opt::Config config;
};
// gtest prints a parameter into the test's name: the case name, not the struct's bytes.
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class Minimises : public ::testing::TestWithParam<Case> {};

// The parameters are w split in two tensors, {2} and {1, 3}, to exercise several parameters.
template <typename T>
double distance_to_optimum(const opt::Config& cfg) {
    const Quadratic q;
    std::vector<Tensor<T>> params = {Tensor<T>({2}, HOST), Tensor<T>({1, 3}, HOST)};
    std::vector<Tensor<T>> grads = {Tensor<T>({2}, HOST), Tensor<T>({1, 3}, HOST)};
    auto o = opt::make_optimizer<T>(cfg);
    const int epochs = 20, steps_per_epoch = 150;
    for (int e = 0; e < epochs; ++e) {
        o->set_learning_rate(static_cast<T>(opt::scheduled_lr(cfg, e)));
        for (int s = 0; s < steps_per_epoch; ++s) {
            Vec w;
            for (const auto& p : params) {
                for (T x : p.to_vector()) w.push_back(static_cast<double>(x));
            }
            const Vec g = q.grad(w);
            for (int j = 0; j < kCols; ++j) {
                (j < 2 ? grads[0] : grads[1]).set_flat(j < 2 ? j : j - 2, static_cast<T>(g[j]));
            }
            o->step(params, grads);
        }
    }
    double d2 = 0;
    for (int j = 0; j < kCols; ++j) {
        const double wj = (j < 2 ? params[0] : params[1]).get_flat(j < 2 ? j : j - 2);
        d2 += (wj - q.w_star[j]) * (wj - q.w_star[j]);
    }
    return std::sqrt(d2);
}

TEST_P(Minimises, Double) { EXPECT_LT(distance_to_optimum<double>(GetParam().config), 1e-8); }

TEST_P(Minimises, Float) { EXPECT_LT(distance_to_optimum<float>(GetParam().config), 1e-5); }

const opt::Schedule kCosine = opt::Schedule::cosine(20);

INSTANTIATE_TEST_SUITE_P(
    Optimizers, Minimises,
    ::testing::Values(
        Case{"sgd", opt::sgd(0.3)}, Case{"sgd_momentum", opt::sgd(0.05, 0.9)},
        Case{"sgd_nesterov", opt::sgd(0.05, 0.9, true)},
        Case{"sgd_step_schedule", opt::sgd(0.4).with_schedule(opt::Schedule::step(5, 0.5))},
        Case{"sgd_clipped", opt::sgd(0.3, 0.5).with_clip_norm(0.5)},
        Case{"adam", opt::adam(0.05).with_schedule(kCosine)},
        Case{"adamw_no_decay", opt::adamw(0.05, 0.9, 0.999, 1e-8, 0.0).with_schedule(kCosine)},
        Case{"rmsprop", opt::rmsprop(0.01).with_schedule(kCosine)},
        Case{"rmsprop_momentum", opt::rmsprop(0.005, 0.99, 1e-8, 0.5).with_schedule(kCosine)},
        Case{"adagrad", opt::adagrad(0.5)}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

}  // namespace
