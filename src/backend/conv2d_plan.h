#pragma once
// Private: one 2-D convolution (with an optional per-channel bias) behind one entry per pass, for
// the conv2d graph node. The device is chosen here, once per plan: cuDNN
// (backend/cuda/conv2d_cudnn) for tensors in GPU memory in a cuDNN build, which times its own
// algorithm per pass whatever algorithm was named (CPU names never break a device graph); else
// the host algorithms (conv:: in backend/conv2d_dispatch.cpp, chosen by measurement on the first
// pass unless the caller named one), with GPU tensors staged through host buffers the plan keeps.

#include <memory>
#include <string>

#include "magmadnn/core/tensor.h"
#include "magmadnn/op/conv.h"

namespace magmadnn::conv {

template <typename T>
class Conv2dPlan {
  public:
    // `algo`: the host algorithm to run (automatic: measured on the first pass; cudnn means
    // automatic on the host). `memory`: where the node's tensors live; `who` names the op in
    // errors.
    Conv2dPlan(const Shape2d& p, Algo algo, memory_t memory, std::string who);
    ~Conv2dPlan();
    Conv2dPlan(Conv2dPlan&&) noexcept;
    Conv2dPlan& operator=(Conv2dPlan&&) noexcept;

    // automatic until the first pass has chosen; cudnn once a GPU plan has run.
    Algo algorithm() const;

    // y = conv(x, w) (+ b per channel when `b` is given). Outputs are overwritten.
    void forward(const Tensor<T>& x, const Tensor<T>& w, const Tensor<T>* b, Tensor<T>& y);
    // db = dy summed over images and positions.
    void backward_bias(const Tensor<T>& dy, Tensor<T>& db);
    // dw for the forward pass's x (the im2col columns of that pass are reused).
    void backward_weights(const Tensor<T>& x, const Tensor<T>& dy, Tensor<T>& dw);
    void backward_data(const Tensor<T>& dy, const Tensor<T>& w, Tensor<T>& dx);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace magmadnn::conv
