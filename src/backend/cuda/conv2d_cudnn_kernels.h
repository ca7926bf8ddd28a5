#pragma once
// Private: the small elementwise kernels around the cuDNN convolution calls (the bias and its
// gradient). Raw device pointers, default stream.

#include "magmadnn/core/types.h"

namespace magmadnn::conv::cudnn::kernels {

// y {n, k, hw} += b {k} per channel.
template <typename T>
void bias_add(index_t n, index_t k, index_t hw, const T* b, T* y);
// db {k} = sum of dy {n, k, hw} over n and hw (accumulated in double, as the CPU path).
template <typename T>
void bias_grad(index_t n, index_t k, index_t hw, const T* dy, T* db);

}  // namespace magmadnn::conv::cudnn::kernels
