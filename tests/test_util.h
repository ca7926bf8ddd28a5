#pragma once
// Shared test helpers: GPU skips, a seeded random tensor, a relative error.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "magmadnn.h"

#define MAGMADNN_SKIP_WITHOUT_GPU()                                                       \
    do {                                                                                  \
        if (!::magmadnn::has_device()) {                                                  \
            GTEST_SKIP() << (::magmadnn::cuda_compiled()                                  \
                                 ? "no CUDA device present on this machine"               \
                                 : "this build has no CUDA support (MAGMADNN_CUDA=OFF)"); \
        }                                                                                 \
    } while (0)

namespace magmadnn::test {

template <typename T>
Tensor<T> random_tensor(const Shape& shape, std::uint32_t seed, double lo = -1.0, double hi = 1.0) {
    std::mt19937 gen(seed);
    std::uniform_real_distribution<double> dist(lo, hi);
    Tensor<T> t(shape, HOST);
    T* p = t.data();
    for (index_t i = 0; i < t.size(); ++i) p[i] = static_cast<T>(dist(gen));
    return t;
}

// max |a - ref| / max |ref| (the absolute error where ref is all zero), any memory.
template <typename T>
double rel_error(const Tensor<T>& a, const Tensor<T>& ref) {
    EXPECT_EQ(a.size(), ref.size());
    const std::vector<T> x = a.to_vector(), r = ref.to_vector();
    double e = 0, m = 0;
    for (std::size_t i = 0; i < x.size() && i < r.size(); ++i) {
        e = std::max(e, std::fabs(double(x[i]) - double(r[i])));
        m = std::max(m, std::fabs(double(r[i])));
    }
    return m > 0 ? e / m : e;
}

}  // namespace magmadnn::test
