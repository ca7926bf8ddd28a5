// Eager tensor math (magmadnn.add, t + u, magmadnn.exp, ...): the backend's math:: functions,
// one call each, on float32 and float64 tensors of any memory type. The elementwise ops come
// from the op table (backend/elementwise_ops.h), so a new row is bound without code here.
#include "magmadnn/backend/math.h"

#include <nanobind/stl/optional.h>
#include <nanobind/stl/variant.h>

#include "bindings.h"

namespace magmadnn::python {

namespace {

// Work on at least this many elements runs with the GIL released; below it, releasing and
// taking the GIL back would cost more than the op.
constexpr index_t release_gil_above = 1 << 15;

template <typename F>
auto maybe_released(index_t n, F&& f) {
    if (n < release_gil_above) return f();
    nb::gil_scoped_release release;
    return f();
}

PyTensor binary(math::BinaryOp op, const PyTensor& a, const PyTensor& b, const char* what) {
    return visit_real(a, what, [&](const auto& x) {
        using T = typename std::decay_t<decltype(x)>::value_type;
        const Tensor<T>& y = as<T>(b, what);
        return maybe_released(std::max(x.size(), y.size()),
                              [&] { return PyTensor{math::binary(op, x, y)}; });
    });
}

PyTensor binary_scalar(math::BinaryOp op, const PyTensor& a, double s, bool reversed,
                       const char* what) {
    return visit_real(a, what, [&](const auto& x) {
        using T = typename std::decay_t<decltype(x)>::value_type;
        Tensor<T> scalar = Tensor<T>::from_vector({T(s)}, {}).to(x.memory());
        return maybe_released(x.size(), [&] {
            return PyTensor{reversed ? math::binary(op, scalar, x) : math::binary(op, x, scalar)};
        });
    });
}

PyTensor unary(math::UnaryOp op, const PyTensor& a, double param, const char* what) {
    return visit_real(a, what, [&](const auto& x) {
        using T = typename std::decay_t<decltype(x)>::value_type;
        return maybe_released(x.size(), [&] { return PyTensor{math::unary(op, x, T(param))}; });
    });
}

int axis_or_all(std::optional<int> axis) { return axis ? *axis : math::all_axes; }

PyTensor reduce(math::ReduceOp op, const PyTensor& a, std::optional<int> axis, bool keepdims,
                const char* what) {
    return visit_real(a, what, [&](const auto& x) {
        return maybe_released(
            x.size(), [&] { return PyTensor{math::reduce(op, x, axis_or_all(axis), keepdims)}; });
    });
}

// An operand of t + u: another tensor or a Python number.
using Operand = std::variant<PyTensor, double>;

template <math::BinaryOp Op>
PyTensor apply(const PyTensor& a, const Operand& b, bool reversed) {
    constexpr const char* what = "Tensor arithmetic";
    if (const auto* s = std::get_if<double>(&b)) return binary_scalar(Op, a, *s, reversed, what);
    const PyTensor& t = std::get<PyTensor>(b);
    return reversed ? binary(Op, t, a, what) : binary(Op, a, t, what);
}

}  // namespace

void bind_math(nb::module_& m) {
#define MAGMADNN_BIND_BINARY(name, functor, grad_a, grad_b, domain)        \
    m.def(                                                                 \
        #name,                                                             \
        [](const PyTensor& a, const PyTensor& b) {                         \
            return binary(math::BinaryOp::name, a, b, "magmadnn." #name);  \
        },                                                                 \
        nb::arg("a"), nb::arg("b"),                                        \
        "Elementwise " #name                                               \
        " with NumPy broadcasting (float32 / float64, same type), into a " \
        "new tensor.");
    MAGMADNN_BINARY_OPS(MAGMADNN_BIND_BINARY)
#undef MAGMADNN_BIND_BINARY
#define MAGMADNN_BIND_UNARY(name, functor, grad, reads, domain)             \
    m.def(                                                                  \
        #name,                                                              \
        [](const PyTensor& x, double param) {                               \
            return unary(math::UnaryOp::name, x, param, "magmadnn." #name); \
        },                                                                  \
        nb::arg("x"), nb::arg("param") = 0.0,                               \
        "Elementwise " #name                                                \
        " (float32 / float64) into a new tensor; `param` is the scalar of " \
        "the ops that take one (add_scalar, mul_scalar, pow_scalar, leaky_relu's slope, ...).");
    MAGMADNN_UNARY_OPS(MAGMADNN_BIND_UNARY)
#undef MAGMADNN_BIND_UNARY

    m.def(
        "matmul",
        [](const PyTensor& a, const PyTensor& b, bool trans_a, bool trans_b) {
            return visit_real(a, "magmadnn.matmul", [&](const auto& x) {
                using T = typename std::decay_t<decltype(x)>::value_type;
                const Tensor<T>& y = as<T>(b, "magmadnn.matmul");
                nb::gil_scoped_release release;
                return PyTensor{math::matmul(x, y, trans_a, trans_b)};
            });
        },
        nb::arg("a"), nb::arg("b"), nb::arg("trans_a") = false, nb::arg("trans_b") = false,
        "op(a) op(b) of two 2-D tensors (op = transpose where asked).");
    m.def(
        "transpose",
        [](const PyTensor& a) {
            return visit_real(a, "magmadnn.transpose",
                              [](const auto& x) { return PyTensor{math::transpose(x)}; });
        },
        nb::arg("x"), "The 2-D transpose, into a new tensor.");
    m.def(
        "sum",
        [](const PyTensor& x, std::optional<int> axis, bool keepdims) {
            return reduce(math::ReduceOp::sum, x, axis, keepdims, "magmadnn.sum");
        },
        nb::arg("x"), nb::arg("axis") = nb::none(), nb::arg("keepdims") = false,
        "The sum over one axis (negative from the end), or over all (axis None: shape ()).");
    m.def(
        "mean",
        [](const PyTensor& x, std::optional<int> axis, bool keepdims) {
            return reduce(math::ReduceOp::mean, x, axis, keepdims, "magmadnn.mean");
        },
        nb::arg("x"), nb::arg("axis") = nb::none(), nb::arg("keepdims") = false);
    m.def(
        "max",
        [](const PyTensor& x, std::optional<int> axis, bool keepdims) {
            return reduce(math::ReduceOp::max, x, axis, keepdims, "magmadnn.max");
        },
        nb::arg("x"), nb::arg("axis") = nb::none(), nb::arg("keepdims") = false);
    m.def(
        "argmax",
        [](const PyTensor& x, int axis) {
            return visit_real(x, "magmadnn.argmax",
                              [&](const auto& t) { return PyTensor{math::argmax(t, axis)}; });
        },
        nb::arg("x"), nb::arg("axis") = -1, "Index of the maximum along `axis` (int32).");
    m.def(
        "softmax",
        [](const PyTensor& x) {
            return visit_real(x, "magmadnn.softmax",
                              [](const auto& t) { return PyTensor{math::softmax(t)}; });
        },
        nb::arg("x"), "Softmax along the last axis.");

    // operators on magmadnn.Tensor
    nb::class_<PyTensor> tensor = nb::borrow<nb::class_<PyTensor>>(m.attr("Tensor"));
    tensor
        .def("__add__", [](const PyTensor& a,
                           const Operand& b) { return apply<math::BinaryOp::add>(a, b, false); })
        .def("__radd__",
             [](const PyTensor& a, double b) { return apply<math::BinaryOp::add>(a, b, true); })
        .def("__sub__", [](const PyTensor& a,
                           const Operand& b) { return apply<math::BinaryOp::sub>(a, b, false); })
        .def("__rsub__",
             [](const PyTensor& a, double b) { return apply<math::BinaryOp::sub>(a, b, true); })
        .def("__mul__", [](const PyTensor& a,
                           const Operand& b) { return apply<math::BinaryOp::mul>(a, b, false); })
        .def("__rmul__",
             [](const PyTensor& a, double b) { return apply<math::BinaryOp::mul>(a, b, true); })
        .def("__truediv__",
             [](const PyTensor& a, const Operand& b) {
                 return apply<math::BinaryOp::div>(a, b, false);
             })
        .def("__rtruediv__",
             [](const PyTensor& a, double b) { return apply<math::BinaryOp::div>(a, b, true); })
        .def("__neg__",
             [](const PyTensor& a) { return unary(math::UnaryOp::neg, a, 0.0, "Tensor.__neg__"); })
        .def("__matmul__", [](const PyTensor& a, const PyTensor& b) {
            return visit_real(a, "Tensor.__matmul__", [&](const auto& x) {
                using T = typename std::decay_t<decltype(x)>::value_type;
                const Tensor<T>& y = as<T>(b, "Tensor.__matmul__");
                nb::gil_scoped_release release;
                return PyTensor{math::matmul(x, y)};
            });
        });
}

}  // namespace magmadnn::python
