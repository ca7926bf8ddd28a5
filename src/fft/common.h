#pragma once
// Private: argument checks shared by the FFT routines.
#include <vector>

#include "magmadnn/core/tensor.h"

namespace magmadnn::fft::detail {

// The last `rank` extents of `shape` (ShapeError naming `routine` if there are fewer axes or an
// extent does not fit in an int).
std::vector<int> transform_dims(const char* routine, const Shape& shape, int rank);
// The number of transforms: the product of the leading extents.
int batch_of(const Shape& shape, int rank);
// True for GPU memory (DeviceError where no device is present).
bool on_device(const char* routine, memory_t memory);

}  // namespace magmadnn::fft::detail
