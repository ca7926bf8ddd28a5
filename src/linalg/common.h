#pragma once
// Private: argument checks shared by the linear-algebra routines. Every message names the
// routine, the shapes and the fix.

#include <string>

#include "magmadnn/core/tensor.h"

namespace magmadnn::linalg::detail {

// True when the routine runs on the GPU. All operands must be on one side (DeviceError
// otherwise); GPU memory in a build or on a machine without a device throws too.
bool on_device(const char* routine, std::initializer_list<memory_t> memories);

template <typename... Ts>
bool on_device(const char* routine, const Ts&... tensors) {
    return on_device(routine, {tensors.memory()...});
}

// ShapeError unless `t` has `ndim` axes; `what` names the operand ("A", "b").
void require_ndim(const char* routine, const char* what, const Shape& shape, int ndim);
// ShapeError unless the last two axes are equal (a square matrix, or a batch of them).
void require_square(const char* routine, const char* what, const Shape& shape);
// NumericError naming the first non-finite element.
template <typename T>
void require_finite(const char* routine, const char* what, const Tensor<T>& t);

// The number of right-hand sides of b ({n} -> 1, {n, nrhs} -> nrhs); ShapeError unless b has
// `rows` rows.
index_t require_rhs(const char* routine, const Shape& A, index_t rows, const Shape& b);
// UnsupportedError unless every extent of `shape` fits the int of a 32-bit library interface
// (`library`, e.g. "cuSOLVER").
void require_int_extents(const char* routine, const char* what, const Shape& shape,
                         const char* library);
// Error for a LAPACK / cuSOLVER argument error (info < 0): a bug, not a user error.
[[noreturn]] void lapack_failed(const char* routine, const char* call, long info);

// NumericError for an exactly zero pivot U(pivot, pivot) (0-based) of `what`.
[[noreturn]] void singular(const char* routine, const char* what, const Shape& shape, long pivot);
// NumericError for a Cholesky that met a non-positive leading minor of order `order` (1-based).
[[noreturn]] void not_positive_definite(const char* routine, const char* what, const Shape& shape,
                                        long order);

// NumericError for a least-squares A whose triangular factor R has an exactly zero diagonal
// element R(index, index) (0-based).
[[noreturn]] void rank_deficient(const char* routine, const char* what, const Shape& shape,
                                 long index);

// "A {3, 4}"
std::string describe(const char* what, const Shape& shape);

}  // namespace magmadnn::linalg::detail
