#pragma once
// Private: the elementwise math, written once as host/device functors. The CPU kernels run them
// in OpenMP loops, the CUDA kernels in grid-stride loops, so CPU tests check the GPU's math too.

#include <cmath>

#include "fused.h"
#include "magmadnn/backend/math.h"
#include "magmadnn/core/half.h"

namespace magmadnn::math::fn {

template <typename T>
MAGMADNN_HD inline T normal_cdf(T x) {
    return T(0.5) * (T(1) + std::erf(x * T(0.70710678118654752440)));
}
template <typename T>
MAGMADNN_HD inline T normal_pdf(T x) {
    return T(0.39894228040143267794) * std::exp(T(-0.5) * x * x);
}

// clang-format off
template <typename T> struct Identity   { T p; MAGMADNN_HD T operator()(T x) const { return x; } };
template <typename T> struct Neg        { T p; MAGMADNN_HD T operator()(T x) const { return -x; } };
template <typename T> struct Abs        { T p; MAGMADNN_HD T operator()(T x) const { return std::abs(x); } };
template <typename T> struct Exp        { T p; MAGMADNN_HD T operator()(T x) const { return std::exp(x); } };
template <typename T> struct Log        { T p; MAGMADNN_HD T operator()(T x) const { return std::log(x); } };
template <typename T> struct Sqrt       { T p; MAGMADNN_HD T operator()(T x) const { return std::sqrt(x); } };
template <typename T> struct Square     { T p; MAGMADNN_HD T operator()(T x) const { return x * x; } };
template <typename T> struct Reciprocal { T p; MAGMADNN_HD T operator()(T x) const { return T(1) / x; } };
template <typename T> struct Tanh       { T p; MAGMADNN_HD T operator()(T x) const { return std::tanh(x); } };
template <typename T> struct Sigmoid    { T p; MAGMADNN_HD T operator()(T x) const { return T(1) / (T(1) + std::exp(-x)); } };
template <typename T> struct Relu       { T p; MAGMADNN_HD T operator()(T x) const { return x > T(0) ? x : T(0); } };
template <typename T> struct LeakyRelu  { T p; MAGMADNN_HD T operator()(T x) const { return x > T(0) ? x : p * x; } };
template <typename T> struct Gelu       { T p; MAGMADNN_HD T operator()(T x) const { return x * normal_cdf(x); } };
template <typename T> struct AddScalar  { T p; MAGMADNN_HD T operator()(T x) const { return x + p; } };
template <typename T> struct MulScalar  { T p; MAGMADNN_HD T operator()(T x) const { return x * p; } };
template <typename T> struct PowScalar  { T p; MAGMADNN_HD T operator()(T x) const { return std::pow(x, p); } };
template <typename T> struct RsubScalar { T p; MAGMADNN_HD T operator()(T x) const { return p - x; } };
template <typename T> struct RdivScalar { T p; MAGMADNN_HD T operator()(T x) const { return p / x; } };

template <typename T> struct Add     { T p; MAGMADNN_HD T operator()(T a, T b) const { return a + b; } };
template <typename T> struct Sub     { T p; MAGMADNN_HD T operator()(T a, T b) const { return a - b; } };
template <typename T> struct Mul     { T p; MAGMADNN_HD T operator()(T a, T b) const { return a * b; } };
template <typename T> struct Div     { T p; MAGMADNN_HD T operator()(T a, T b) const { return a / b; } };
template <typename T> struct Pow     { T p; MAGMADNN_HD T operator()(T a, T b) const { return std::pow(a, b); } };
template <typename T> struct Maximum { T p; MAGMADNN_HD T operator()(T a, T b) const { return a > b ? a : b; } };
template <typename T> struct Minimum { T p; MAGMADNN_HD T operator()(T a, T b) const { return a < b ? a : b; } };
// clang-format on

// The unary ops' gradients: (x, y = op(x), incoming g) -> dx. Each reads only what its row in
// elementwise_ops.h says (tests/backend/elementwise_test.cpp poisons the rest).
// clang-format off
template <typename T> struct GradIdentity   { T p; MAGMADNN_HD T operator()(T, T, T g) const { return g; } };
template <typename T> struct GradNeg        { T p; MAGMADNN_HD T operator()(T, T, T g) const { return -g; } };
template <typename T> struct GradAbs        { T p; MAGMADNN_HD T operator()(T x, T, T g) const { return x > T(0) ? g : (x < T(0) ? -g : T(0)); } };
template <typename T> struct GradExp        { T p; MAGMADNN_HD T operator()(T, T y, T g) const { return g * y; } };
template <typename T> struct GradLog        { T p; MAGMADNN_HD T operator()(T x, T, T g) const { return g / x; } };
template <typename T> struct GradSqrt       { T p; MAGMADNN_HD T operator()(T, T y, T g) const { return T(0.5) * g / y; } };
template <typename T> struct GradSquare     { T p; MAGMADNN_HD T operator()(T x, T, T g) const { return T(2) * x * g; } };
template <typename T> struct GradReciprocal { T p; MAGMADNN_HD T operator()(T, T y, T g) const { return -(g * y * y); } };
template <typename T> struct GradTanh       { T p; MAGMADNN_HD T operator()(T, T y, T g) const { return g * (T(1) - y * y); } };
template <typename T> struct GradSigmoid    { T p; MAGMADNN_HD T operator()(T, T y, T g) const { return g * y * (T(1) - y); } };
template <typename T> struct GradRelu       { T p; MAGMADNN_HD T operator()(T x, T, T g) const { return x > T(0) ? g : T(0); } };
template <typename T> struct GradLeakyRelu  { T p; MAGMADNN_HD T operator()(T x, T, T g) const { return x > T(0) ? g : p * g; } };
template <typename T> struct GradGelu       { T p; MAGMADNN_HD T operator()(T x, T, T g) const { return g * (normal_cdf(x) + x * normal_pdf(x)); } };
template <typename T> struct GradMulScalar  { T p; MAGMADNN_HD T operator()(T, T, T g) const { return p * g; } };
template <typename T> struct GradPowScalar  { T p; MAGMADNN_HD T operator()(T x, T, T g) const { return p * std::pow(x, p - T(1)) * g; } };
template <typename T> struct GradRdivScalar { T p; MAGMADNN_HD T operator()(T x, T y, T g) const { return -(g * y / x); } };
// clang-format on

// The binary ops' gradients: (a, b, z = op(a, b), incoming g) -> the partial by one input times g.
// clang-format off
template <typename T> struct GradPass     { T p; MAGMADNN_HD T operator()(T, T, T, T g) const { return g; } };
template <typename T> struct GradNegPass  { T p; MAGMADNN_HD T operator()(T, T, T, T g) const { return -g; } };
template <typename T> struct GradMulA     { T p; MAGMADNN_HD T operator()(T, T b, T, T g) const { return g * b; } };
template <typename T> struct GradMulB     { T p; MAGMADNN_HD T operator()(T a, T, T, T g) const { return g * a; } };
template <typename T> struct GradDivA     { T p; MAGMADNN_HD T operator()(T, T b, T, T g) const { return g / b; } };
template <typename T> struct GradDivB     { T p; MAGMADNN_HD T operator()(T, T b, T z, T g) const { return -(g / b) * z; } };
template <typename T> struct GradPowA     { T p; MAGMADNN_HD T operator()(T a, T b, T, T g) const { return g * b * std::pow(a, b - T(1)); } };
template <typename T> struct GradPowB     { T p; MAGMADNN_HD T operator()(T a, T, T z, T g) const { return g * z * std::log(a); } };
template <typename T> struct GradMaximumA { T p; MAGMADNN_HD T operator()(T a, T b, T, T g) const { return a > b ? g : T(0); } };
template <typename T> struct GradMaximumB { T p; MAGMADNN_HD T operator()(T a, T b, T, T g) const { return a > b ? T(0) : g; } };
template <typename T> struct GradMinimumA { T p; MAGMADNN_HD T operator()(T a, T b, T, T g) const { return a < b ? g : T(0); } };
template <typename T> struct GradMinimumB { T p; MAGMADNN_HD T operator()(T a, T b, T, T g) const { return a < b ? T(0) : g; } };
// clang-format on

// The fused rows of backend/fused.h: act(a + b), the bias add and activation of op::linear.
// clang-format off
template <typename T> struct AddRelu    { T p; MAGMADNN_HD T operator()(T a, T b) const { const T s = a + b; return s > T(0) ? s : T(0); } };
template <typename T> struct AddTanh    { T p; MAGMADNN_HD T operator()(T a, T b) const { return std::tanh(a + b); } };
template <typename T> struct AddSigmoid { T p; MAGMADNN_HD T operator()(T a, T b) const { return T(1) / (T(1) + std::exp(-(a + b))); } };
// clang-format on

// Calls f(Functor{param}) for the functor of op's row: the one switch per call.
template <typename T, typename F>
void visit(UnaryOp op, T p, F&& f) {
    switch (op) {
#define MAGMADNN_VISIT_ROW(name, fwd, ...) \
    case UnaryOp::name:                    \
        return f(fwd<T>{p});
        MAGMADNN_UNARY_OPS(MAGMADNN_VISIT_ROW)
#undef MAGMADNN_VISIT_ROW
    }
}

// The same for the gradient functor of op's row.
template <typename T, typename F>
void visit_grad(UnaryOp op, T p, F&& f) {
    switch (op) {
#define MAGMADNN_VISIT_ROW(name, fwd, grad, ...) \
    case UnaryOp::name:                          \
        return f(grad<T>{p});
        MAGMADNN_UNARY_OPS(MAGMADNN_VISIT_ROW)
#undef MAGMADNN_VISIT_ROW
    }
}

template <typename T, typename F>
void visit(BinaryOp op, T p, F&& f) {
    switch (op) {
#define MAGMADNN_VISIT_ROW(name, fwd, ...) \
    case BinaryOp::name:                   \
        return f(fwd<T>{p});
        MAGMADNN_BINARY_OPS(MAGMADNN_VISIT_ROW)
#undef MAGMADNN_VISIT_ROW
    }
}

// The gradient functor of op's row by input `side` (0: a, 1: b).
template <typename T, typename F>
void visit_grad(BinaryOp op, int side, F&& f) {
    switch (op) {
#define MAGMADNN_VISIT_ROW(name, fwd, grad_a, grad_b, ...) \
    case BinaryOp::name:                                   \
        return side == 0 ? f(grad_a<T>{T(0)}) : f(grad_b<T>{T(0)});
        MAGMADNN_BINARY_OPS(MAGMADNN_VISIT_ROW)
#undef MAGMADNN_VISIT_ROW
    }
}

template <typename T, typename F>
void visit(FusedOp op, T p, F&& f) {
    switch (op) {
#define MAGMADNN_VISIT_ROW(name, fwd, ...) \
    case FusedOp::name:                    \
        return f(fwd<T>{p});
        MAGMADNN_FUSED_OPS(MAGMADNN_VISIT_ROW)
#undef MAGMADNN_VISIT_ROW
    }
}

}  // namespace magmadnn::math::fn
