#pragma once
// The f64 finite-difference gradient check shared by the op tests. The loss is sum(w .* f(x))
// with random w, so every output element's gradient is exercised. Central differences with step
// h have truncation error O(h^2 f''') and rounding error O(eps / h); with h = 1e-6 and O(1)
// inputs both stay below 1e-8, so the default bound is 1e-6 relative (absolute below 1).

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "magmadnn.h"
#include "test_util.h"

namespace magmadnn::test {

using OpD = op::OpPtr<double>;

// Uniform random f64 inputs for the checks.
inline Tensor<double> rnd(const Shape& s, std::uint32_t seed, double lo = -1, double hi = 1) {
    return random_tensor<double>(s, seed, lo, hi);
}

using Builder = std::function<OpD(const std::vector<OpD>&)>;

inline void check_gradients(const Builder& build, std::vector<Tensor<double>> inputs,
                            bool optimize_graph = false, double h = 1e-6, double tol = 1e-6) {
    std::vector<OpD> vars;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        std::string name = "x";
        name += std::to_string(i);  // (operator+ on a literal trips GCC 12's -Wrestrict)
        vars.push_back(op::var<double>(name, inputs[i]));
    }
    OpD out = build(vars);
    const auto w = random_tensor<double>(out->shape(), 991);
    OpD loss = op::reduce_sum(op::product(out, op::var<double>("w", w)));
    if (optimize_graph) op::optimize(loss);
    loss->eval();
    op::GradTable<double> table;
    op::get_grad_table(vars, loss, table);
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        const Tensor<double> analytic = table.get(vars[i]).clone();
        ASSERT_EQ(analytic.shape(), inputs[i].shape()) << "input " << i;
        Tensor<double> x = inputs[i];
        for (index_t k = 0; k < x.size(); ++k) {
            const double orig = x.get_flat(k);
            x.set_flat(k, orig + h);
            const double lp = loss->eval().get_flat(0);
            x.set_flat(k, orig - h);
            const double lm = loss->eval().get_flat(0);
            x.set_flat(k, orig);
            const double fd = (lp - lm) / (2 * h);
            EXPECT_NEAR(analytic.get_flat(k), fd, tol * std::max(1.0, std::fabs(fd)))
                << out->name() << ": input " << i << " element " << k;
        }
    }
}

}  // namespace magmadnn::test
