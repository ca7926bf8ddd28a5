#include "magmadnn/core/shape.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "magmadnn/core/error.h"

namespace magmadnn {

index_t numel(const Shape& shape) {
    index_t n = 1;
    for (index_t d : shape) n *= d;
    return n;
}

std::string to_string(const Shape& shape) { return fmt::format("{{{}}}", fmt::join(shape, ", ")); }

void check_shape(const Shape& shape, const char* what) {
    for (index_t d : shape) {
        if (d < 0) {
            throw ValueError(fmt::format("{}: shape {} has a negative extent; extents must be >= 0",
                                         what, to_string(shape)));
        }
    }
}

}  // namespace magmadnn
