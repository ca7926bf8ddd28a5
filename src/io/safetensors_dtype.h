#pragma once
// The dtype names of the safetensors format, their element sizes, and which map to our DType.

#include <cstddef>
#include <optional>
#include <string_view>

#include "magmadnn/core/types.h"

namespace magmadnn::io::detail {

struct SafetensorsDtype {
    std::string_view name;
    std::size_t size;            // bytes per element
    std::optional<DType> dtype;  // empty where this library has no element type for it
};

// nullptr for a name the format does not define.
const SafetensorsDtype* find_safetensors_dtype(std::string_view name);
std::size_t element_size(DType dtype);

}  // namespace magmadnn::io::detail
