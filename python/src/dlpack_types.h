#pragma once
// Element types and devices as DLPack names them, and back.

#include <nanobind/ndarray.h>

#include <complex>
#include <cstdint>
#include <string>
#include <type_traits>

#include "any_tensor.h"

namespace magmadnn::python {

template <typename T>
struct is_complex : std::false_type {};
template <typename T>
struct is_complex<std::complex<T>> : std::true_type {};

// DLPack's device types (dlpack.h: kDLCPU, kDLCUDA, kDLCUDAHost, kDLCUDAManaged).
enum DLDevice : std::int32_t { dl_cpu = 1, dl_cuda = 2, dl_cuda_host = 3, dl_cuda_managed = 13 };

template <typename T>
nb::dlpack::dtype dlpack_dtype() {
    using code = nb::dlpack::dtype_code;
    if constexpr (std::is_same_v<T, bf16>) {
        return {std::uint8_t(code::Bfloat), 16, 1};
    } else if constexpr (std::is_same_v<T, f16>) {
        return {std::uint8_t(code::Float), 16, 1};
    } else if constexpr (is_complex<T>::value) {
        return {std::uint8_t(code::Complex), std::uint8_t(8 * sizeof(T)), 1};
    } else {
        return nb::dtype<T>();
    }
}

// Calls f(type_tag<T>{}) for the magmadnn element type of a DLPack dtype; does nothing for
// the others (int64, bool, ...).
template <typename F>
void visit_dlpack_dtype(nb::dlpack::dtype d, F&& f) {
    if (d == dlpack_dtype<float>())
        f(type_tag<float>{});
    else if (d == dlpack_dtype<double>())
        f(type_tag<double>{});
    else if (d == dlpack_dtype<f16>())
        f(type_tag<f16>{});
    else if (d == dlpack_dtype<bf16>())
        f(type_tag<bf16>{});
    else if (d == dlpack_dtype<std::int32_t>())
        f(type_tag<std::int32_t>{});
    else if (d == dlpack_dtype<std::uint8_t>())
        f(type_tag<std::uint8_t>{});
    else if (d == dlpack_dtype<c64>())
        f(type_tag<c64>{});
    else if (d == dlpack_dtype<c128>())
        f(type_tag<c128>{});
}

// Calls f(type_tag<T>{}) for a dtype name ("float32", ...); TypeError for an unknown one.
template <typename F>
void visit_dtype_name(const std::string& name, F&& f) {
    if (name == "float32")
        f(type_tag<float>{});
    else if (name == "float64")
        f(type_tag<double>{});
    else if (name == "float16")
        f(type_tag<f16>{});
    else if (name == "bfloat16")
        f(type_tag<bf16>{});
    else if (name == "int32")
        f(type_tag<std::int32_t>{});
    else if (name == "uint8")
        f(type_tag<std::uint8_t>{});
    else if (name == "complex64")
        f(type_tag<c64>{});
    else if (name == "complex128")
        f(type_tag<c128>{});
    else
        throw nb::type_error(("unknown dtype '" + name +
                              "': expected float32, float64, float16, bfloat16, int32, uint8, "
                              "complex64 or complex128")
                                 .c_str());
}

// The memory type of an imported array: CPU and pinned host memory are HOST, CUDA memory
// DEVICE, cudaMallocManaged memory CUDA_MANAGED; other devices a TypeError.
inline memory_t memory_of_dlpack(int device_type) {
    switch (device_type) {
        case dl_cpu:
        case dl_cuda_host:
            return HOST;
        case dl_cuda:
            return DEVICE;
        case dl_cuda_managed:
            return CUDA_MANAGED;
        default:
            throw nb::type_error(("DLPack device type " + std::to_string(device_type) +
                                  " has no magmadnn memory type (CPU, CUDA, CUDA host and CUDA "
                                  "managed memory do)")
                                     .c_str());
    }
}

// Whether the interpreter is shutting down (no thread may take the GIL then).
inline bool interpreter_finalizing() {
#if PY_VERSION_HEX >= 0x030D0000
    return Py_IsFinalizing();
#else
    return _Py_IsFinalizing();
#endif
}

}  // namespace magmadnn::python
