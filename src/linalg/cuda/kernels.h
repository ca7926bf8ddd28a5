#pragma once
// Private (CUDA builds only): small device kernels the linear-algebra layer needs beside the
// libraries. Declared without CUDA headers so .cpp files can call them.
#ifdef MAGMADNN_WITH_CUDA
#include "magmadnn/core/types.h"

namespace magmadnn::linalg::cuda {

// Each row-major {rows, cols} matrix of a batch: zero the strict upper (j > i) or strict lower
// (j < i) triangle.
template <typename T>
void zero_triangle(index_t batch, index_t rows, index_t cols, T* a, bool upper);
// dst[b] = src[b]^T for a batch of row-major {rows, cols} matrices.
template <typename T>
void transpose_batched(index_t batch, index_t rows, index_t cols, const T* src, T* dst);

// Scans on the device that send back one index (8 bytes) instead of the data: the smallest i
// with p[i] not finite (NaN or infinity), or -1.
template <typename T>
index_t first_nonfinite(index_t n, const T* p);
// The smallest i < k whose diagonal element a[i * (ld + 1)] of a column-major matrix is exactly
// zero, or -1 (a triangular factor that cannot be solved with).
template <typename T>
index_t first_zero_diagonal(index_t k, const T* a, index_t ld);

}  // namespace magmadnn::linalg::cuda
#endif
