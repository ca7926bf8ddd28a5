#pragma once
// Private: the dropout kernel on host and GPU tensors. The keep decision of element i is the
// Philox draw (seed, stream, i) (core/random.h) on either side, so the forward and backward
// passes of one evaluation redraw the same mask instead of storing it, and a GPU run drops the
// same elements as a host run.

#include <cstdint>

#include "magmadnn/core/tensor.h"

namespace magmadnn::dropout {

// out[i] = x[i] / (1 - rate) where uniform(seed, stream, i) > rate, else 0; out may be x.
// Both in the same memory; `who` names the op in errors.
template <typename T>
void apply(const Tensor<T>& x, Tensor<T>& out, T rate, std::uint64_t seed, std::uint64_t stream,
           const char* who);

namespace cpu {
template <typename T>
void apply(index_t n, const T* x, T* out, T rate, std::uint64_t seed, std::uint64_t stream);
}  // namespace cpu

#ifdef MAGMADNN_WITH_CUDA
namespace cuda {
template <typename T>
void apply(index_t n, const T* x, T* out, T rate, std::uint64_t seed, std::uint64_t stream);
}  // namespace cuda
#endif

}  // namespace magmadnn::dropout
