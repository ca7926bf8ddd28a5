#pragma once
// Private: batch normalisation over axis 1 of {n, c, inner} on host pointers, one OpenMP
// iteration per channel. Statistics and gradient sums are accumulated in double; the GPU path is
// backend/cuda/batchnorm_cudnn.h, with the same semantics.

#include "magmadnn/core/types.h"

namespace magmadnn::batchnorm::cpu {

struct BatchNormShape {
    index_t n = 0, c = 0, inner = 1;  // inner: the product of the extents after the channel
};

// y = gamma * xhat + beta with xhat = (x - mean) / sqrt(var + eps); xhat and invstd {c} =
// 1 / sqrt(var + eps) are kept for the backward pass. Training takes the batch mean and biased
// variance and moves running_mean / running_var (in place) towards the batch mean and unbiased
// variance by `momentum`; inference normalises by the running statistics.
template <typename T>
void batchnorm_forward(const BatchNormShape& s, bool training, double momentum, double eps,
                       const T* x, const T* gamma, const T* beta, T* running_mean, T* running_var,
                       T* xhat, T* y, double* invstd);

// Per channel: sum_g = sum of g (dbeta) and sum_gx = sum of g * xhat (dgamma).
template <typename T>
void batchnorm_channel_sums(const BatchNormShape& s, const T* g, const T* xhat, double* sum_g,
                            double* sum_gx);

// dx for the output gradient g, from the sums above; in training the batch statistics depend on
// x too.
template <typename T>
void batchnorm_backward_data(const BatchNormShape& s, bool training, const T* g, const T* xhat,
                             const T* gamma, const double* invstd, const double* sum_g,
                             const double* sum_gx, T* dx);

}  // namespace magmadnn::batchnorm::cpu
