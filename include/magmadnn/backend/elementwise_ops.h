#pragma once
// The elementwise ops, one row each. The enums, their names, the CPU and GPU kernels' dispatch
// (src/backend/functors.h), the graph node's gradient (src/op/elementwise.cpp) and the tests
// that walk every op (tests/backend/elementwise_test.cpp, gpu_backend_test.cpp,
// tests/op/gradient_check_test.cpp) are all generated from these rows, so a new op is one row
// here plus its functors, and none of its kernels or tests can be left out. The gradient kernels
// and op::linear's fused bias + activation kernels are private (src/backend/grad.h, fused.h).
//
// Unary rows: X(name, forward functor, gradient functor, what the gradient reads, domain).
// The gradient functor maps (x, y, g) to dx for y = op(x) and the incoming gradient g; it reads
// `nothing` but g, the `input` x, the `output` y, or `both`. The domain is the inputs the tests
// draw from: `any` (both signs, away from 0) or `positive`. Functors live in
// src/backend/functors.h.
#define MAGMADNN_UNARY_OPS(X)                                                      \
    X(identity, Identity, GradIdentity, nothing, any)                              \
    X(neg, Neg, GradNeg, nothing, any)                                             \
    X(abs, Abs, GradAbs, input, any)                                               \
    X(exp, Exp, GradExp, output, any)                                              \
    X(log, Log, GradLog, input, positive)                                          \
    X(sqrt, Sqrt, GradSqrt, output, positive)                                      \
    X(square, Square, GradSquare, input, any)                                      \
    X(reciprocal, Reciprocal, GradReciprocal, output, any)                         \
    X(tanh, Tanh, GradTanh, output, any)                                           \
    X(sigmoid, Sigmoid, GradSigmoid, output, any)                                  \
    X(relu, Relu, GradRelu, input, any)                                            \
    X(leaky_relu, LeakyRelu, GradLeakyRelu, input, any)      /* param: slope */    \
    X(gelu, Gelu, GradGelu, input, any)                      /* exact: x Phi(x) */ \
    X(add_scalar, AddScalar, GradIdentity, nothing, any)     /* x + param */       \
    X(mul_scalar, MulScalar, GradMulScalar, nothing, any)    /* x * param */       \
    X(pow_scalar, PowScalar, GradPowScalar, input, positive) /* x ^ param */       \
    X(rsub_scalar, RsubScalar, GradNeg, nothing, any)        /* param - x */       \
    X(rdiv_scalar, RdivScalar, GradRdivScalar, both, any)    /* param / x */

// Binary rows: X(name, forward functor, gradient functor by a, by b, domain). Broadcasting.
// A gradient functor maps (a, b, z, g) to the partial of z = op(a, b) by its input times the
// incoming gradient g, at one element of z's shape (the graph sums it over broadcast axes). The
// domain is that of a, as for unary rows; b is drawn from `any`.
#define MAGMADNN_BINARY_OPS(X)                                         \
    X(add, Add, GradPass, GradPass, any)                               \
    X(sub, Sub, GradPass, GradNegPass, any)                            \
    X(mul, Mul, GradMulA, GradMulB, any)                               \
    X(div, Div, GradDivA, GradDivB, any)                               \
    X(pow, Pow, GradPowA, GradPowB, positive)                          \
    X(maximum, Maximum, GradMaximumA, GradMaximumB, any) /* ties: b */ \
    X(minimum, Minimum, GradMinimumA, GradMinimumB, any) /* ties: b */

namespace magmadnn::math {

#define MAGMADNN_ENUM_ROW(name, ...) name,
enum class UnaryOp { MAGMADNN_UNARY_OPS(MAGMADNN_ENUM_ROW) };
enum class BinaryOp { MAGMADNN_BINARY_OPS(MAGMADNN_ENUM_ROW) };
#undef MAGMADNN_ENUM_ROW

// What a unary op's gradient reads besides the incoming gradient.
enum class GradReads { nothing, input, output, both };
// The inputs an op is defined and differentiable on, as the tests sample them.
enum class Domain { any, positive };

#define MAGMADNN_LIST_ROW(name, ...) UnaryOp::name,
inline constexpr UnaryOp all_unary_ops[] = {MAGMADNN_UNARY_OPS(MAGMADNN_LIST_ROW)};
#undef MAGMADNN_LIST_ROW
#define MAGMADNN_LIST_ROW(name, ...) BinaryOp::name,
inline constexpr BinaryOp all_binary_ops[] = {MAGMADNN_BINARY_OPS(MAGMADNN_LIST_ROW)};
#undef MAGMADNN_LIST_ROW

constexpr const char* to_string(UnaryOp op) {
    switch (op) {
#define MAGMADNN_NAME_ROW(name, ...) \
    case UnaryOp::name:              \
        return #name;
        MAGMADNN_UNARY_OPS(MAGMADNN_NAME_ROW)
#undef MAGMADNN_NAME_ROW
    }
    return "?";
}

constexpr const char* to_string(BinaryOp op) {
    switch (op) {
#define MAGMADNN_NAME_ROW(name, ...) \
    case BinaryOp::name:             \
        return #name;
        MAGMADNN_BINARY_OPS(MAGMADNN_NAME_ROW)
#undef MAGMADNN_NAME_ROW
    }
    return "?";
}

constexpr GradReads grad_reads(UnaryOp op) {
    switch (op) {
#define MAGMADNN_READS_ROW(name, fwd, grad, reads, domain) \
    case UnaryOp::name:                                    \
        return GradReads::reads;
        MAGMADNN_UNARY_OPS(MAGMADNN_READS_ROW)
#undef MAGMADNN_READS_ROW
    }
    return GradReads::both;
}

constexpr Domain domain(UnaryOp op) {
    switch (op) {
#define MAGMADNN_DOMAIN_ROW(name, fwd, grad, reads, domain) \
    case UnaryOp::name:                                     \
        return Domain::domain;
        MAGMADNN_UNARY_OPS(MAGMADNN_DOMAIN_ROW)
#undef MAGMADNN_DOMAIN_ROW
    }
    return Domain::positive;
}

// The domain of a binary op's first input.
constexpr Domain domain(BinaryOp op) {
    switch (op) {
#define MAGMADNN_DOMAIN_ROW(name, fwd, grad_a, grad_b, domain) \
    case BinaryOp::name:                                       \
        return Domain::domain;
        MAGMADNN_BINARY_OPS(MAGMADNN_DOMAIN_ROW)
#undef MAGMADNN_DOMAIN_ROW
    }
    return Domain::positive;
}

}  // namespace magmadnn::math
