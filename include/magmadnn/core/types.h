#pragma once
// Element types, memory types and the host/device function marker shared by all layers.

#include <cstdint>
#include <string_view>

#include "magmadnn/core/half.h"

namespace magmadnn {

using index_t = std::int64_t;

// Where a tensor's storage lives (the seed's memory_t, same names).
enum memory_t {
    HOST,          // ordinary host memory
    DEVICE,        // GPU memory only
    MANAGED,       // a host and a device copy kept in sync on demand (dirty flags)
    CUDA_MANAGED,  // cudaMallocManaged: one pointer valid on both sides
};

enum class DType { f32, f64, f16, bf16, i32, u8 };

template <typename T>
struct dtype_of;
template <>
struct dtype_of<float> {
    static constexpr DType value = DType::f32;
};
template <>
struct dtype_of<double> {
    static constexpr DType value = DType::f64;
};
template <>
struct dtype_of<f16> {
    static constexpr DType value = DType::f16;
};
template <>
struct dtype_of<bf16> {
    static constexpr DType value = DType::bf16;
};
template <>
struct dtype_of<std::int32_t> {
    static constexpr DType value = DType::i32;
};
template <>
struct dtype_of<std::uint8_t> {
    static constexpr DType value = DType::u8;
};

constexpr std::string_view to_string(memory_t m) {
    switch (m) {
        case HOST:
            return "HOST";
        case DEVICE:
            return "DEVICE";
        case MANAGED:
            return "MANAGED";
        case CUDA_MANAGED:
            return "CUDA_MANAGED";
    }
    return "?";
}

constexpr std::string_view to_string(DType t) {
    switch (t) {
        case DType::f32:
            return "f32";
        case DType::f64:
            return "f64";
        case DType::f16:
            return "f16";
        case DType::bf16:
            return "bf16";
        case DType::i32:
            return "i32";
        case DType::u8:
            return "u8";
    }
    return "?";
}

// True where the memory type has a host-readable copy without an explicit transfer.
constexpr bool host_accessible(memory_t m) { return m != DEVICE; }
// True where the memory type needs a CUDA device.
constexpr bool needs_device(memory_t m) { return m != HOST; }

}  // namespace magmadnn
