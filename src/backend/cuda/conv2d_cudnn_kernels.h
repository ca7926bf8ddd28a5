#pragma once
// Private: the small elementwise kernels around the cuDNN convolution and pooling calls (bias and
// its gradient, the relu a max pooling node absorbed). Raw device pointers, default stream.

#include "magmadnn/core/types.h"

namespace magmadnn::conv::cudnn::kernels {

// y {n, k, hw} += b {k} per channel.
template <typename T>
void bias_add(index_t n, index_t k, index_t hw, const T* b, T* y);
// db {k} = sum of dy {n, k, hw} over n and hw (accumulated in double, as the CPU path).
template <typename T>
void bias_grad(index_t n, index_t k, index_t hw, const T* dy, T* db);
// y = max(y, 0) in place.
template <typename T>
void relu_inplace(index_t count, T* y);
// out = y > 0 ? g : 0 (the gradient through a relu, from its output).
template <typename T>
void relu_mask(index_t count, const T* y, const T* g, T* out);

}  // namespace magmadnn::conv::cudnn::kernels
