#pragma once
// Private: 2-D pooling behind one entry per pass. The device is chosen here, once per plan:
// cuDNN (backend/cuda/pool2d_cudnn) for tensors in GPU memory in a cuDNN build, else the host
// kernels (backend/cpu/pool2d), with GPU tensors staged through host buffers the plan keeps.

#include <memory>
#include <string>

#include "magmadnn/core/tensor.h"
#include "magmadnn/op/conv.h"

namespace magmadnn::pool {

// Input {n, c, h, w}, output {n, c, out_h, out_w}.
struct Pool2dShape {
    index_t n = 1, c = 1, h = 1, w = 1, out_h = 1, out_w = 1;
    op::Pair kernel{1, 1}, stride{1, 1}, padding{0, 0};
    bool max = true;  // else average, padding counted as zeros
};

template <typename T>
class Pool2dPlan {
  public:
    // `memory`: where the node's tensors live; `who` names the op in errors.
    Pool2dPlan(const Pool2dShape& s, memory_t memory, std::string who);
    ~Pool2dPlan();
    Pool2dPlan(Pool2dPlan&&) noexcept;
    Pool2dPlan& operator=(Pool2dPlan&&) noexcept;

    // y = pool(x), then max(y, 0) when `relu` (a relu fused from the input:
    // max(relu(x)) = relu(max(x))).
    void forward(const Tensor<T>& x, Tensor<T>& y, bool relu);
    // dx for the output gradient dy, with x and y as forward left them; with `relu` only outputs
    // > 0 pass their gradient.
    void backward(const Tensor<T>& x, const Tensor<T>& y, const Tensor<T>& dy, Tensor<T>& dx,
                  bool relu);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace magmadnn::pool
