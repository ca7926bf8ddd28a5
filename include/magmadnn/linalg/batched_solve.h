#pragma once
// Batched LU, Cholesky and solves for many small matrices (f32, f64): A {batch, n, n},
// b {batch, n} or {batch, n, nrhs}.
//
//     auto f = linalg::lu_factor_batched(As);        // f.lu {batch, n, n}, f.pivots {batch, n}
//     Tensor<float> xs = linalg::lu_solve_batched(f, bs);
//     Tensor<float> ys = linalg::solve_batched(As, bs);
//     Tensor<float> Ls = linalg::cholesky_batched(Ss);
//     Tensor<float> zs = linalg::cholesky_solve_batched(Ls, bs);
//
// On the host, matrices up to 64 x 64 use unblocked kernels in an OpenMP loop over the batch
// (MAGMA's approach: one small problem per thread, no library call overhead); larger ones go to
// LAPACK one by one. On the GPU: cublas getrfBatched / getrsBatched, cusolver potrfBatched and
// cublas trsmBatched. A singular or indefinite matrix throws NumericError naming its index in
// the batch.

#include "magmadnn/linalg/solve.h"

namespace magmadnn::linalg {

template <typename T>
LUFactors<T> lu_factor_batched(const Tensor<T>& A);
// transpose: A^T x = b for each matrix, with the same factors.
template <typename T>
Tensor<T> lu_solve_batched(const LUFactors<T>& factors, const Tensor<T>& b, bool transpose = false);
template <typename T>
Tensor<T> solve_batched(const Tensor<T>& A, const Tensor<T>& b);
template <typename T>
Tensor<T> cholesky_batched(const Tensor<T>& A);
template <typename T>
Tensor<T> cholesky_solve_batched(const Tensor<T>& L, const Tensor<T>& b);

}  // namespace magmadnn::linalg
