#pragma once
// Private (builds with MAGMADNN_WITH_CUDNN): batch normalisation over axis 1 through cuDNN for
// tensors in GPU memory (DEVICE, MANAGED, CUDA_MANAGED: the device side of each), f32 and f64.
//
// The input {n, c, ...} is described to cuDNN as NCHW {n, c, inner, 1} (inner: the product of the
// trailing extents) in CUDNN_BATCHNORM_SPATIAL mode: one mean and variance per channel over n and
// inner. gamma, beta and the running statistics are {c} tensors of the data type (cuDNN asks for
// double parameters with double data and float with float data, so T fits both).
//
// Semantics are those of the host node (and PyTorch): training normalises by the batch mean and
// biased variance, and moves the running statistics towards the batch mean and the unbiased
// variance, running = (1 - momentum) * running + momentum * batch (cuDNN's
// exponentialAverageFactor is the momentum). Inference normalises by the running statistics.
// cuDNN needs at least two values per channel in training (the unbiased variance divides by
// n * inner - 1); the node stages smaller batches through the host.
//
// Everything runs on the default stream, as the rest of the CUDA code. cuDNN failures throw
// DeviceError naming the op, the shape and cudnnGetErrorString.

#include <memory>
#include <string>

#include "magmadnn/core/tensor.h"

namespace magmadnn::conv::cudnn {

template <typename T>
class BatchNorm {
  public:
    // `x_shape` {n, c, ...} with at least two axes; `who` names the op in error messages
    // ("op::batchnorm('x')").
    BatchNorm(const Shape& x_shape, double epsilon, std::string who);
    ~BatchNorm();
    BatchNorm(BatchNorm&&) noexcept;
    BatchNorm& operator=(BatchNorm&&) noexcept;

    // y = gamma * (x - mean_b) / sqrt(var_b + epsilon) + beta with the batch statistics; the
    // running statistics are updated in place, and the batch mean and 1 / sqrt(var_b + epsilon)
    // are kept for backward_training.
    void forward_training(const Tensor<T>& x, const Tensor<T>& gamma, const Tensor<T>& beta,
                          double momentum, Tensor<T>& running_mean, Tensor<T>& running_var,
                          Tensor<T>& y);
    // y = gamma * (x - running_mean) / sqrt(running_var + epsilon) + beta.
    void forward_inference(const Tensor<T>& x, const Tensor<T>& gamma, const Tensor<T>& beta,
                           const Tensor<T>& running_mean, const Tensor<T>& running_var,
                           Tensor<T>& y);
    // The gradient through the batch statistics of the last forward_training (x and gamma as
    // then). dx, dgamma and dbeta are overwritten.
    void backward_training(const Tensor<T>& x, const Tensor<T>& gamma, const Tensor<T>& dy,
                           Tensor<T>& dx, Tensor<T>& dgamma, Tensor<T>& dbeta);
    // The gradient with the running statistics as constants: dx = gamma * dy / sqrt(var + eps),
    // dgamma = sum dy * (x - mean) / sqrt(var + eps), dbeta = sum dy (sums in double).
    void backward_inference(const Tensor<T>& x, const Tensor<T>& gamma,
                            const Tensor<T>& running_mean, const Tensor<T>& running_var,
                            const Tensor<T>& dy, Tensor<T>& dx, Tensor<T>& dgamma,
                            Tensor<T>& dbeta);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace magmadnn::conv::cudnn
