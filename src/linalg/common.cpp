#include "common.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "magmadnn/core/device.h"
#include "magmadnn/core/error.h"

#ifdef MAGMADNN_WITH_CUDA
#include "cuda/kernels.h"
#endif

namespace magmadnn::linalg::detail {

bool on_device(const char* routine, std::initializer_list<memory_t> memories) {
    const bool device = *memories.begin() != HOST;
    for (memory_t m : memories) {
        if ((m != HOST) != device) {
            throw DeviceError(fmt::format(
                "linalg::{}: operands mix HOST and {} memory; move them to one side first "
                "(tensor.to(...))",
                routine, to_string(m == HOST ? *memories.begin() : m)));
        }
    }
#ifndef MAGMADNN_WITH_CUDA
    if (device) require_device(fmt::format("linalg::{}", routine));
#else
    if (device && !has_device()) require_device(fmt::format("linalg::{}", routine));
#endif
    return device;
}

std::string describe(const char* what, const Shape& shape) {
    return fmt::format("{} {}", what, to_string(shape));
}

void require_ndim(const char* routine, const char* what, const Shape& shape, int ndim) {
    if (static_cast<int>(shape.size()) != ndim) {
        throw ShapeError(fmt::format("linalg::{}: {} must be {}-D, got {} ({} axes)", routine, what,
                                     ndim, to_string(shape), shape.size()));
    }
}

void require_square(const char* routine, const char* what, const Shape& shape) {
    if (shape.size() < 2 || shape[shape.size() - 1] != shape[shape.size() - 2]) {
        throw ShapeError(
            fmt::format("linalg::{}: {} must be square (its last two extents equal), got {}; use "
                        "linalg::lstsq for rectangular systems",
                        routine, what, to_string(shape)));
    }
}

index_t require_rhs(const char* routine, const Shape& A, index_t rows, const Shape& b) {
    if ((b.size() != 1 && b.size() != 2) || b[0] != rows) {
        throw ShapeError(
            fmt::format("linalg::{}: b {} does not fit A {}: b must be {{{}}} or {{{}, nrhs}}",
                        routine, to_string(b), to_string(A), rows, rows));
    }
    return b.size() == 1 ? 1 : b[1];
}

void require_int_extents(const char* routine, const char* what, const Shape& shape,
                         const char* library) {
    for (const index_t e : shape) {
        if (e > std::numeric_limits<int>::max()) {
            throw UnsupportedError(
                fmt::format("linalg::{}: {} {} has an extent past 2^31 - 1, more than {}'s 32-bit "
                            "interface takes; split the problem or pass HOST tensors",
                            routine, what, to_string(shape), library));
        }
    }
}

void lapack_failed(const char* routine, const char* call, long info) {
    throw Error(
        fmt::format("linalg::{}: {} rejected argument {} (info = {}); this is a bug in "
                    "magmadnn, please report it",
                    routine, call, -info, info));
}

void singular(const char* routine, const char* what, const Shape& shape, long pivot) {
    throw NumericError(fmt::format(
        "linalg::{}: {} {} is singular: pivot U({}, {}) of its LU factorization is exactly zero; "
        "check the matrix for dependent rows or columns, or use linalg::lstsq for a "
        "least-squares solution",
        routine, what, to_string(shape), pivot, pivot));
}

void not_positive_definite(const char* routine, const char* what, const Shape& shape, long order) {
    throw NumericError(fmt::format(
        "linalg::{}: {} {} is not positive definite: its leading minor of order {} is not "
        "positive; use linalg::solve (LU) for symmetric indefinite or non-symmetric matrices",
        routine, what, to_string(shape), order));
}

void rank_deficient(const char* routine, const char* what, const Shape& shape, long index) {
    throw NumericError(
        fmt::format("linalg::{}: {} {} is rank deficient: diagonal element {} of its triangular "
                    "factor is exactly zero; remove dependent columns or use linalg::svd for a "
                    "pseudo-inverse",
                    routine, what, to_string(shape), index));
}

template <typename T>
void require_finite(const char* routine, const char* what, const Tensor<T>& t) {
    index_t bad = -1;
    double value = 0;
    if (t.memory() == HOST) {
        const T* p = t.cdata();
        for (index_t i = 0; i < t.size() && bad < 0; ++i) {
            if (!std::isfinite(p[i])) bad = i;
        }
        if (bad >= 0) value = static_cast<double>(p[bad]);
    } else {
#ifdef MAGMADNN_WITH_CUDA
        // GPU memory is scanned where it lies: one index comes back, not the tensor.
        bad = cuda::first_nonfinite(t.size(), t.cdevice_data());
        if (bad >= 0) value = static_cast<double>(t.get_flat(bad));
#endif
    }
    if (bad >= 0) {
        throw NumericError(
            fmt::format("linalg::{}: {} {} holds {} at flat index {}; the input must be finite",
                        routine, what, to_string(t.shape()), value, bad));
    }
}

template void require_finite<float>(const char*, const char*, const Tensor<float>&);
template void require_finite<double>(const char*, const char*, const Tensor<double>&);

}  // namespace magmadnn::linalg::detail
