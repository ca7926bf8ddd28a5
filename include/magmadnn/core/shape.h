#pragma once
// Shapes are plain vectors of extents, row-major (the last index varies fastest).

#include <string>
#include <vector>

#include "magmadnn/core/types.h"

namespace magmadnn {

using Shape = std::vector<index_t>;

// Number of elements; 1 for the empty shape (a scalar).
index_t numel(const Shape& shape);

// "{2, 3, 4}"
std::string to_string(const Shape& shape);

// Throws ValueError naming `what` if an extent is negative or the elements number over 2^63.
void check_shape(const Shape& shape, const char* what);

}  // namespace magmadnn
