#pragma once
// Private (CUDA builds only): batched LU / Cholesky on the GPU (cuBLAS getrfBatched /
// getrsBatched / trsmBatched, cuSOLVER potrfBatched), shapes already checked.
#ifdef MAGMADNN_WITH_CUDA
#include "magmadnn/linalg/batched_solve.h"

namespace magmadnn::linalg::cuda {

template <typename T>
LUFactors<T> lu_factor_batched(const Tensor<T>& A);
template <typename T>
Tensor<T> lu_solve_batched(const LUFactors<T>& factors, const Tensor<T>& b, bool transpose);
template <typename T>
Tensor<T> solve_batched(const Tensor<T>& A, const Tensor<T>& b);
template <typename T>
Tensor<T> cholesky_batched(const Tensor<T>& A);
template <typename T>
Tensor<T> cholesky_solve_batched(const Tensor<T>& L, const Tensor<T>& b);

}  // namespace magmadnn::linalg::cuda
#endif
