#pragma once
// Philox4x32-10, a counter-based generator: element i of stream s under seed k is a pure function
// of (k, s, i), so the CPU and the GPU produce the same numbers and any element can be drawn in
// parallel without shared state.

#include <cmath>
#include <cstdint>

#include "magmadnn/core/half.h"

namespace magmadnn::random {

struct Philox4x32 {
    std::uint32_t v[4];
};

MAGMADNN_HD inline void mulhilo(std::uint32_t a, std::uint32_t b, std::uint32_t& hi,
                                std::uint32_t& lo) {
    const std::uint64_t p = static_cast<std::uint64_t>(a) * b;
    hi = static_cast<std::uint32_t>(p >> 32);
    lo = static_cast<std::uint32_t>(p);
}

// Ten rounds of Philox on counter (c0..c3) under key (k0, k1).
MAGMADNN_HD inline Philox4x32 philox(std::uint32_t c0, std::uint32_t c1, std::uint32_t c2,
                                     std::uint32_t c3, std::uint32_t k0, std::uint32_t k1) {
    for (int round = 0; round < 10; ++round) {
        std::uint32_t hi0, lo0, hi1, lo1;
        mulhilo(0xD2511F53u, c0, hi0, lo0);
        mulhilo(0xCD9E8D57u, c2, hi1, lo1);
        const std::uint32_t n0 = hi1 ^ c1 ^ k0;
        const std::uint32_t n2 = hi0 ^ c3 ^ k1;
        c0 = n0;
        c1 = lo1;
        c2 = n2;
        c3 = lo0;
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
    }
    return {{c0, c1, c2, c3}};
}

// Uniform in (0, 1]: never 0, so log() in Box-Muller is finite.
MAGMADNN_HD inline double to_unit(std::uint32_t hi, std::uint32_t lo) {
    const std::uint64_t bits = (static_cast<std::uint64_t>(hi) << 21) ^ lo;  // 53 bits used
    return (static_cast<double>(bits & ((1ull << 53) - 1)) + 1.0) * (1.0 / 9007199254740992.0);
}

// The i-th uniform draw in (0, 1] of a stream.
MAGMADNN_HD inline double uniform(std::uint64_t seed, std::uint64_t stream, std::uint64_t i) {
    const Philox4x32 r =
        philox(static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(i >> 32),
               static_cast<std::uint32_t>(stream), static_cast<std::uint32_t>(stream >> 32),
               static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32));
    return to_unit(r.v[0], r.v[1]);
}

// The i-th standard normal draw of a stream (Box-Muller on one Philox block).
MAGMADNN_HD inline double normal(std::uint64_t seed, std::uint64_t stream, std::uint64_t i) {
    const Philox4x32 r =
        philox(static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(i >> 32),
               static_cast<std::uint32_t>(stream), static_cast<std::uint32_t>(stream >> 32),
               static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32));
    const double u1 = to_unit(r.v[0], r.v[1]);
    const double u2 = to_unit(r.v[2], r.v[3]);
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

}  // namespace magmadnn::random

namespace magmadnn {

// The global seed, and a fresh stream number for each tensor that is filled, so that one seed
// reproduces a whole program's initial values.
void set_seed(std::uint64_t seed);
std::uint64_t global_seed();
std::uint64_t next_stream();

}  // namespace magmadnn
