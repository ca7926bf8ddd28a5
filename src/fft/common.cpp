#include "common.h"

#include <fmt/format.h>

#include <limits>

#include "magmadnn/core/device.h"
#include "magmadnn/core/error.h"

namespace magmadnn::fft::detail {

std::vector<int> transform_dims(const char* routine, const Shape& shape, int rank) {
    if (static_cast<int>(shape.size()) < rank) {
        throw ShapeError(fmt::format("fft::{}: needs at least {} axes, got {}", routine, rank,
                                     to_string(shape)));
    }
    std::vector<int> dims;
    for (std::size_t a = shape.size() - static_cast<std::size_t>(rank); a < shape.size(); ++a) {
        if (shape[a] > std::numeric_limits<int>::max()) {
            throw ShapeError(fmt::format("fft::{}: extent {} of {} is too large for FFTW / cuFFT",
                                         routine, shape[a], to_string(shape)));
        }
        dims.push_back(static_cast<int>(shape[a]));
    }
    return dims;
}

int batch_of(const Shape& shape, int rank) {
    index_t b = 1;
    for (std::size_t a = 0; a + static_cast<std::size_t>(rank) < shape.size(); ++a) b *= shape[a];
    if (b > std::numeric_limits<int>::max()) {
        throw UnsupportedError(
            fmt::format("fft: {} holds {} transforms, more than FFTW / cuFFT plans take at once "
                        "(2^31 - 1); split the batch",
                        to_string(shape), b));
    }
    return static_cast<int>(b);
}

bool on_device(const char* routine, memory_t memory) {
    if (memory == HOST) return false;
    if (!has_device()) require_device(fmt::format("fft::{}", routine));
    return true;
}

}  // namespace magmadnn::fft::detail
