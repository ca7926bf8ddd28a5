#pragma once
// Private (CUDA builds only): cuBLAS levels 1-2 on raw device pointers.
#ifdef MAGMADNN_WITH_CUDA
#include "magmadnn/core/types.h"

namespace magmadnn::linalg::cuda {

template <typename T>
T dot(index_t n, const T* x, const T* y);
template <typename T>
void axpy(index_t n, T alpha, const T* x, T* y);
template <typename T>
T nrm2(index_t n, const T* x);
// Row-major A {m, n}: y = alpha op(A) x + beta y.
template <typename T>
void gemv(bool trans, index_t m, index_t n, T alpha, const T* A, const T* x, T beta, T* y);

}  // namespace magmadnn::linalg::cuda
#endif
