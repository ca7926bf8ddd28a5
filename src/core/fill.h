#pragma once
// Private: computes a filler's values on the host, in double, for any element type.

#include <vector>

#include "magmadnn/core/init.h"
#include "magmadnn/core/shape.h"

namespace magmadnn::detail {

std::vector<double> filler_values(const Filler& filler, const Shape& shape);

}  // namespace magmadnn::detail
