#pragma once
// Private: LU solves without transposing. A row-major {n, n} buffer is the column-major A^T;
// LAPACK's getrf on it gives A^T = P L U, and A X = B becomes X^T = B^T U^-1 L^-1 P^T: two
// triangular solves from the right on the row-major B (the column-major B^T) and column swaps,
// all BLAS-3, no copies.
#include <lapacke.h>

#include "magmadnn/core/types.h"

namespace magmadnn::linalg::cpu {

// Returns LAPACK's info (> 0: U(info-1, info-1) is exactly zero).
template <typename T>
lapack_int getrf_transposed(index_t n, T* a, lapack_int* ipiv);
// B {n, nrhs} row-major, overwritten with X.
template <typename T>
void getrs_transposed(index_t n, index_t nrhs, const T* lu, const lapack_int* ipiv, T* b);

}  // namespace magmadnn::linalg::cpu
