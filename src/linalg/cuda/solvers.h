#pragma once
// Private (CUDA builds only): cuSOLVER versions of the solvers, on tensors whose shapes the
// dispatch in src/linalg/*.cpp has already checked. A row-major buffer is the column-major
// transpose; each routine says how it uses that.
#ifdef MAGMADNN_WITH_CUDA
#include "magmadnn/linalg/decomp.h"
#include "magmadnn/linalg/solve.h"

namespace magmadnn::linalg::cuda {

template <typename T>
LUFactors<T> lu_factor(const Tensor<T>& A);
template <typename T>
Tensor<T> lu_solve(const LUFactors<T>& factors, const Tensor<T>& b, bool transpose);
template <typename T>
Tensor<T> solve(const Tensor<T>& A, const Tensor<T>& b);
template <typename T>
Tensor<T> cholesky(const Tensor<T>& A);
template <typename T>
Tensor<T> cholesky_solve(const Tensor<T>& L, const Tensor<T>& b);
template <typename T>
Tensor<T> lstsq(const Tensor<T>& A, const Tensor<T>& b);
template <typename T>
QRResult<T> qr(const Tensor<T>& A);
template <typename T>
EighResult<T> eigh(const Tensor<T>& S);
template <typename T>
SVDResult<T> svd(const Tensor<T>& A);

}  // namespace magmadnn::linalg::cuda
#endif
