#pragma once
// Shared by the graph, layer and model bindings: the Python names of the typed classes and the
// argument conversions they share.

#include <nanobind/stl/shared_ptr.h>

#include <string>

#include "any_tensor.h"
#include "magmadnn/nn.h"

namespace magmadnn::python {

// "F32" / "F64": the suffix of the classes bound once per element type (OperationF32, ...).
template <typename T>
constexpr const char* type_suffix() {
    return std::is_same_v<T, float> ? "F32" : "F64";
}

// An activation given as the enum or by name ("relu").
inline Activation activation_arg(nb::handle a) {
    if (nb::isinstance<nb::str>(a)) return activation_from_string(nb::cast<std::string>(a));
    return nb::cast<Activation>(a);
}

// Calls f(type_tag<float>{}) or f(type_tag<double>{}) for "float32" / "float64"; TypeError
// otherwise.
template <typename F>
decltype(auto) visit_real_dtype(const std::string& dtype, F&& f) {
    if (dtype == "float32") return f(type_tag<float>{});
    if (dtype == "float64") return f(type_tag<double>{});
    throw nb::type_error(
        ("graph nodes, layers and models are float32 or float64, not " + dtype).c_str());
}

}  // namespace magmadnn::python
