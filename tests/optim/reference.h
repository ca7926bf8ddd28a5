#pragma once
// A plain scalar reference of each optimizer, written from torch.optim's documented algorithms
// (the pseudo-code on each class's page, bias corrections in their textbook form), plus helpers
// shared by the optimizer tests.

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "magmadnn/optim/optimizer.h"
#include "test_util.h"

namespace magmadnn::test {

using Vec = std::vector<double>;
using Vecs = std::vector<Vec>;

struct ReferenceOptimizer {
    optimizer::Config c;
    double lr;
    int t = 0;
    Vecs s1, s2;  // momentum buffer / first moment / square average / sum; second moment / buffer

    explicit ReferenceOptimizer(const optimizer::Config& cfg) : c(cfg), lr(cfg.learning_rate) {}

    void step(Vecs& w, Vecs g) {
        if (c.clip_norm > 0) {  // torch.nn.utils.clip_grad_norm_
            double total = 0;
            for (const Vec& v : g) {
                for (double x : v) total += x * x;
            }
            const double coef = c.clip_norm / (std::sqrt(total) + 1e-6);
            if (coef < 1) {
                for (Vec& v : g) {
                    for (double& x : v) x *= coef;
                }
            }
        }
        if (s1.empty()) {
            for (const Vec& v : w) {
                s1.emplace_back(v.size(), 0.0);
                s2.emplace_back(v.size(), 0.0);
            }
        }
        ++t;
        const double wd = c.weight_decay, mu = c.momentum, eps = c.eps;
        for (std::size_t p = 0; p < w.size(); ++p) {
            for (std::size_t i = 0; i < w[p].size(); ++i) {
                double& x = w[p][i];
                double d = g[p][i];
                double& a = s1[p][i];
                double& b = s2[p][i];
                switch (c.kind) {
                    case optimizer::Kind::sgd:
                        if (wd != 0) d += wd * x;
                        if (mu != 0) {
                            a = t == 1 ? d : mu * a + d;  // torch: buf = clone(d_p) on step 1
                            d = c.nesterov ? d + mu * a : a;
                        }
                        x -= lr * d;
                        break;
                    case optimizer::Kind::adam:
                    case optimizer::Kind::adamw: {
                        if (c.kind == optimizer::Kind::adamw) {
                            x *= 1 - lr * wd;
                        } else if (wd != 0) {
                            d += wd * x;
                        }
                        a = c.beta1 * a + (1 - c.beta1) * d;
                        b = c.beta2 * b + (1 - c.beta2) * d * d;
                        const double mhat = a / (1 - std::pow(c.beta1, t));
                        const double vhat = b / (1 - std::pow(c.beta2, t));
                        x -= lr * mhat / (std::sqrt(vhat) + eps);
                        break;
                    }
                    case optimizer::Kind::rmsprop:
                        if (wd != 0) d += wd * x;
                        a = c.alpha * a + (1 - c.alpha) * d * d;
                        if (mu > 0) {
                            b = mu * b + d / (std::sqrt(a) + eps);
                            x -= lr * b;
                        } else {
                            x -= lr * d / (std::sqrt(a) + eps);
                        }
                        break;
                    case optimizer::Kind::adagrad:
                        if (wd != 0) d += wd * x;
                        a += d * d;
                        x -= lr * d / (std::sqrt(a) + eps);
                        break;
                }
            }
        }
    }
};

template <typename T>
std::vector<Tensor<T>> to_tensors(const Vecs& v, const std::vector<Shape>& shapes,
                                  memory_t memory = HOST) {
    std::vector<Tensor<T>> out;
    for (std::size_t i = 0; i < v.size(); ++i) {
        std::vector<T> vals(v[i].begin(), v[i].end());
        out.push_back(Tensor<T>::from_vector(vals, shapes[i]).to(memory));
    }
    return out;
}

template <typename T>
Vecs to_vecs(const std::vector<Tensor<T>>& t) {
    Vecs out;
    for (const auto& x : t) {
        const auto v = x.to_vector();
        out.emplace_back(v.begin(), v.end());
    }
    return out;
}

inline Vec random_vec(std::size_t n, std::uint32_t seed, double lo = -1, double hi = 1) {
    std::mt19937 gen(seed);
    std::uniform_real_distribution<double> dist(lo, hi);
    Vec v(n);
    for (double& x : v) x = dist(gen);
    return v;
}

// Values rounded to T and back, so a reference in double starts from exactly the same numbers.
template <typename T>
Vecs rounded(Vecs v) {
    for (Vec& x : v) {
        for (double& e : x) e = static_cast<double>(static_cast<T>(e));
    }
    return v;
}

// Calls f and checks it throws E with every one of `parts` in its message.
template <typename E>
void expect_throw_with(const std::function<void()>& f, const std::vector<std::string>& parts) {
    try {
        f();
        ADD_FAILURE() << "no exception thrown (expected one mentioning '" << parts.at(0) << "')";
    } catch (const E& e) {
        const std::string msg = e.what();
        for (const auto& p : parts) {
            EXPECT_NE(msg.find(p), std::string::npos) << "'" << p << "' not in: " << msg;
        }
    } catch (const std::exception& e) {
        ADD_FAILURE() << "wrong exception type: " << e.what();
    }
}

}  // namespace magmadnn::test
