#pragma once
// The op set. Each function builds a node and computes nothing; shapes are checked here, at
// build time, with errors that name the op and the shapes.

#include <cstdint>
#include <string>

#include "magmadnn/backend/math.h"
#include "magmadnn/core/init.h"
#include "magmadnn/op/activation.h"
#include "magmadnn/op/operation.h"

namespace magmadnn::op {

// --- variables ---
// A variable holding a new tensor of `shape` filled by `filler` (the seed's op::var).
template <typename T>
OpPtr<T> var(const std::string& name, const Shape& shape, const Filler& filler = {NONE, {}},
             memory_t memory = HOST);
// A variable wrapping an existing tensor (shares its storage).
template <typename T>
OpPtr<T> var(const std::string& name, const Tensor<T>& value);
template <typename T>
OpPtr<T> scalar(const std::string& name, T value, memory_t memory = HOST);
// The tensor a variable holds (writes to it change the variable). ValueError for other nodes.
template <typename T>
Tensor<T> value_of(const OpPtr<T>& variable);

// --- elementwise, with numpy broadcasting for two operands ---
template <typename T>
OpPtr<T> add(const OpPtr<T>& a, const OpPtr<T>& b);
template <typename T>
OpPtr<T> sub(const OpPtr<T>& a, const OpPtr<T>& b);
template <typename T>
OpPtr<T> product(const OpPtr<T>& a, const OpPtr<T>& b);  // elementwise
template <typename T>
OpPtr<T> div(const OpPtr<T>& a, const OpPtr<T>& b);
template <typename T>
OpPtr<T> negate(const OpPtr<T>& x);
template <typename T>
OpPtr<T> add_scalar(const OpPtr<T>& x, T s);
template <typename T>
OpPtr<T> scalarproduct(T alpha, const OpPtr<T>& x);  // alpha * x
template <typename T>
OpPtr<T> pow(const OpPtr<T>& x, T exponent);
// Any unary op of the table in backend/elementwise_ops.h as a graph node, named after the op;
// its gradient is the table's.
template <typename T>
OpPtr<T> unary(const OpPtr<T>& x, math::UnaryOp op, T param = T(0));
// Any binary op of the table, broadcasting; its gradient is the table's, summed over the axes
// an input was broadcast along.
template <typename T>
OpPtr<T> binary(const OpPtr<T>& a, const OpPtr<T>& b, math::BinaryOp op);
template <typename T>
OpPtr<T> exp(const OpPtr<T>& x);
template <typename T>
OpPtr<T> log(const OpPtr<T>& x);
template <typename T>
OpPtr<T> tanh(const OpPtr<T>& x);
template <typename T>
OpPtr<T> sigmoid(const OpPtr<T>& x);
template <typename T>
OpPtr<T> relu(const OpPtr<T>& x);
template <typename T>
OpPtr<T> leaky_relu(const OpPtr<T>& x, T negative_slope = T(0.01));
template <typename T>
OpPtr<T> gelu(const OpPtr<T>& x);

// --- linear algebra and shapes ---
template <typename T>
OpPtr<T> matmul(const OpPtr<T>& a, const OpPtr<T>& b);  // 2-D
template <typename T>
OpPtr<T> transpose(const OpPtr<T>& x);  // 2-D
template <typename T>
OpPtr<T> reshape(const OpPtr<T>& x, const Shape& shape);  // -1 infers one extent
template <typename T>
OpPtr<T> flatten(const OpPtr<T>& x);  // {n, ...} -> {n, rest}

// --- reductions (axis = math::all_axes reduces to a scalar) ---
template <typename T>
OpPtr<T> reduce_sum(const OpPtr<T>& x, int axis = math::all_axes);
template <typename T>
OpPtr<T> mean(const OpPtr<T>& x, int axis = math::all_axes);

// --- along the last axis ---
template <typename T>
OpPtr<T> softmax(const OpPtr<T>& x);
template <typename T>
OpPtr<T> log_softmax(const OpPtr<T>& x);

// --- losses (scalars: means over the batch) ---
// -mean over rows of sum_j y_j log p_j, for probabilities p (the seed's argument order).
template <typename T>
OpPtr<T> crossentropy(const OpPtr<T>& ground_truth, const OpPtr<T>& predicted);
// The same on logits, fused with the softmax: stable, and its gradient is (softmax - y) / n.
template <typename T>
OpPtr<T> softmax_crossentropy(const OpPtr<T>& logits, const OpPtr<T>& ground_truth);
// mean((predicted - target)^2) over all elements.
template <typename T>
OpPtr<T> mse(const OpPtr<T>& predicted, const OpPtr<T>& target);

// --- network building blocks ---
using magmadnn::Activation;
// x {n, in} W {in, out} + b {out}, then the activation (linear, relu, tanh or sigmoid; another
// is a ValueError), in one node (bias may be null).
template <typename T>
OpPtr<T> linear(const OpPtr<T>& x, const OpPtr<T>& weight, const OpPtr<T>& bias,
                Activation activation = Activation::linear);
// Zeroes each element with probability `rate` in training mode and scales the rest by
// 1 / (1 - rate); the identity in inference mode.
template <typename T>
OpPtr<T> dropout(const OpPtr<T>& x, T rate, std::uint64_t seed = 0);

// Plans the graph under `root` for speed without changing its values: a relu, tanh or sigmoid
// whose input is a linear node read by nothing else is fused into that node (one pass over the
// output instead of two, forwards and backwards). Returns the number of fusions.
template <typename T>
int optimize(const OpPtr<T>& root);

}  // namespace magmadnn::op
#include "magmadnn/op/conv.h"
#include "magmadnn/op/linalg.h"
