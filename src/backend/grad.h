#pragma once
// Private: the elementwise gradient kernels behind the graph's Unary and Binary nodes, generated
// from the rows of magmadnn/backend/elementwise_ops.h.

#include "magmadnn/backend/math.h"

namespace magmadnn::math {

// The gradient of y = op(x): dx = g * op'(x), from x, y and the incoming gradient g (all one
// shape; grad_reads(op) says which of x and y it reads). dx may be g itself.
template <typename T>
void unary_grad(UnaryOp op, const Tensor<T>& x, const Tensor<T>& y, const Tensor<T>& g,
                Tensor<T>& dx, T param = T(0));

// The partial of z = op(a, b) by input `side` (0: a, 1: b) times the incoming gradient g, at
// every element of z's (broadcast) shape: z, g and out have z's shape, a and b broadcast to it.
// Summing out over the broadcast axes (reduce_to_shape) gives the input's gradient.
template <typename T>
void binary_grad(BinaryOp op, int side, const Tensor<T>& a, const Tensor<T>& b, const Tensor<T>& z,
                 const Tensor<T>& g, Tensor<T>& out);

}  // namespace magmadnn::math
