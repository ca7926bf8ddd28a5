#pragma once
// Storage types for 16-bit floats. Arithmetic goes through float; conversions round to nearest
// even, so a value converted here matches the GPU's __float2half_rn / __float2bfloat16_rn.

#include <bit>
#include <cstdint>
#include <cstring>

#if defined(__CUDACC__)
#define MAGMADNN_HD __host__ __device__
#else
#define MAGMADNN_HD
#endif

namespace magmadnn {

namespace detail {

MAGMADNN_HD inline std::uint32_t float_bits(float f) {
    std::uint32_t u;
    std::memcpy(&u, &f, sizeof u);
    return u;
}
MAGMADNN_HD inline float bits_float(std::uint32_t u) {
    float f;
    std::memcpy(&f, &u, sizeof f);
    return f;
}

MAGMADNN_HD inline std::uint16_t float_to_half_bits(float f) {
    const std::uint32_t x = float_bits(f);
    const std::uint32_t sign = (x >> 16) & 0x8000u;
    const std::uint32_t abs = x & 0x7fffffffu;
    if (abs >= 0x7f800000u) {  // inf or nan
        return static_cast<std::uint16_t>(sign | 0x7c00u | (abs > 0x7f800000u ? 0x200u : 0u));
    }
    if (abs >= 0x477ff000u) {  // rounds to >= 65520: overflow to inf
        return static_cast<std::uint16_t>(sign | 0x7c00u);
    }
    if (abs < 0x38800000u) {  // subnormal half (or zero): scale by 2^24 and round
        const float scaled = bits_float(abs) * 16777216.0f;
        // round to nearest even through the float adder
        const float r = scaled + 12582912.0f - 12582912.0f;
        return static_cast<std::uint16_t>(sign | static_cast<std::uint32_t>(r));
    }
    const std::uint32_t mant_odd = (abs >> 13) & 1u;
    const std::uint32_t rounded = abs + 0xfffu + mant_odd;
    return static_cast<std::uint16_t>(sign | ((rounded - 0x38000000u) >> 13));
}

MAGMADNN_HD inline float half_bits_to_float(std::uint16_t h) {
    const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
    const std::uint32_t exp = (h >> 10) & 0x1fu;
    const std::uint32_t mant = h & 0x3ffu;
    if (exp == 0) {                                                         // zero or subnormal
        const float v = static_cast<float>(mant) * 5.9604644775390625e-8f;  // 2^-24
        return sign ? -v : v;
    }
    if (exp == 31) return bits_float(sign | 0x7f800000u | (mant << 13));
    return bits_float(sign | ((exp + 112u) << 23) | (mant << 13));
}

MAGMADNN_HD inline std::uint16_t float_to_bf16_bits(float f) {
    const std::uint32_t x = float_bits(f);
    if ((x & 0x7fffffffu) > 0x7f800000u) return static_cast<std::uint16_t>((x >> 16) | 0x40u);
    const std::uint32_t rounded = x + 0x7fffu + ((x >> 16) & 1u);
    return static_cast<std::uint16_t>(rounded >> 16);
}

}  // namespace detail

// IEEE 754 binary16, layout-compatible with CUDA's __half.
struct f16 {
    std::uint16_t bits = 0;
    f16() = default;
    MAGMADNN_HD f16(float f) : bits(detail::float_to_half_bits(f)) {}  // NOLINT: implicit as __half
    MAGMADNN_HD operator float() const { return detail::half_bits_to_float(bits); }
    MAGMADNN_HD static f16 from_bits(std::uint16_t b) {
        f16 h;
        h.bits = b;
        return h;
    }
};

// bfloat16 (the upper half of a float), layout-compatible with CUDA's __nv_bfloat16.
struct bf16 {
    std::uint16_t bits = 0;
    bf16() = default;
    MAGMADNN_HD bf16(float f) : bits(detail::float_to_bf16_bits(f)) {}  // NOLINT: implicit
    MAGMADNN_HD operator float() const {
        return detail::bits_float(static_cast<std::uint32_t>(bits) << 16);
    }
    MAGMADNN_HD static bf16 from_bits(std::uint16_t b) {
        bf16 h;
        h.bits = b;
        return h;
    }
};

static_assert(sizeof(f16) == 2 && sizeof(bf16) == 2);

}  // namespace magmadnn
