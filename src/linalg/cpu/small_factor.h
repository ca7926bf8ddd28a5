#pragma once
// Private: unblocked factorizations and solves for one small row-major matrix, run one per
// thread by the batched drivers. Each returns LAPACK's info: 0, or the 1-based index of the
// zero pivot / the non-positive leading minor.
#include <cstdint>

#include "magmadnn/core/types.h"

namespace magmadnn::linalg::cpu {

// P A = L U in place; piv[j] is the row swapped with row j (0-based).
template <typename T>
index_t lu_small(index_t n, T* a, std::int32_t* piv);
// b {n, nrhs} <- A^-1 b from lu_small's output.
template <typename T>
void lu_solve_small(index_t n, index_t nrhs, const T* lu, const std::int32_t* piv, T* b);
// The same factors, A^T X = B: U^T z = b, L^T w = z, then the row swaps undone in reverse.
template <typename T>
void lu_solve_small_transposed(index_t n, index_t nrhs, const T* lu, const std::int32_t* piv, T* b);
// A = L L^T in place (lower), the strict upper triangle zeroed.
template <typename T>
index_t cholesky_small(index_t n, T* a);
// b {n, nrhs} <- (L L^T)^-1 b.
template <typename T>
void cholesky_solve_small(index_t n, index_t nrhs, const T* l, T* b);

}  // namespace magmadnn::linalg::cpu
