// Least squares by Householder QR (LAPACK gels) and the thin QR factorization (geqrf + orgqr).
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
Tensor<T> lstsq(const Tensor<T>& A, const Tensor<T>& b) {
    detail::require_ndim("lstsq", "A", A.shape(), 2);
    const index_t m = A.shape(0);
    const index_t n = A.shape(1);
    const index_t nrhs = detail::require_rhs("lstsq", A.shape(), m, b.shape());
    detail::require_finite("lstsq", "A", A);
    detail::require_finite("lstsq", "b", b);
    if (detail::on_device("lstsq", A, b)) {
#ifdef MAGMADNN_WITH_CUDA
        return cuda::lstsq(A, b);
#endif
    }
    Shape xs = b.shape();
    xs[0] = n;
    Tensor<T> x(xs, HOST);
    if (m == 0 || n == 0) return x;
    Tensor<T> a = A.clone();
    // gels works in place on a {max(m, n), nrhs} right-hand side.
    std::vector<T> work(static_cast<std::size_t>(std::max(m, n) * nrhs), T(0));
    std::copy_n(b.to(HOST).cdata(), m * nrhs, work.data());
    const lapack_int info = lapack::gels(static_cast<lapack_int>(m), static_cast<lapack_int>(n),
                                         static_cast<lapack_int>(nrhs), a.data(), work.data());
    if (info < 0) detail::lapack_failed("lstsq", "gels", info);
    if (info > 0) detail::rank_deficient("lstsq", "A", A.shape(), info - 1);
    std::copy_n(work.data(), n * nrhs, x.data());
    return x;
}

template <typename T>
QRResult<T> qr(const Tensor<T>& A) {
    detail::require_ndim("qr", "A", A.shape(), 2);
    detail::require_finite("qr", "A", A);
    if (detail::on_device("qr", A)) {
#ifdef MAGMADNN_WITH_CUDA
        return cuda::qr(A);
#endif
    }
    const index_t m = A.shape(0);
    const index_t n = A.shape(1);
    const index_t k = std::min(m, n);
    Tensor<T> a = A.clone();
    QRResult<T> out{Tensor<T>({m, k}, HOST), Tensor<T>({k, n}, HOST)};
    if (k == 0) return out;
    std::vector<T> tau(static_cast<std::size_t>(k));
    lapack_int info =
        lapack::geqrf(static_cast<lapack_int>(m), static_cast<lapack_int>(n), a.data(), tau.data());
    if (info < 0) detail::lapack_failed("qr", "geqrf", info);
    T* r = out.R.data();
    const T* pa = a.cdata();
    for (index_t i = 0; i < k; ++i) {
        for (index_t j = i; j < n; ++j) r[i * n + j] = pa[i * n + j];
    }
    // orgqr forms Q in the first k columns of a {m, n} buffer (lda = n).
    info = lapack::orgqr(static_cast<lapack_int>(m), static_cast<lapack_int>(k), a.data(),
                         static_cast<lapack_int>(n), tau.data());
    if (info < 0) detail::lapack_failed("qr", "orgqr", info);
    T* q = out.Q.data();
    for (index_t i = 0; i < m; ++i) std::copy_n(pa + i * n, k, q + i * k);
    return out;
}

template Tensor<float> lstsq<float>(const Tensor<float>&, const Tensor<float>&);
template Tensor<double> lstsq<double>(const Tensor<double>&, const Tensor<double>&);
template QRResult<float> qr<float>(const Tensor<float>&);
template QRResult<double> qr<double>(const Tensor<double>&);

}  // namespace magmadnn::linalg
