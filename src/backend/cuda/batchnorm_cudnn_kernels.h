#pragma once
// Private: the inference-mode batchnorm gradient beside the cuDNN batchnorm calls (cuDNN's
// backward always differentiates through the batch statistics). Raw device pointers, default
// stream; x and dy are {n, c, inner}.

#include "magmadnn/core/types.h"

namespace magmadnn::conv::cudnn::kernels {

// dx = dy * gamma[c] / sqrt(var[c] + eps).
template <typename T>
void batchnorm_scale_grad(index_t n, index_t c, index_t inner, const T* gamma, const T* var,
                          double eps, const T* dy, T* dx);
// dgamma[c] = sum dy * (x - mean[c]) / sqrt(var[c] + eps), dbeta[c] = sum dy, over n and inner
// (accumulated in double, as the host node).
template <typename T>
void batchnorm_param_grads(index_t n, index_t c, index_t inner, const T* x, const T* mean,
                           const T* var, double eps, const T* dy, T* dgamma, T* dbeta);

}  // namespace magmadnn::conv::cudnn::kernels
