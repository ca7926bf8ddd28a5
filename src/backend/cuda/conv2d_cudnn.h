#pragma once
// Private (builds with MAGMADNN_WITH_CUDNN): convolution through cuDNN for tensors in GPU memory
// (DEVICE, MANAGED, CUDA_MANAGED: the device side of each), NCHW, f32 and f64. Pooling is
// pool2d_cudnn.h.
//
// A plan binds one problem to cuDNN descriptors. The algorithm of each convolution pass is chosen
// on the pass's first call by cuDNN's timed search (cudnnFind*AlgorithmEx) and cached for the
// process per (pass, shape, dtype, device). f32 runs with CUDNN_FMA_MATH: TF32 tensor cores would
// round the inputs to 10-bit mantissas, beyond conv::error_bound(Algo::cudnn, false).
// Everything runs on the default stream, as the rest of the CUDA code; the workspace comes from
// the device caching allocator (one buffer per thread and device, grown as needed).
// cuDNN failures throw DeviceError naming the op, the shapes and cudnnGetErrorString.

#include <memory>
#include <string>

#include "magmadnn/core/tensor.h"
#include "magmadnn/op/conv.h"

namespace magmadnn::conv::cudnn {

template <typename T>
class Conv2d {
  public:
    // `who` names the op in error messages ("op::conv2d('x')").
    Conv2d(const Shape2d& p, std::string who);
    ~Conv2d();
    Conv2d(Conv2d&&) noexcept;
    Conv2d& operator=(Conv2d&&) noexcept;

    // Outputs are overwritten. x {n, c, h, w}, w {k, c / groups, r, s}, y {n, k, oh, ow}.
    void forward(const Tensor<T>& x, const Tensor<T>& w, Tensor<T>& y);
    void backward_data(const Tensor<T>& dy, const Tensor<T>& w, Tensor<T>& dx);
    void backward_filter(const Tensor<T>& x, const Tensor<T>& dy, Tensor<T>& dw);
    // y += b {k} per channel; db = dy summed over images and positions.
    void add_bias(const Tensor<T>& b, Tensor<T>& y);
    void backward_bias(const Tensor<T>& dy, Tensor<T>& db);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// The conv:: passes on GPU tensors, through a plan per problem kept by the calling thread.
template <typename T>
void forward(const Shape2d& p, const Tensor<T>& x, const Tensor<T>& w, Tensor<T>& y);
template <typename T>
void backward_data(const Shape2d& p, const Tensor<T>& dy, const Tensor<T>& w, Tensor<T>& dx);
template <typename T>
void backward_weights(const Shape2d& p, const Tensor<T>& x, const Tensor<T>& dy, Tensor<T>& dw);

}  // namespace magmadnn::conv::cudnn
