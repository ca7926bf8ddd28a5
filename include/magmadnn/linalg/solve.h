#pragma once
// Square solvers: LU with partial pivoting and Cholesky, on HOST tensors (LAPACK through
// LAPACKE) or on the GPU (cuSOLVER). f32 and f64.
//
//     Tensor<double> x = linalg::solve(A, b);    // A {n, n}, b {n} or {n, nrhs}
//     auto f = linalg::lu_factor(A);             // P A = L U, reusable for many right-hand sides
//     Tensor<double> y = linalg::lu_solve(f, c);
//     Tensor<double> z = linalg::lu_solve(f, c, true);   // A^T z = c, same factors
//     Tensor<double> L = linalg::cholesky(S);    // S = L L^T, S symmetric positive definite
//     Tensor<double> z = linalg::cholesky_solve(L, c);
//
// Errors: ShapeError for a non-square A or a b whose rows differ from A's; NumericError for a
// NaN / infinite input, a singular matrix (naming the zero pivot) or, for Cholesky, a matrix that
// is not positive definite (naming the failing leading minor).

#include <cstdint>

#include "magmadnn/core/tensor.h"

namespace magmadnn::linalg {

// P A = L U. `lu` holds L (unit diagonal, below) and U (on and above the diagonal), row-major;
// `pivots[i]` is the row swapped with row i at step i (0-based, as LAPACK's ipiv minus one).
template <typename T>
struct LUFactors {
    Tensor<T> lu;
    Tensor<std::int32_t> pivots;
};

template <typename T>
LUFactors<T> lu_factor(const Tensor<T>& A);
// x with A x = b, or with A^T x = b when `transpose` (the same factors serve both).
template <typename T>
Tensor<T> lu_solve(const LUFactors<T>& factors, const Tensor<T>& b, bool transpose = false);
// x with A x = b by LU with partial pivoting.
template <typename T>
Tensor<T> solve(const Tensor<T>& A, const Tensor<T>& b);

// The lower-triangular L with A = L L^T (the strict upper triangle is zero).
template <typename T>
Tensor<T> cholesky(const Tensor<T>& A);
// x with L L^T x = b, L from cholesky().
template <typename T>
Tensor<T> cholesky_solve(const Tensor<T>& L, const Tensor<T>& b);

}  // namespace magmadnn::linalg
