#pragma once
// Private: the conv2d bias on host pointers, y and dy {n, k, oh, ow}. The GPU's are bias_add and
// bias_grad in backend/cuda/conv2d_cudnn_kernels.h, which sum in double too.

#include "magmadnn/op/conv.h"

namespace magmadnn::conv::cpu {

// y += b {k} per channel.
template <typename T>
void bias_add(const Shape2d& p, const T* b, T* y);
// db {k} = dy summed over images and positions.
template <typename T>
void bias_grad(const Shape2d& p, const T* dy, T* db);

}  // namespace magmadnn::conv::cpu
