#pragma once
// Initializers, as the seed names them: a filler type and its parameters.

#include <cstdint>
#include <optional>
#include <vector>

namespace magmadnn {

enum tensor_filler_t {
    NONE,  // leave uninitialized (zeroed memory in practice)
    ZERO,
    ONE,
    CONSTANT,  // params: {value}
    IDENTITY,  // ones on the diagonal of a 2-D tensor
    DIAGONAL,  // params: the diagonal ({d} repeats d; {d0, d1, ...} one per row)
    UNIFORM,   // params: {low, high}, default {0, 1}
    NORMAL,    // params: {mean, stddev}, default {0, 1}
    GLOROT,    // normal, stddev sqrt(2 / (fan_in + fan_out)); params: {gain} optional (default 1)
    HE,        // normal, stddev sqrt(2 / fan_in); params: {gain} optional
};

struct Filler {
    tensor_filler_t type = NONE;
    std::vector<double> params;
    std::optional<std::uint64_t> seed;  // default: the global seed with a fresh stream

    Filler() = default;
    Filler(tensor_filler_t t, std::vector<double> p = {}) : type(t), params(std::move(p)) {}
    Filler(tensor_filler_t t, std::vector<double> p, std::uint64_t s)
        : type(t), params(std::move(p)), seed(s) {}
};

}  // namespace magmadnn
