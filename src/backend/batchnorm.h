#pragma once
// Private: batch normalisation over axis 1 of {n, c, ...} behind one entry per pass. The device
// is chosen here, once per plan: cuDNN (backend/cuda/batchnorm_cudnn.h) when every input is in
// GPU memory in a cuDNN build and training sees two or more values per channel (cuDNN's unbiased
// variance divides by n * inner - 1; the host uses the biased one for a single value); otherwise
// the host loops (backend/cpu/batchnorm.h), with GPU tensors staged through host buffers.

#include <memory>
#include <string>

#include "magmadnn/core/tensor.h"

namespace magmadnn::batchnorm {

template <typename T>
class BatchNormPlan {
  public:
    // `shape`: the input's; `inputs_in_gpu_memory`: whether x, gamma, beta and the running
    // statistics all are.
    BatchNormPlan(const Shape& shape, bool inputs_in_gpu_memory, double eps, std::string who);
    ~BatchNormPlan();
    BatchNormPlan(BatchNormPlan&&) noexcept;
    BatchNormPlan& operator=(BatchNormPlan&&) noexcept;

    // y from x; training normalises by the batch statistics and moves the running ones (in
    // place) towards them by `momentum`, inference uses the running ones.
    void forward(bool training, double momentum, const Tensor<T>& x, const Tensor<T>& gamma,
                 const Tensor<T>& beta, Tensor<T>& running_mean, Tensor<T>& running_var,
                 Tensor<T>& y);
    // dx, dgamma and dbeta (overwritten) for the output gradient g, after forward.
    void backward(bool training, const Tensor<T>& x, const Tensor<T>& gamma,
                  const Tensor<T>& running_mean, const Tensor<T>& running_var, const Tensor<T>& g,
                  Tensor<T>& dx, Tensor<T>& dgamma, Tensor<T>& dbeta);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace magmadnn::batchnorm
