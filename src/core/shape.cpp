#include "magmadnn/core/shape.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstdint>

#include "magmadnn/core/error.h"

namespace magmadnn {

index_t numel(const Shape& shape) {
    // unsigned, so that a shape with a zero extent gives 0 even where the other extents'
    // product alone would overflow (check_shape rejects the overflowing ones)
    std::uint64_t n = 1;
    for (index_t d : shape) n *= static_cast<std::uint64_t>(d);
    return static_cast<index_t>(n);
}

std::string to_string(const Shape& shape) { return fmt::format("{{{}}}", fmt::join(shape, ", ")); }

void check_shape(const Shape& shape, const char* what) {
    index_t n = 1;
    bool zero = false, overflow = false;
    for (index_t d : shape) {
        if (d < 0) {
            throw ValueError(fmt::format("{}: shape {} has a negative extent; extents must be >= 0",
                                         what, to_string(shape)));
        }
        zero = zero || d == 0;
        overflow = overflow || __builtin_mul_overflow(n, d, &n);
    }
    if (overflow && !zero) {
        throw ValueError(
            fmt::format("{}: shape {} has more than 2^63 elements", what, to_string(shape)));
    }
}

}  // namespace magmadnn
