#include "export.h"

#include <nanobind/ndarray.h>

#include <vector>

#include "dlpack_types.h"
#include "magmadnn/core/device.h"

namespace magmadnn::python {

namespace {

// Where an exported view points: the side of the storage the consumer reads and writes.
struct View {
    void* data = nullptr;
    std::int32_t device_type = dl_cpu;
    std::int32_t device_id = 0;
};

template <typename T>
View host_view(Tensor<T>& t) {
    if (t.memory() == DEVICE) {
        throw DeviceError(
            "Tensor: DEVICE memory has no host copy for NumPy; copy it first (t.to(HOST)) or hand "
            "it over by DLPack (torch.from_dlpack(t))");
    }
    // data() marks a MANAGED tensor's device copy stale: the consumer may write
    return {t.storage() ? static_cast<void*>(t.data()) : nullptr, dl_cpu, 0};
}

template <typename T>
View device_view(Tensor<T>& t) {
    const int device = t.storage() ? t.storage()->device() : 0;
    void* data = t.storage() ? static_cast<void*>(t.device_data()) : nullptr;
    return {data, t.memory() == CUDA_MANAGED ? dl_cuda_managed : dl_cuda, device};
}

// The tensor's own side: host for HOST, device for the others.
template <typename T>
View own_view(Tensor<T>& t) {
    return t.memory() == HOST ? host_view(t) : device_view(t);
}

std::vector<std::size_t> extents(const Shape& s) { return {s.begin(), s.end()}; }

template <typename T>
constexpr const char* typestr() {
    if constexpr (std::is_same_v<T, float>) return "<f4";
    if constexpr (std::is_same_v<T, double>) return "<f8";
    if constexpr (std::is_same_v<T, f16>) return "<f2";
    if constexpr (std::is_same_v<T, std::int32_t>) return "<i4";
    if constexpr (std::is_same_v<T, std::uint8_t>) return "|u1";
    if constexpr (std::is_same_v<T, c64>) return "<c8";
    if constexpr (std::is_same_v<T, c128>) return "<c16";
    return nullptr;  // bfloat16
}

[[noreturn]] void no_numpy_bf16() {
    throw nb::type_error(
        "Tensor: NumPy has no bfloat16; convert it (t.astype('float32')) or hand it over by "
        "DLPack (torch.from_dlpack(t))");
}

PyTensor& tensor_of(nb::handle self) { return nb::cast<PyTensor&>(self); }

bool is_true(nb::handle h) { return h.is_valid() && !h.is_none() && nb::cast<bool>(h); }
bool is_false(nb::handle h) { return h.is_valid() && !h.is_none() && !nb::cast<bool>(h); }

}  // namespace

nb::object to_numpy(nb::handle self) {
    return std::visit(
        [&](auto& t) -> nb::object {
            using T = typename std::decay_t<decltype(t)>::value_type;
            if constexpr (std::is_same_v<T, bf16>) {
                no_numpy_bf16();
            } else {
                const View v = host_view(t);
                const auto shape = extents(t.shape());
                nb::ndarray<nb::numpy> a(v.data, shape.size(), shape.data(), self, nullptr,
                                         dlpack_dtype<T>());
                return a.cast();
            }
        },
        tensor_of(self).t);
}

nb::dict array_interface(nb::handle self) {
    return std::visit(
        [&](auto& t) -> nb::dict {
            using T = typename std::decay_t<decltype(t)>::value_type;
            if constexpr (std::is_same_v<T, bf16>) {
                no_numpy_bf16();
            } else {
                const View v = host_view(t);
                nb::list shape;
                for (index_t e : t.shape()) shape.append(e);
                nb::dict d;
                d["shape"] = nb::tuple(shape);
                d["typestr"] = typestr<T>();
                d["data"] = nb::make_tuple(reinterpret_cast<std::uintptr_t>(v.data), false);
                d["strides"] = nb::none();
                d["version"] = 3;
                return d;
            }
        },
        tensor_of(self).t);
}

nb::tuple dlpack_device(const PyTensor& p) {
    return std::visit(
        [](const auto& t) {
            if (t.memory() == HOST) return nb::make_tuple(int(dl_cpu), 0);
            const int device = t.storage() ? t.storage()->device() : 0;
            return nb::make_tuple(int(t.memory() == CUDA_MANAGED ? dl_cuda_managed : dl_cuda),
                                  device);
        },
        p.t);
}

nb::object dlpack(nb::handle self, nb::handle stream, nb::handle max_version, nb::handle dl_device,
                  nb::handle copy) {
    PyTensor& p = tensor_of(self);
    const bool wants_host = dl_device.is_valid() && !dl_device.is_none() &&
                            nb::cast<int>(nb::borrow<nb::tuple>(dl_device)[0]) == int(dl_cpu);
    const bool on_host = std::visit([](const auto& t) { return t.memory() == HOST; }, p.t);
    // A DEVICE tensor asked for on the CPU goes over as a host copy, unless copy=False.
    if (wants_host && !on_host &&
        std::visit([](const auto& t) { return t.memory() == DEVICE; }, p.t)) {
        if (is_false(copy)) {
            throw nb::buffer_error(
                "Tensor.__dlpack__: a DEVICE tensor cannot be viewed on the CPU; allow a copy "
                "(copy=None or True) or call t.to(HOST)");
        }
        nb::object host =
            nb::cast(std::visit([](const auto& t) { return PyTensor{t.to(HOST, true)}; }, p.t));
        return dlpack(host, stream, max_version, dl_device, nb::none());
    }
    if (is_true(copy)) {
        nb::object fresh =
            nb::cast(std::visit([](const auto& t) { return PyTensor{t.clone()}; }, p.t));
        return dlpack(fresh, stream, max_version, dl_device, nb::none());
    }
    return std::visit(
        [&](auto& t) -> nb::object {
            using T = typename std::decay_t<decltype(t)>::value_type;
            const View v = wants_host ? host_view(t) : own_view(t);
            if (v.device_type != dl_cpu && stream.is_valid() && !stream.is_none() &&
                nb::cast<long>(stream) != -1) {
                // magmadnn's kernels run on the default stream: let the consumer's stream see
                // their results
                device_synchronize();
            }
            const auto shape = extents(t.shape());
            nb::ndarray<nb::array_api> a(v.data, shape.size(), shape.data(), self, nullptr,
                                         dlpack_dtype<T>(), v.device_type, v.device_id);
            nb::object exported = a.cast();
            nb::dict kwargs;
            if (max_version.is_valid() && !max_version.is_none())
                kwargs["max_version"] = max_version;
            return exported.attr("__dlpack__")(**kwargs);
        },
        p.t);
}

PyTensor from_dlpack(nb::handle obj, bool copy) {
    if (nb::isinstance<PyTensor>(obj)) return to_tensor(obj, {}, copy);
    if (!nb::hasattr(obj, "__dlpack__")) {
        throw nb::type_error(("from_dlpack: " + std::string(nb::repr(obj.type()).c_str()) +
                              " has no __dlpack__ method")
                                 .c_str());
    }
    return to_tensor(obj, {}, copy);
}

}  // namespace magmadnn::python
