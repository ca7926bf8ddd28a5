#pragma once
// Private (builds with MAGMADNN_WITH_CUDNN): 2-D max and average pooling through cuDNN for tensors
// in GPU memory (DEVICE, MANAGED, CUDA_MANAGED: the device side of each), NCHW, f32 and f64. Max
// windows are deterministic and the average counts padding as zeros, as on the host. A relu the
// node absorbed from its input runs as one small pass over the pooled output and a mask on its
// gradient (pool2d_cudnn_kernels.cu). Everything runs on the default stream, as the rest of the
// CUDA code; cuDNN failures throw DeviceError naming the op, the shapes and cudnnGetErrorString.

#include <array>
#include <memory>
#include <string>

#include "magmadnn/core/tensor.h"

namespace magmadnn::conv::cudnn {

struct PoolShape {
    index_t n = 1, c = 1, h = 1, w = 1;
    std::array<index_t, 2> kernel{1, 1}, stride{1, 1}, padding{0, 0};
    index_t out_h = 1, out_w = 1;
    bool max = true;  // else average, padding counted as zeros
};

template <typename T>
class Pool2d {
  public:
    Pool2d(const PoolShape& s, std::string who);
    ~Pool2d();
    Pool2d(Pool2d&&) noexcept;
    Pool2d& operator=(Pool2d&&) noexcept;

    // y = pool(x), then max(y, 0) when `relu` (a relu the node absorbed from its input).
    void forward(const Tensor<T>& x, Tensor<T>& y, bool relu);
    // dx from dy, with x and y as forward left them; with `relu` only outputs > 0 pass.
    void backward(const Tensor<T>& x, const Tensor<T>& y, const Tensor<T>& dy, Tensor<T>& dx,
                  bool relu);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace magmadnn::conv::cudnn
