#pragma once
// Private: the relu a max pooling node absorbed from its input, beside the cuDNN pooling calls.
// Raw device pointers, default stream.

#include "magmadnn/core/types.h"

namespace magmadnn::conv::cudnn::kernels {

// y = max(y, 0) in place.
template <typename T>
void relu_inplace(index_t count, T* y);
// out = y > 0 ? g : 0 (the gradient through a relu, from its output).
template <typename T>
void relu_mask(index_t count, const T* y, const T* g, T* out);

}  // namespace magmadnn::conv::cudnn::kernels
