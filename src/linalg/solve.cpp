// LU with partial pivoting: lu_factor / lu_solve (P A = L U, row-major, as numpy/scipy) and
// solve, which factors the column-major transpose in place and needs no copies of b.
#include "magmadnn/linalg/solve.h"

#include <fmt/format.h>

#include <vector>

#include "common.h"
#include "cpu/lapack.h"
#include "cpu/lu_transposed.h"
#include "cuda/solvers.h"
#include "magmadnn/core/error.h"

namespace magmadnn::linalg {

template <typename T>
LUFactors<T> lu_factor(const Tensor<T>& A) {
    detail::require_ndim("lu_factor", "A", A.shape(), 2);
    detail::require_square("lu_factor", "A", A.shape());
    detail::require_finite("lu_factor", "A", A);
    if (detail::on_device("lu_factor", A)) {
#ifdef MAGMADNN_WITH_CUDA
        return cuda::lu_factor(A);
#endif
    }
    const index_t n = A.shape(0);
    LUFactors<T> f{A.clone(), Tensor<std::int32_t>({n}, HOST)};
    std::vector<lapack_int> ipiv(static_cast<std::size_t>(n));
    const lapack_int info = lapack::getrf(static_cast<lapack_int>(n), f.lu.data(), ipiv.data());
    if (info < 0) detail::lapack_failed("lu_factor", "getrf", info);
    if (info > 0) detail::singular("lu_factor", "A", A.shape(), info - 1);
    std::int32_t* p = f.pivots.data();
    for (index_t i = 0; i < n; ++i) p[i] = static_cast<std::int32_t>(ipiv[i] - 1);
    return f;
}

template <typename T>
Tensor<T> lu_solve(const LUFactors<T>& factors, const Tensor<T>& b, bool transpose) {
    const Tensor<T>& lu = factors.lu;
    detail::require_ndim("lu_solve", "factors.lu", lu.shape(), 2);
    detail::require_square("lu_solve", "factors.lu", lu.shape());
    const index_t n = lu.shape(0);
    if (factors.pivots.size() != n) {
        throw ShapeError(
            fmt::format("linalg::lu_solve: {} pivots for factors.lu {}; pass the "
                        "result of lu_factor unchanged",
                        factors.pivots.size(), to_string(lu.shape())));
    }
    const index_t nrhs = detail::require_rhs("lu_solve", lu.shape(), n, b.shape());
    detail::require_finite("lu_solve", "b", b);
    if (detail::on_device("lu_solve", lu, b)) {
#ifdef MAGMADNN_WITH_CUDA
        return cuda::lu_solve(factors, b, transpose);
#endif
    }
    Tensor<T> x = b.clone();
    std::vector<lapack_int> ipiv(static_cast<std::size_t>(n));
    const Tensor<std::int32_t> piv = factors.pivots.to(HOST);
    for (index_t i = 0; i < n; ++i) ipiv[i] = piv.cdata()[i] + 1;
    const lapack_int info = lapack::getrs(static_cast<lapack_int>(n), static_cast<lapack_int>(nrhs),
                                          lu.cdata(), ipiv.data(), x.data(), transpose ? 'T' : 'N');
    if (info < 0) detail::lapack_failed("lu_solve", "getrs", info);
    return x;
}

template <typename T>
Tensor<T> solve(const Tensor<T>& A, const Tensor<T>& b) {
    detail::require_ndim("solve", "A", A.shape(), 2);
    detail::require_square("solve", "A", A.shape());
    const index_t n = A.shape(0);
    const index_t nrhs = detail::require_rhs("solve", A.shape(), n, b.shape());
    detail::require_finite("solve", "A", A);
    detail::require_finite("solve", "b", b);
    if (detail::on_device("solve", A, b)) {
#ifdef MAGMADNN_WITH_CUDA
        return cuda::solve(A, b);
#endif
    }
    Tensor<T> lu = A.clone();
    Tensor<T> x = b.clone();
    if (n == 0) return x;
    std::vector<lapack_int> ipiv(static_cast<std::size_t>(n));
    const lapack_int info = cpu::getrf_transposed(n, lu.data(), ipiv.data());
    if (info < 0) detail::lapack_failed("solve", "getrf", info);
    if (info > 0) detail::singular("solve", "A", A.shape(), info - 1);
    cpu::getrs_transposed(n, nrhs, lu.cdata(), ipiv.data(), x.data());
    return x;
}

#define MAGMADNN_INSTANTIATE(T)                                                  \
    template LUFactors<T> lu_factor<T>(const Tensor<T>&);                        \
    template Tensor<T> lu_solve<T>(const LUFactors<T>&, const Tensor<T>&, bool); \
    template Tensor<T> solve<T>(const Tensor<T>&, const Tensor<T>&);
MAGMADNN_INSTANTIATE(float)
MAGMADNN_INSTANTIATE(double)
#undef MAGMADNN_INSTANTIATE

}  // namespace magmadnn::linalg
