// Cholesky factorization A = L L^T and the matching solve (LAPACK potrf / potrs, cuSOLVER on the
// GPU). Only the lower triangle of A is read.
#include <fmt/format.h>

#include "common.h"
#include "cpu/lapack.h"
#include "cuda/solvers.h"
#include "magmadnn/core/error.h"
#include "magmadnn/linalg/solve.h"

namespace magmadnn::linalg {

template <typename T>
Tensor<T> cholesky(const Tensor<T>& A) {
    detail::require_ndim("cholesky", "A", A.shape(), 2);
    detail::require_square("cholesky", "A", A.shape());
    detail::require_finite("cholesky", "A", A);
    if (detail::on_device("cholesky", A)) {
#ifdef MAGMADNN_WITH_CUDA
        return cuda::cholesky(A);
#endif
    }
    const index_t n = A.shape(0);
    Tensor<T> L = A.clone();
    T* l = L.data();
    const lapack_int info = lapack::potrf(static_cast<lapack_int>(n), l);
    if (info < 0) detail::lapack_failed("cholesky", "potrf", info);
    if (info > 0) detail::not_positive_definite("cholesky", "A", A.shape(), info);
    for (index_t i = 0; i < n; ++i) {
        for (index_t j = i + 1; j < n; ++j) l[i * n + j] = T(0);
    }
    return L;
}

template <typename T>
Tensor<T> cholesky_solve(const Tensor<T>& L, const Tensor<T>& b) {
    detail::require_ndim("cholesky_solve", "L", L.shape(), 2);
    detail::require_square("cholesky_solve", "L", L.shape());
    const index_t n = L.shape(0);
    const index_t nrhs = detail::require_rhs("cholesky_solve", L.shape(), n, b.shape());
    detail::require_finite("cholesky_solve", "b", b);
    if (detail::on_device("cholesky_solve", L, b)) {
#ifdef MAGMADNN_WITH_CUDA
        return cuda::cholesky_solve(L, b);
#endif
    }
    Tensor<T> x = b.clone();
    if (n == 0) return x;
    const lapack_int info = lapack::potrs(static_cast<lapack_int>(n), static_cast<lapack_int>(nrhs),
                                          L.cdata(), x.data());
    if (info < 0) detail::lapack_failed("cholesky_solve", "potrs", info);
    return x;
}

template Tensor<float> cholesky<float>(const Tensor<float>&);
template Tensor<double> cholesky<double>(const Tensor<double>&);
template Tensor<float> cholesky_solve<float>(const Tensor<float>&, const Tensor<float>&);
template Tensor<double> cholesky_solve<double>(const Tensor<double>&, const Tensor<double>&);

}  // namespace magmadnn::linalg
