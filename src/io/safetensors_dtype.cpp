#include "safetensors_dtype.h"

#include <array>

#include "magmadnn/io/safetensors.h"

namespace magmadnn::io {

namespace detail {

namespace {

// The dtypes of the safetensors specification with a whole number of bytes per element.
constexpr std::array<SafetensorsDtype, 15> kDtypes{{
    {"F64", 8, DType::f64},
    {"F32", 4, DType::f32},
    {"F16", 2, DType::f16},
    {"BF16", 2, DType::bf16},
    {"I32", 4, DType::i32},
    {"U8", 1, DType::u8},
    {"I64", 8, std::nullopt},
    {"U64", 8, std::nullopt},
    {"U32", 4, std::nullopt},
    {"I16", 2, std::nullopt},
    {"U16", 2, std::nullopt},
    {"I8", 1, std::nullopt},
    {"BOOL", 1, std::nullopt},
    {"F8_E4M3", 1, std::nullopt},
    {"F8_E5M2", 1, std::nullopt},
}};

}  // namespace

const SafetensorsDtype* find_safetensors_dtype(std::string_view name) {
    for (const SafetensorsDtype& d : kDtypes) {
        if (d.name == name) return &d;
    }
    return nullptr;
}

std::size_t element_size(DType dtype) {
    for (const SafetensorsDtype& d : kDtypes) {
        if (d.dtype == dtype) return d.size;
    }
    return 0;
}

}  // namespace detail

std::string safetensors_dtype_name(DType dtype) {
    switch (dtype) {
        case DType::f32:
            return "F32";
        case DType::f64:
            return "F64";
        case DType::f16:
            return "F16";
        case DType::bf16:
            return "BF16";
        case DType::i32:
            return "I32";
        case DType::u8:
            return "U8";
    }
    return "?";
}

}  // namespace magmadnn::io
