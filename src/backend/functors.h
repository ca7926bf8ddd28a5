#pragma once
// Private: the elementwise math, written once as host/device functors. The CPU kernels run them
// in OpenMP loops, the CUDA kernels in grid-stride loops, so CPU tests check the GPU's math too.

#include <cmath>

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
template <typename T> struct ReluGrad      { T p; MAGMADNN_HD T operator()(T x, T g) const { return x > T(0) ? g : T(0); } };
template <typename T> struct LeakyReluGrad { T p; MAGMADNN_HD T operator()(T x, T g) const { return x > T(0) ? g : p * g; } };
template <typename T> struct TanhGrad      { T p; MAGMADNN_HD T operator()(T y, T g) const { return g * (T(1) - y * y); } };
template <typename T> struct SigmoidGrad   { T p; MAGMADNN_HD T operator()(T y, T g) const { return g * y * (T(1) - y); } };
template <typename T> struct GeluGrad      { T p; MAGMADNN_HD T operator()(T x, T g) const { return g * (normal_cdf(x) + x * normal_pdf(x)); } };
template <typename T> struct AddRelu    { T p; MAGMADNN_HD T operator()(T a, T b) const { const T s = a + b; return s > T(0) ? s : T(0); } };
template <typename T> struct AddTanh    { T p; MAGMADNN_HD T operator()(T a, T b) const { return std::tanh(a + b); } };
template <typename T> struct AddSigmoid { T p; MAGMADNN_HD T operator()(T a, T b) const { return T(1) / (T(1) + std::exp(-(a + b))); } };
// clang-format on

// Calls f(Functor{param}) for the functor named by op: the one switch per call.
template <typename T, typename F>
void visit(UnaryOp op, T p, F&& f) {
    switch (op) {
        case UnaryOp::identity:
            return f(Identity<T>{p});
        case UnaryOp::neg:
            return f(Neg<T>{p});
        case UnaryOp::abs:
            return f(Abs<T>{p});
        case UnaryOp::exp:
            return f(Exp<T>{p});
        case UnaryOp::log:
            return f(Log<T>{p});
        case UnaryOp::sqrt:
            return f(Sqrt<T>{p});
        case UnaryOp::square:
            return f(Square<T>{p});
        case UnaryOp::reciprocal:
            return f(Reciprocal<T>{p});
        case UnaryOp::tanh:
            return f(Tanh<T>{p});
        case UnaryOp::sigmoid:
            return f(Sigmoid<T>{p});
        case UnaryOp::relu:
            return f(Relu<T>{p});
        case UnaryOp::leaky_relu:
            return f(LeakyRelu<T>{p});
        case UnaryOp::gelu:
            return f(Gelu<T>{p});
        case UnaryOp::add_scalar:
            return f(AddScalar<T>{p});
        case UnaryOp::mul_scalar:
            return f(MulScalar<T>{p});
        case UnaryOp::pow_scalar:
            return f(PowScalar<T>{p});
        case UnaryOp::rsub_scalar:
            return f(RsubScalar<T>{p});
        case UnaryOp::rdiv_scalar:
            return f(RdivScalar<T>{p});
    }
}

template <typename T, typename F>
void visit(BinaryOp op, T p, F&& f) {
    switch (op) {
        case BinaryOp::add:
            return f(Add<T>{p});
        case BinaryOp::sub:
            return f(Sub<T>{p});
        case BinaryOp::mul:
            return f(Mul<T>{p});
        case BinaryOp::div:
            return f(Div<T>{p});
        case BinaryOp::pow:
            return f(Pow<T>{p});
        case BinaryOp::maximum:
            return f(Maximum<T>{p});
        case BinaryOp::minimum:
            return f(Minimum<T>{p});
        case BinaryOp::relu_grad:
            return f(ReluGrad<T>{p});
        case BinaryOp::leaky_relu_grad:
            return f(LeakyReluGrad<T>{p});
        case BinaryOp::tanh_grad:
            return f(TanhGrad<T>{p});
        case BinaryOp::sigmoid_grad:
            return f(SigmoidGrad<T>{p});
        case BinaryOp::gelu_grad:
            return f(GeluGrad<T>{p});
        case BinaryOp::add_relu:
            return f(AddRelu<T>{p});
        case BinaryOp::add_tanh:
            return f(AddTanh<T>{p});
        case BinaryOp::add_sigmoid:
            return f(AddSigmoid<T>{p});
    }
}

}  // namespace magmadnn::math::fn
