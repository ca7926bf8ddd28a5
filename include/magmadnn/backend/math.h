#pragma once
// Tensor math on either backend. Each function checks shapes, then dispatches once: to the CPU
// kernels for HOST tensors, to the CUDA kernels for DEVICE / MANAGED / CUDA_MANAGED tensors.
// Outputs are written in place into tensors the caller owns, so a training step can reuse its
// buffers; the value-returning overloads allocate.

#include <cstdint>

#include "magmadnn/backend/elementwise_ops.h"
#include "magmadnn/core/tensor.h"

namespace magmadnn::math {

// UnaryOp and BinaryOp: the table in elementwise_ops.h (whose to_string overloads would hide
// the others).
using magmadnn::to_string;
enum class ReduceOp { sum, mean, max, min };

// The numpy broadcast of two shapes; throws ShapeError naming `op` if they do not broadcast.
Shape broadcast_shape(const Shape& a, const Shape& b, const char* op = "broadcast");

// out = op(x); out has x's shape and may be x itself.
template <typename T>
void unary(UnaryOp op, const Tensor<T>& x, Tensor<T>& out, T param = T(0));
template <typename T>
Tensor<T> unary(UnaryOp op, const Tensor<T>& x, T param = T(0));

// out = op(a, b) with numpy broadcasting; out's shape must be the broadcast shape.
template <typename T>
void binary(BinaryOp op, const Tensor<T>& a, const Tensor<T>& b, Tensor<T>& out, T param = T(0));
template <typename T>
Tensor<T> binary(BinaryOp op, const Tensor<T>& a, const Tensor<T>& b, T param = T(0));

template <typename T>
Tensor<T> add(const Tensor<T>& a, const Tensor<T>& b) {
    return binary(BinaryOp::add, a, b);
}
template <typename T>
Tensor<T> sub(const Tensor<T>& a, const Tensor<T>& b) {
    return binary(BinaryOp::sub, a, b);
}
template <typename T>
Tensor<T> mul(const Tensor<T>& a, const Tensor<T>& b) {
    return binary(BinaryOp::mul, a, b);
}
template <typename T>
Tensor<T> div(const Tensor<T>& a, const Tensor<T>& b) {
    return binary(BinaryOp::div, a, b);
}

// y = alpha * x + beta * y (same shapes).
template <typename T>
void axpby(T alpha, const Tensor<T>& x, T beta, Tensor<T>& y);

// Reduction over one axis (negative counts from the end); out has that axis removed, or kept
// as 1 with keepdims. axis = all_axes reduces everything to shape {} (one element).
inline constexpr int all_axes = 1 << 20;
template <typename T>
void reduce(ReduceOp op, const Tensor<T>& x, int axis, Tensor<T>& out);
template <typename T>
Tensor<T> reduce(ReduceOp op, const Tensor<T>& x, int axis = all_axes, bool keepdims = false);
template <typename T>
Tensor<T> sum(const Tensor<T>& x, int axis = all_axes, bool keepdims = false) {
    return reduce(ReduceOp::sum, x, axis, keepdims);
}
template <typename T>
Tensor<T> mean(const Tensor<T>& x, int axis = all_axes, bool keepdims = false) {
    return reduce(ReduceOp::mean, x, axis, keepdims);
}
template <typename T>
Tensor<T> max(const Tensor<T>& x, int axis = all_axes, bool keepdims = false) {
    return reduce(ReduceOp::max, x, axis, keepdims);
}

// Sums `x` over the axes along which `out`'s shape was broadcast to x's (the gradient of a
// broadcast). out's shape must broadcast to x's.
template <typename T>
void reduce_to_shape(const Tensor<T>& x, Tensor<T>& out);

// Index of the maximum along `axis` (first one on ties).
template <typename T>
Tensor<std::int32_t> argmax(const Tensor<T>& x, int axis = -1);

// Softmax and log-softmax along the last axis; out may be x.
template <typename T>
void softmax(const Tensor<T>& x, Tensor<T>& out);
template <typename T>
Tensor<T> softmax(const Tensor<T>& x);
template <typename T>
void log_softmax(const Tensor<T>& x, Tensor<T>& out);

// C = alpha * op(A) * op(B) + beta * C for 2-D tensors (op = transpose where asked).
template <typename T>
void matmul(T alpha, const Tensor<T>& A, bool trans_a, const Tensor<T>& B, bool trans_b, T beta,
            Tensor<T>& C);
template <typename T>
Tensor<T> matmul(const Tensor<T>& A, const Tensor<T>& B, bool trans_a = false,
                 bool trans_b = false);

// 2-D transpose into a new tensor.
template <typename T>
Tensor<T> transpose(const Tensor<T>& x);

// The library behind the host f32 GEMM ("onednn" or "openblas"); MAGMADNN_SGEMM overrides.
const char* host_sgemm_library();

}  // namespace magmadnn::math
