// CPU reductions, argmax and softmax. Sums accumulate in double: a mean over 60,000 f32 values
// keeps its digits.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "../kernels.h"

namespace magmadnn::math::cpu {

namespace {
constexpr index_t kParallelThreshold = 1 << 15;
}  // namespace

template <typename T>
void reduce(ReduceOp op, index_t outer, index_t len, index_t inner, const T* x, T* out) {
    const bool parallel = outer * len * inner > kParallelThreshold;
    if (inner == 1) {
#pragma omp parallel for if (parallel)
        for (index_t o = 0; o < outer; ++o) {
            const T* row = x + o * len;
            if (op == ReduceOp::sum || op == ReduceOp::mean) {
                double acc = 0.0;
#pragma omp simd reduction(+ : acc)
                for (index_t i = 0; i < len; ++i) acc += static_cast<double>(row[i]);
                out[o] = static_cast<T>(op == ReduceOp::mean ? acc / double(len) : acc);
            } else {
                T best = row[0];
                for (index_t i = 1; i < len; ++i) {
                    best = op == ReduceOp::max ? std::max(best, row[i]) : std::min(best, row[i]);
                }
                out[o] = best;
            }
        }
        return;
    }
#pragma omp parallel if (parallel)
    {
        std::vector<double> acc(static_cast<std::size_t>(inner));
#pragma omp for
        for (index_t o = 0; o < outer; ++o) {
            const T* block = x + o * len * inner;
            T* dst = out + o * inner;
            if (op == ReduceOp::sum || op == ReduceOp::mean) {
                std::fill(acc.begin(), acc.end(), 0.0);
                for (index_t l = 0; l < len; ++l) {
                    const T* row = block + l * inner;
#pragma omp simd
                    for (index_t i = 0; i < inner; ++i) acc[i] += static_cast<double>(row[i]);
                }
                const double scale = op == ReduceOp::mean ? 1.0 / double(len) : 1.0;
                for (index_t i = 0; i < inner; ++i) dst[i] = static_cast<T>(acc[i] * scale);
            } else {
                std::copy(block, block + inner, dst);
                for (index_t l = 1; l < len; ++l) {
                    const T* row = block + l * inner;
                    for (index_t i = 0; i < inner; ++i) {
                        dst[i] = op == ReduceOp::max ? std::max(dst[i], row[i])
                                                     : std::min(dst[i], row[i]);
                    }
                }
            }
        }
    }
}

template <typename T>
void argmax(index_t outer, index_t len, index_t inner, const T* x, std::int32_t* out) {
#pragma omp parallel for collapse(2) if (outer * len * inner > kParallelThreshold)
    for (index_t o = 0; o < outer; ++o) {
        for (index_t i = 0; i < inner; ++i) {
            const T* p = x + o * len * inner + i;
            index_t best = 0;
            for (index_t l = 1; l < len; ++l) {
                if (p[l * inner] > p[best * inner]) best = l;
            }
            out[o * inner + i] = static_cast<std::int32_t>(best);
        }
    }
}

template <typename T>
void softmax(index_t rows, index_t cols, const T* x, T* y, bool log) {
#pragma omp parallel for if (rows * cols > kParallelThreshold)
    for (index_t r = 0; r < rows; ++r) {
        const T* in = x + r * cols;
        T* o = y + r * cols;
        T m = -std::numeric_limits<T>::infinity();
        for (index_t j = 0; j < cols; ++j) m = std::max(m, in[j]);
        T total = 0;
        for (index_t j = 0; j < cols; ++j) {
            const T e = std::exp(in[j] - m);
            if (!log) o[j] = e;
            total += e;
        }
        if (log) {
            const T lse = m + std::log(total);
            for (index_t j = 0; j < cols; ++j) o[j] = in[j] - lse;
        } else {
            const T inv = T(1) / total;
            for (index_t j = 0; j < cols; ++j) o[j] *= inv;
        }
    }
}

#define MAGMADNN_INSTANTIATE(T)                                                  \
    template void reduce<T>(ReduceOp, index_t, index_t, index_t, const T*, T*);  \
    template void argmax<T>(index_t, index_t, index_t, const T*, std::int32_t*); \
    template void softmax<T>(index_t, index_t, const T*, T*, bool);
MAGMADNN_INSTANTIATE(float)
MAGMADNN_INSTANTIATE(double)
#undef MAGMADNN_INSTANTIATE

}  // namespace magmadnn::math::cpu
