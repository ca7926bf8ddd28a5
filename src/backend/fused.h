#pragma once
// Private: fused elementwise kernels, out = act(a + b) in one broadcasting pass (op::linear's bias
// add and activation). Rows: X(name, functor, the activation's unary row); functors in
// functors.h. tests/backend/elementwise_test.cpp checks each against its two-pass composition.

#include "magmadnn/backend/math.h"

#define MAGMADNN_FUSED_OPS(X)  \
    X(add_relu, AddRelu, relu) \
    X(add_tanh, AddTanh, tanh) \
    X(add_sigmoid, AddSigmoid, sigmoid)

namespace magmadnn::math {

#define MAGMADNN_ENUM_ROW(name, ...) name,
enum class FusedOp { MAGMADNN_FUSED_OPS(MAGMADNN_ENUM_ROW) };
#undef MAGMADNN_ENUM_ROW

#define MAGMADNN_LIST_ROW(name, ...) FusedOp::name,
inline constexpr FusedOp all_fused_ops[] = {MAGMADNN_FUSED_OPS(MAGMADNN_LIST_ROW)};
#undef MAGMADNN_LIST_ROW

constexpr const char* to_string(FusedOp op) {
    switch (op) {
#define MAGMADNN_NAME_ROW(name, ...) \
    case FusedOp::name:              \
        return #name;
        MAGMADNN_FUSED_OPS(MAGMADNN_NAME_ROW)
#undef MAGMADNN_NAME_ROW
    }
    return "?";
}

// The activation applied after the add.
constexpr UnaryOp activation_of(FusedOp op) {
    switch (op) {
#define MAGMADNN_ACT_ROW(name, fwd, act) \
    case FusedOp::name:                  \
        return UnaryOp::act;
        MAGMADNN_FUSED_OPS(MAGMADNN_ACT_ROW)
#undef MAGMADNN_ACT_ROW
    }
    return UnaryOp::identity;
}

// out = act(a + b) with numpy broadcasting; out's shape must be the broadcast shape, out may be a.
template <typename T>
void fused_binary(FusedOp op, const Tensor<T>& a, const Tensor<T>& b, Tensor<T>& out);

}  // namespace magmadnn::math
