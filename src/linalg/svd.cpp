// Thin SVD: LAPACK's divide-and-conquer gesdd, with the QR-iteration gesvd as a fallback when
// gesdd does not converge (cuSOLVER's Jacobi gesvdj on the GPU).
#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "common.h"
#include "cpu/lapack.h"
#include "cuda/solvers.h"
#include "magmadnn/core/error.h"
#include "magmadnn/linalg/decomp.h"

namespace magmadnn::linalg {

template <typename T>
SVDResult<T> svd(const Tensor<T>& A) {
    detail::require_ndim("svd", "A", A.shape(), 2);
    detail::require_finite("svd", "A", A);
    if (detail::on_device("svd", A)) {
#ifdef MAGMADNN_WITH_CUDA
        return cuda::svd(A);
#endif
    }
    const index_t m = A.shape(0);
    const index_t n = A.shape(1);
    const index_t k = std::min(m, n);
    SVDResult<T> out{Tensor<T>({m, k}, HOST), Tensor<T>({k}, HOST), Tensor<T>({k, n}, HOST)};
    if (k == 0) return out;
    const auto mi = static_cast<lapack_int>(m);
    const auto ni = static_cast<lapack_int>(n);
    Tensor<T> a = A.clone();
    lapack_int info = lapack::gesdd(mi, ni, a.data(), out.S.data(), out.U.data(), out.Vt.data());
    if (info > 0) {
        a.copy_from(A);
        std::vector<T> superb(static_cast<std::size_t>(k));
        info = lapack::gesvd(mi, ni, a.data(), out.S.data(), out.U.data(), out.Vt.data(),
                             superb.data());
    }
    if (info < 0) detail::lapack_failed("svd", "gesdd", info);
    if (info > 0) {
        throw NumericError(
            fmt::format("linalg::svd: neither gesdd nor gesvd converged for A {} "
                        "({} superdiagonals left); the matrix may be badly scaled",
                        to_string(A.shape()), info));
    }
    return out;
}

template SVDResult<float> svd<float>(const Tensor<float>&);
template SVDResult<double> svd<double>(const Tensor<double>&);

}  // namespace magmadnn::linalg
