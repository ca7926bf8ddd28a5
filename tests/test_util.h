#pragma once
// Shared test helpers: GPU skips and a seeded random tensor.

#include <gtest/gtest.h>

#include <random>

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

}  // namespace magmadnn::test
