#include "any_tensor.h"

#include <nanobind/ndarray.h>

#include <algorithm>
#include <memory>
#include <optional>

#include "dlpack_types.h"

namespace magmadnn::python {

const char* dtype_name(const AnyTensor& t) {
    return std::visit(
        [](const auto& x) { return dtype_name<typename std::decay_t<decltype(x)>::value_type>(); },
        t);
}

namespace {

// Keeps the array a borrowed storage wraps alive: dropping the last reference takes the GIL,
// wherever the last tensor goes (a loader thread, a graph node freed with the GIL released).
std::shared_ptr<void> keep_alive(nb::ndarray<> array) {
    return std::shared_ptr<void>(new nb::ndarray<>(std::move(array)), [](void* p) {
        auto* a = static_cast<nb::ndarray<>*>(p);
        if (!Py_IsInitialized() || interpreter_finalizing()) return;  // too late: leak it
        nb::gil_scoped_acquire gil;
        delete a;
    });
}

bool c_contiguous(const nb::ndarray<>& a) {
    std::int64_t expected = 1;
    for (std::size_t i = a.ndim(); i-- > 0;) {
        if (a.shape(i) != 1 && a.stride(i) != expected) return false;
        expected *= std::int64_t(a.shape(i));
    }
    return true;
}

template <typename T>
PyTensor borrow_as(nb::ndarray<> array) {
    Shape shape(array.ndim());
    for (std::size_t i = 0; i < array.ndim(); ++i) shape[i] = index_t(array.shape(i));
    const memory_t memory = memory_of_dlpack(array.device_type());
    const int device = array.device_id();
    void* data = array.data();
    const std::size_t bytes = array.nbytes();
    auto storage = Storage::borrow(data, bytes, memory, keep_alive(std::move(array)), device);
    return {Tensor<T>::from_storage(std::move(storage), 0, std::move(shape))};
}

// The array without a copy, or nothing where it cannot be shared (its element type has no
// magmadnn tensor, it is strided or misaligned).
std::optional<PyTensor> borrow(const nb::ndarray<>& array) {
    if (!c_contiguous(array)) return std::nullopt;
    if (reinterpret_cast<std::uintptr_t>(array.data()) % std::max<std::size_t>(1, array.itemsize()))
        return std::nullopt;
    std::optional<PyTensor> out;
    visit_dlpack_dtype(array.dtype(), [&](auto tag) {
        using T = typename decltype(tag)::type;
        out = borrow_as<T>(array);
    });
    return out;
}

nb::object numpy() { return nb::module_::import_("numpy"); }

template <typename U>
PyTensor cast_to(const PyTensor& p) {
    return std::visit(
        [](const auto& x) -> PyTensor {
            using T = typename std::decay_t<decltype(x)>::value_type;
            if constexpr (std::is_same_v<T, U>) {
                return {x};
            } else if constexpr (is_complex<T>::value || is_complex<U>::value) {
                throw nb::type_error((std::string("cannot convert a ") + dtype_name<T>() +
                                      " tensor to " + dtype_name<U>())
                                         .c_str());
            } else {
                return {x.to(HOST).template cast<U>()};
            }
        },
        p.t);
}

PyTensor convert(const PyTensor& p, const std::string& dtype) {
    if (dtype.empty() || dtype == dtype_name(p.t)) return p;
    std::optional<PyTensor> out;
    visit_dtype_name(dtype, [&](auto tag) { out = cast_to<typename decltype(tag)::type>(p); });
    return *out;
}

PyTensor clone(const PyTensor& p) {
    return std::visit([](const auto& x) { return PyTensor{x.clone()}; }, p.t);
}

}  // namespace

PyTensor to_tensor(nb::handle obj, const std::string& dtype, bool copy) {
    if (nb::isinstance<PyTensor>(obj)) {
        const PyTensor& p = nb::cast<const PyTensor&>(obj);
        const PyTensor converted = convert(p, dtype);
        return copy && converted.t.index() == p.t.index() ? clone(converted) : converted;
    }
    nb::ndarray<> array;
    if (nb::try_cast(obj, array, false)) {
        if (auto shared = borrow(array)) {
            const PyTensor converted = convert(*shared, dtype);
            return copy && converted.t.index() == shared->t.index() ? clone(converted) : converted;
        }
    }
    // Lists, scalars, read-only, strided or misaligned arrays: a fresh C-contiguous NumPy copy
    // (which a CUDA array refuses, with a message naming its device).
    nb::object np_dtype = nb::none();
    if (!dtype.empty() && dtype != "bfloat16") np_dtype = nb::str(dtype.c_str());
    nb::object fresh = numpy().attr("array")(obj, nb::arg("dtype") = np_dtype,
                                             nb::arg("order") = "C", nb::arg("copy") = true);
    if (!nb::try_cast(fresh, array, false)) {
        throw nb::type_error(
            ("cannot make a magmadnn.Tensor from " + std::string(nb::repr(obj.type()).c_str()))
                .c_str());
    }
    auto shared = borrow(array);
    if (!shared) {
        throw nb::type_error(
            ("no magmadnn.Tensor element type for " +
             std::string(nb::str(nb::handle(nb::object(fresh.attr("dtype")))).c_str()) +
             " (float32, float64, float16, int32, uint8, complex64, complex128)")
                .c_str());
    }
    return convert(*shared, dtype);
}

}  // namespace magmadnn::python
