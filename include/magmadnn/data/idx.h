#pragma once
// IDX files (the MNIST / Fashion-MNIST format): magic 0x00 0x00 0x08 <ndim>, <ndim> big-endian
// 32-bit extents, then the unsigned bytes in row-major order. Gzipped or plain.

#include <cstdint>
#include <string>

#include "magmadnn/core/tensor.h"

namespace magmadnn::data {

// Reads an unsigned-byte IDX file, plain or gzipped, into a HOST tensor shaped as its extents.
// Throws IOError when the file cannot be opened or read, FormatError when its contents break
// the format (wrong magic, a type other than unsigned byte, fewer or more data bytes than the
// header promises, a corrupt gzip stream).
Tensor<std::uint8_t> read_idx(const std::string& path);

}  // namespace magmadnn::data
