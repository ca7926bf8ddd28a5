#pragma once
// Private: host staging for kernels that run on the host. A tensor already on the host is used
// in place; one in GPU memory is copied through a buffer the caller keeps.
#include "magmadnn/core/tensor.h"

namespace magmadnn {

template <typename T>
const Tensor<T>& on_host(const Tensor<T>& t, Tensor<T>& stage) {
    if (t.memory() == HOST) return t;
    if (stage.empty()) stage = Tensor<T>(t.shape(), HOST);
    stage.copy_from(t);
    return stage;
}

template <typename T>
Tensor<T>& host_out(Tensor<T>& t, Tensor<T>& stage) {
    if (t.memory() == HOST) return t;
    if (stage.empty()) stage = Tensor<T>(t.shape(), HOST);
    return stage;
}

}  // namespace magmadnn
