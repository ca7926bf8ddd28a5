#include "refine.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "lu_transposed.h"

namespace magmadnn::linalg::cpu {

static_assert(std::is_same_v<lapack_int, int>, "LAPACKE with 32-bit integers expected");

bool F32Factors::factor(index_t n, const double* A) {
    n_ = n;
    lu_.resize(static_cast<std::size_t>(n * n));
    ipiv_.resize(static_cast<std::size_t>(n));
    work_.resize(static_cast<std::size_t>(n));
    const index_t total = n * n;
    bool finite = true;
#pragma omp parallel for schedule(static) reduction(&& : finite)
    for (index_t i = 0; i < total; ++i) {
        lu_[i] = static_cast<float>(A[i]);
        finite = finite && std::isfinite(lu_[i]);
    }
    if (!finite) return false;
    return getrf_transposed(n, lu_.data(), ipiv_.data()) == 0;
}

void F32Factors::apply(const double* r, double* d) const {
    double scale = 0;
    for (index_t i = 0; i < n_; ++i) scale = std::max(scale, std::abs(r[i]));
    if (scale == 0) {
        std::fill_n(d, n_, 0.0);
        return;
    }
    for (index_t i = 0; i < n_; ++i) work_[i] = static_cast<float>(r[i] / scale);
    getrs_transposed(n_, 1, lu_.data(), ipiv_.data(), work_.data());
    for (index_t i = 0; i < n_; ++i) d[i] = scale * static_cast<double>(work_[i]);
}

int gmres(index_t n, const double* A, const F32Factors& M, const double* r, double* d, int max_iter,
          double rel_tol) {
    const int m = static_cast<int>(std::min<index_t>(max_iter, n));
    const auto nn = static_cast<std::size_t>(n);
    std::vector<double> V(nn *
                          static_cast<std::size_t>(m + 1));  // Krylov basis, column j at V + j n
    std::vector<double> H(static_cast<std::size_t>((m + 1) * m), 0.0);  // H(i, j) at i m + j
    std::vector<double> cs(static_cast<std::size_t>(m)), sn(static_cast<std::size_t>(m));
    std::vector<double> g(static_cast<std::size_t>(m + 1), 0.0);
    std::vector<double> w(nn);
    const auto bn = static_cast<blasint>(n);
    std::fill_n(d, n, 0.0);
    M.apply(r, V.data());  // z0 = M^-1 r
    const double beta = cblas_dnrm2(bn, V.data(), 1);
    if (beta == 0) return 0;
    cblas_dscal(bn, 1.0 / beta, V.data(), 1);
    g[0] = beta;
    int k = 0;
    for (; k < m; ++k) {
        // w = M^-1 A v_k
        cblas_dgemv(CblasRowMajor, CblasNoTrans, bn, bn, 1.0, A, bn, V.data() + k * nn, 1, 0.0,
                    w.data(), 1);
        M.apply(w.data(), w.data());
        for (int i = 0; i <= k; ++i) {  // modified Gram-Schmidt
            const double h = cblas_ddot(bn, w.data(), 1, V.data() + i * nn, 1);
            H[i * m + k] = h;
            cblas_daxpy(bn, -h, V.data() + i * nn, 1, w.data(), 1);
        }
        const double hn = cblas_dnrm2(bn, w.data(), 1);
        H[(k + 1) * m + k] = hn;
        if (hn > 0) {
            std::copy(w.begin(), w.end(), V.begin() + static_cast<std::ptrdiff_t>((k + 1) * nn));
            cblas_dscal(bn, 1.0 / hn, V.data() + (k + 1) * nn, 1);
        }
        for (int i = 0; i < k; ++i) {  // earlier Givens rotations
            const double a = H[i * m + k];
            const double b = H[(i + 1) * m + k];
            H[i * m + k] = cs[i] * a + sn[i] * b;
            H[(i + 1) * m + k] = -sn[i] * a + cs[i] * b;
        }
        const double a = H[k * m + k];
        const double b = H[(k + 1) * m + k];
        const double rho = std::hypot(a, b);
        cs[k] = rho == 0 ? 1.0 : a / rho;
        sn[k] = rho == 0 ? 0.0 : b / rho;
        H[k * m + k] = rho;
        H[(k + 1) * m + k] = 0;
        g[k + 1] = -sn[k] * g[k];
        g[k] = cs[k] * g[k];
        if (std::abs(g[k + 1]) <= rel_tol * beta || hn == 0) {
            ++k;
            break;
        }
    }
    // y = H(0:k, 0:k)^-1 g, d = V y
    std::vector<double> y(static_cast<std::size_t>(k));
    for (int i = k - 1; i >= 0; --i) {
        double s = g[i];
        for (int j = i + 1; j < k; ++j) s -= H[i * m + j] * y[j];
        y[i] = s / H[i * m + i];
    }
    for (int j = 0; j < k; ++j) cblas_daxpy(bn, y[j], V.data() + j * nn, 1, d, 1);
    return k;
}

}  // namespace magmadnn::linalg::cpu
