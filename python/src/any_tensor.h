#pragma once
// The Python Tensor: one class for every element type, a variant over the typed tensors. Binding
// code reaches the typed tensor inside with as<T>() or the visit helpers below.

#include <nanobind/nanobind.h>

#include <complex>
#include <cstdint>
#include <string>
#include <variant>

#include "magmadnn/core.h"

namespace magmadnn::python {

namespace nb = nanobind;

using c64 = std::complex<float>;
using c128 = std::complex<double>;

using AnyTensor =
    std::variant<Tensor<float>, Tensor<double>, Tensor<f16>, Tensor<bf16>, Tensor<std::int32_t>,
                 Tensor<std::uint8_t>, Tensor<c64>, Tensor<c128>>;

struct PyTensor {
    AnyTensor t;
};

template <typename T>
struct type_tag {
    using type = T;
};

// NumPy's name of an element type: "float32", "float64", "float16", "bfloat16", "int32",
// "uint8", "complex64", "complex128".
template <typename T>
constexpr const char* dtype_name() {
    if constexpr (std::is_same_v<T, float>) return "float32";
    if constexpr (std::is_same_v<T, double>) return "float64";
    if constexpr (std::is_same_v<T, f16>) return "float16";
    if constexpr (std::is_same_v<T, bf16>) return "bfloat16";
    if constexpr (std::is_same_v<T, std::int32_t>) return "int32";
    if constexpr (std::is_same_v<T, std::uint8_t>) return "uint8";
    if constexpr (std::is_same_v<T, c64>) return "complex64";
    if constexpr (std::is_same_v<T, c128>) return "complex128";
}
const char* dtype_name(const AnyTensor& t);

// The typed tensor inside, or a TypeError naming `what` and both element types.
template <typename T>
const Tensor<T>& as(const PyTensor& p, const char* what) {
    if (const auto* t = std::get_if<Tensor<T>>(&p.t)) return *t;
    throw nb::type_error(
        (std::string(what) + ": expected a " + dtype_name<T>() + " tensor, got " + dtype_name(p.t))
            .c_str());
}

// Calls f(Tensor<T>) for the f32 and f64 tensors, the types the graph, the model and most of
// linalg take; a TypeError naming `what` for the others.
template <typename F>
decltype(auto) visit_real(const PyTensor& p, const char* what, F&& f) {
    if (const auto* t = std::get_if<Tensor<float>>(&p.t)) return f(*t);
    if (const auto* t = std::get_if<Tensor<double>>(&p.t)) return f(*t);
    throw nb::type_error(
        (std::string(what) + ": expected a float32 or float64 tensor, got " + dtype_name(p.t))
            .c_str());
}

// A Tensor from anything array-like: a Tensor as it is; an object with DLPack or the buffer
// protocol (NumPy, PyTorch, CuPy, ...) shared without a copy when it is C-contiguous, aligned
// and writable (copied otherwise, or always with copy = true); a list or scalar through
// numpy.asarray. `dtype` ("float32", ...; empty keeps the array's) converts with a copy.
PyTensor to_tensor(nb::handle obj, const std::string& dtype = {}, bool copy = false);

// Whether obj is a list or tuple of Python ints (a shape rather than an array).
bool is_shape(nb::handle obj);

// The typed tensor from an array-like: converted to T where it holds another type.
template <typename T>
Tensor<T> to_typed(nb::handle obj) {
    return std::get<Tensor<T>>(to_tensor(obj, dtype_name<T>()).t);
}

}  // namespace magmadnn::python
