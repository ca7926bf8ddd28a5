#pragma once
// Private: the raw-pointer kernels behind Optimizer::step and clip_grad_norm. optimizer.cpp
// checks shapes and memory, then calls one of these per parameter. The cuda:: set exists only
// in CUDA builds.

#include "magmadnn/core/types.h"
#include "rules.h"

namespace magmadnn::optimizer::detail {

namespace cpu {
// One step of h's rule over n elements; s1 / s2 are the rule's state (null where unused).
template <typename T>
void update(const Hyper<T>& h, index_t n, T* w, const T* g, T* s1, T* s2);
// Sum of x[i]^2, accumulated in double.
template <typename T>
double sum_squares(index_t n, const T* x);
}  // namespace cpu

#ifdef MAGMADNN_WITH_CUDA
namespace cuda {
template <typename T>
void update(const Hyper<T>& h, index_t n, T* w, const T* g, T* s1, T* s2);
// Adds the sum of x[i]^2 (in double) to *acc, a device pointer; asynchronous.
template <typename T>
void sum_squares(index_t n, const T* x, double* acc);
}  // namespace cuda
#endif

}  // namespace magmadnn::optimizer::detail
