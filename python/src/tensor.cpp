// magmadnn.Tensor: construction, shape and memory, element access, views and copies, and the
// NumPy / DLPack hand-over (export.cpp).
#include <nanobind/stl/complex.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "bindings.h"
#include "dlpack_types.h"
#include "export.h"

namespace magmadnn::python {

namespace {

// Python numbers for the element types without their own caster.
template <typename T>
nb::object to_python(T v) {
    if constexpr (std::is_same_v<T, f16> || std::is_same_v<T, bf16>) {
        return nb::float_(double(float(v)));
    } else {
        return nb::cast(v);
    }
}

template <typename T>
T from_python(nb::handle v) {
    if constexpr (std::is_same_v<T, f16> || std::is_same_v<T, bf16>) {
        return T(nb::cast<float>(v));
    } else {
        return nb::cast<T>(v);
    }
}

std::vector<index_t> to_index(nb::handle idx) {
    if (nb::isinstance<nb::int_>(idx)) return {nb::cast<index_t>(idx)};
    return nb::cast<std::vector<index_t>>(idx);
}

PyTensor new_tensor(const Shape& shape, const std::string& dtype, memory_t memory,
                    const std::optional<Filler>& filler) {
    std::optional<PyTensor> out;
    visit_dtype_name(dtype, [&](auto tag) {
        using T = typename decltype(tag)::type;
        Tensor<T> t(shape, memory);
        if (filler && filler->type != NONE) {
            if constexpr (std::is_floating_point_v<T>) {
                t.fill(*filler);
            } else {
                throw nb::type_error("Tensor: fillers fill float32 and float64 tensors");
            }
        }
        out = PyTensor{std::move(t)};
    });
    return *out;
}

template <typename F>
PyTensor map(const PyTensor& p, F&& f) {
    return std::visit([&](const auto& t) { return PyTensor{f(t)}; }, p.t);
}

std::string repr(nb::handle self) {
    const PyTensor& p = *nb::inst_ptr<PyTensor>(self);
    const auto [shape, memory] = std::visit(
        [](const auto& t) {
            return std::pair{to_string(t.shape()), t.memory()};
        },
        p.t);
    std::string body = "<shape " + shape + ">";
    if (memory != DEVICE && !std::holds_alternative<Tensor<bf16>>(p.t)) {
        nb::object np = nb::module_::import_("numpy");
        nb::str text(np.attr("array2string")(to_numpy(self), nb::arg("separator") = ", ",
                                             nb::arg("prefix") = "Tensor("));
        body = text.c_str();
    }
    return "Tensor(" + body + ", dtype=" + dtype_name(p.t) +
           ", memory=" + std::string(to_string(memory)) + ")";
}

}  // namespace

bool is_shape(nb::handle obj) {
    if (!nb::isinstance<nb::list>(obj) && !nb::isinstance<nb::tuple>(obj)) return false;
    for (nb::handle e : obj) {
        if (!nb::isinstance<nb::int_>(e)) return false;
    }
    return true;
}

void bind_tensor(nb::module_& m) {
    nb::enum_<memory_t>(m, "memory_t", "Where a tensor's storage lives.")
        .value("HOST", HOST, "ordinary host memory")
        .value("DEVICE", DEVICE, "GPU memory only")
        .value("MANAGED", MANAGED, "a host and a device copy kept in sync on demand (dirty flags)")
        .value("CUDA_MANAGED", CUDA_MANAGED, "cudaMallocManaged: one pointer valid on both sides")
        .export_values();

    nb::enum_<tensor_filler_t>(m, "tensor_filler_t", "Initializers, as the seed names them.")
        .value("NONE", NONE, "leave uninitialized (zeroed memory in practice)")
        .value("ZERO", ZERO)
        .value("ONE", ONE)
        .value("CONSTANT", CONSTANT, "params: [value]")
        .value("IDENTITY", IDENTITY, "ones on the diagonal of a 2-D tensor")
        .value("DIAGONAL", DIAGONAL, "params: the diagonal ([d] repeats d; one per row)")
        .value("UNIFORM", UNIFORM, "params: [low, high], default [0, 1]")
        .value("NORMAL", NORMAL, "params: [mean, stddev], default [0, 1]")
        .value("GLOROT", GLOROT, "normal, stddev sqrt(2 / (fan_in + fan_out)); params: [gain]")
        .value("HE", HE, "normal, stddev sqrt(2 / fan_in); params: [gain]")
        .export_values();

    nb::class_<Filler>(m, "Filler",
                       "An initializer and its parameters: Filler(GLOROT, [1.5, 2.0]). A tuple "
                       "(GLOROT, [1.5, 2.0]) is accepted wherever a Filler is.")
        .def(nb::init<>())
        .def(nb::init<tensor_filler_t, std::vector<double>>(), nb::arg("type"),
             nb::arg("params") = std::vector<double>{})
        .def(nb::init<tensor_filler_t, std::vector<double>, std::uint64_t>(), nb::arg("type"),
             nb::arg("params"), nb::arg("seed"))
        .def("__init__",
             [](Filler* f, std::pair<tensor_filler_t, std::vector<double>> p) {
                 new (f) Filler(p.first, std::move(p.second));
             })
        .def_rw("type", &Filler::type)
        .def_rw("params", &Filler::params)
        .def_rw("seed", &Filler::seed, "None: the global seed with a fresh stream");
    nb::implicitly_convertible<std::pair<tensor_filler_t, std::vector<double>>, Filler>();

    nb::class_<PyTensor> tensor(
        m, "Tensor",
        "A tensor: row-major, contiguous, of one element type (float32, float64, float16, "
        "bfloat16, int32, uint8, complex64, complex128) in HOST, DEVICE, MANAGED or CUDA_MANAGED "
        "memory. Copies share storage (clone() copies).\n\n"
        "Tensor(shape, dtype='float32', memory=HOST, filler=None) makes a new one, zeroed or "
        "filled; Tensor(array) shares a NumPy array's, a PyTorch tensor's or any DLPack or "
        "buffer object's memory without a copy when it is C-contiguous, aligned and writable "
        "(copies it otherwise). NumPy views it without a copy (numpy.asarray(t), t.numpy()); "
        "DLPack consumers too (torch.from_dlpack(t), numpy.from_dlpack(t)). A view keeps the "
        "storage alive.");
    tensor
        .def(
            "__init__",
            [](PyTensor* self, nb::handle shape_or_array, std::optional<std::string> dtype,
               memory_t memory, std::optional<Filler> filler) {
                if (is_shape(shape_or_array)) {
                    new (self) PyTensor(new_tensor(nb::cast<Shape>(shape_or_array),
                                                   dtype.value_or("float32"), memory, filler));
                } else {
                    PyTensor t = to_tensor(shape_or_array, dtype.value_or(""));
                    if (memory != HOST) t = map(t, [&](const auto& x) { return x.to(memory); });
                    new (self) PyTensor(std::move(t));
                }
            },
            nb::arg("shape_or_array"), nb::arg("dtype") = nb::none(), nb::arg("memory") = HOST,
            nb::arg("filler") = nb::none())
        .def_prop_ro(
            "shape",
            [](const PyTensor& p) {
                const Shape& s =
                    std::visit([](const auto& t) -> const Shape& { return t.shape(); }, p.t);
                nb::list l;
                for (index_t e : s) l.append(e);
                return nb::tuple(l);
            },
            nb::for_getter(nb::sig("def shape(self) -> tuple[int, ...]")), "The extents, a tuple.")
        .def_prop_ro("ndim",
                     [](const PyTensor& p) {
                         return std::visit([](const auto& t) { return t.ndim(); }, p.t);
                     })
        .def_prop_ro(
            "size",
            [](const PyTensor& p) {
                return std::visit([](const auto& t) { return t.size(); }, p.t);
            },
            "The number of elements.")
        .def_prop_ro(
            "nbytes",
            [](const PyTensor& p) {
                return std::visit(
                    [](const auto& t) {
                        return t.size() *
                               index_t(sizeof(typename std::decay_t<decltype(t)>::value_type));
                    },
                    p.t);
            })
        .def_prop_ro(
            "dtype", [](const PyTensor& p) { return dtype_name(p.t); },
            "The element type's NumPy name ('float32', ..., 'bfloat16').")
        .def_prop_ro(
            "memory",
            [](const PyTensor& p) {
                return std::visit([](const auto& t) { return t.memory(); }, p.t);
            },
            "HOST, DEVICE, MANAGED or CUDA_MANAGED.")
        .def_prop_ro(
            "device",
            [](const PyTensor& p) {
                return std::visit(
                    [](const auto& t) { return t.storage() ? t.storage()->device() : -1; }, p.t);
            },
            "The GPU holding the device side (-1 for HOST memory).")
        .def_prop_ro(
            "data_ptr",
            [](const PyTensor& p) {
                return std::visit(
                    [](const auto& t) -> std::uintptr_t {
                        if (!t.storage()) return 0;
                        using T = typename std::decay_t<decltype(t)>::value_type;
                        auto& s = *t.storage();
                        const void* base = t.memory() == HOST || t.memory() == CUDA_MANAGED
                                               ? s.host_read()
                                               : s.device_read();
                        return reinterpret_cast<std::uintptr_t>(base) + t.offset() * sizeof(T);
                    },
                    p.t);
            },
            "The address of the first element (the device copy's for DEVICE and MANAGED).")
        .def_prop_ro(
            "is_borrowed",
            [](const PyTensor& p) {
                return std::visit(
                    [](const auto& t) { return t.storage() && t.storage()->borrowed(); }, p.t);
            },
            "Whether the memory belongs to another library's array (NumPy, PyTorch, ...).")
        .def("__len__",
             [](const PyTensor& p) {
                 return std::visit([](const auto& t) { return t.ndim() == 0 ? 0 : t.shape(0); },
                                   p.t);
             })
        .def("__repr__", &repr)
        .def("numpy", &to_numpy,
             "A NumPy array viewing the host memory (no copy; it keeps this tensor alive). DEVICE "
             "memory: DeviceError (t.to(HOST).numpy() copies).")
        .def_prop_ro("__array_interface__", &array_interface)
        .def("__dlpack__", &dlpack, nb::kw_only(), nb::arg("stream") = nb::none(),
             nb::arg("max_version") = nb::none(), nb::arg("dl_device") = nb::none(),
             nb::arg("copy") = nb::none(), "The array API's DLPack export (no copy).")
        .def("__dlpack_device__", &dlpack_device)
        .def(
            "to",
            [](const PyTensor& p, memory_t memory, bool copy) {
                return map(p, [&](const auto& t) { return t.to(memory, copy); });
            },
            nb::arg("memory"), nb::arg("copy") = false,
            "This tensor in `memory`: shares the storage when already there unless copy.")
        .def(
            "clone",
            [](const PyTensor& p) { return map(p, [](const auto& t) { return t.clone(); }); },
            "An independent copy in the same memory.")
        .def(
            "astype",
            [](nb::handle self, const std::string& dtype) { return to_tensor(self, dtype); },
            nb::arg("dtype"),
            "The elements converted to `dtype` on the host (this tensor when it already is).")
        .def(
            "reshape",
            [](const PyTensor& p, const Shape& shape) {
                return map(p, [&](const auto& t) { return t.reshape(shape); });
            },
            nb::arg("shape"), "A view of another shape (-1 infers one extent).")
        .def("flatten",
             [](const PyTensor& p) { return map(p, [](const auto& t) { return t.flatten(); }); })
        .def(
            "slice",
            [](const PyTensor& p, index_t begin, index_t end) {
                return map(p, [&](const auto& t) { return t.slice(begin, end); });
            },
            nb::arg("begin"), nb::arg("end"), "Rows [begin, end) of the first axis, a view.")
        .def(
            "__getitem__",
            [](const PyTensor& p, index_t i) {
                return map(p, [&](const auto& t) {
                    const index_t n = t.ndim() == 0 ? 0 : t.shape(0);
                    return t[i < 0 ? i + n : i];
                });
            },
            nb::arg("i"), "Row i (negative from the end), a view with one axis fewer.")
        .def(
            "get",
            [](const PyTensor& p, nb::handle idx) {
                const auto index = to_index(idx);
                return std::visit(
                    [&](const auto& t) {
                        return to_python(index.size() == 1 && t.ndim() != 1 ? t.get_flat(index[0])
                                                                            : t.get(index));
                    },
                    p.t);
            },
            nb::arg("index"), "The element at a multi-index (a tuple) or a flat index (an int).")
        .def(
            "set",
            [](PyTensor& p, nb::handle idx, nb::handle value) {
                const auto index = to_index(idx);
                std::visit(
                    [&](auto& t) {
                        using T = typename std::decay_t<decltype(t)>::value_type;
                        if (index.size() == 1 && t.ndim() != 1) {
                            t.set_flat(index[0], from_python<T>(value));
                        } else {
                            t.set(index, from_python<T>(value));
                        }
                    },
                    p.t);
            },
            nb::arg("index"), nb::arg("value"))
        .def(
            "fill",
            [](PyTensor& p, nb::handle value) {
                std::visit(
                    [&](auto& t) {
                        using T = typename std::decay_t<decltype(t)>::value_type;
                        if (nb::isinstance<Filler>(value) || nb::isinstance<nb::tuple>(value)) {
                            if constexpr (std::is_floating_point_v<T>) {
                                t.fill(nb::cast<Filler>(value));
                            } else {
                                throw nb::type_error(
                                    "Tensor.fill: fillers fill float32 and float64 tensors");
                            }
                        } else {
                            t.fill(from_python<T>(value));
                        }
                    },
                    p.t);
            },
            nb::arg("value"), "Sets every element to a number, or fills by a Filler.")
        .def("zero", [](PyTensor& p) { std::visit([](auto& t) { t.zero(); }, p.t); })
        .def("tolist", [](nb::handle self) { return to_numpy(self).attr("tolist")(); })
        .def(
            "shares_storage",
            [](const PyTensor& a, const PyTensor& b) {
                return std::visit(
                    [&](const auto& x) {
                        return std::visit(
                            [&](const auto& y) {
                                return x.storage() != nullptr && x.storage() == y.storage();
                            },
                            b.t);
                    },
                    a.t);
            },
            nb::arg("other"), "Whether both views read the same storage.")
        .def(
            "sync_to_host",
            [](const PyTensor& p) { std::visit([](const auto& t) { t.sync_to_host(); }, p.t); },
            "MANAGED: bring the host copy up to date.")
        .def(
            "sync_to_device",
            [](const PyTensor& p) { std::visit([](const auto& t) { t.sync_to_device(); }, p.t); },
            "MANAGED: bring the device copy up to date.");

    m.def(
        "as_tensor",
        [](nb::handle obj, std::optional<std::string> dtype) {
            return to_tensor(obj, dtype.value_or(""));
        },
        nb::arg("obj"), nb::arg("dtype") = nb::none(),
        "A Tensor sharing an array's memory where it can (C-contiguous, aligned, writable, a "
        "magmadnn element type), a copy otherwise; lists and numbers are copied.");
    m.def(
        "tensor",
        [](nb::handle obj, std::optional<std::string> dtype) {
            return to_tensor(obj, dtype.value_or(""), true);
        },
        nb::arg("data"), nb::arg("dtype") = nb::none(), "A new Tensor holding a copy of `data`.");
    m.def(
        "from_numpy", [](nb::handle obj) { return to_tensor(obj); }, nb::arg("array"),
        "A Tensor sharing a NumPy array's memory (copied when it is strided, misaligned or "
        "read-only).");
    m.def("from_dlpack", &from_dlpack, nb::arg("obj"), nb::arg("copy") = false,
          "A Tensor sharing the memory of an object with __dlpack__ (PyTorch, NumPy, CuPy, ...), "
          "on its device: CPU memory as HOST, CUDA memory as DEVICE, managed memory as "
          "CUDA_MANAGED.");
}

}  // namespace magmadnn::python
