#include "refine.h"

#include <cblas.h>
#include <sys/mman.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <new>
#include <type_traits>

#include "lu_transposed.h"

namespace magmadnn::linalg::cpu {

static_assert(std::is_same_v<lapack_int, int>, "LAPACKE with 32-bit integers expected");

namespace {
// Uninitialised floats, 2 MiB aligned and advised for transparent huge pages above 2 MiB.
F32Factors::Buffer huge_page_buffer(std::size_t count) {
    constexpr std::size_t huge = std::size_t(2) << 20;
    std::size_t bytes = std::max<std::size_t>(count, 1) * sizeof(float);
    const bool big = bytes >= huge;
    if (big)
        bytes = (bytes + huge - 1) / huge * huge;  // aligned_alloc: a multiple of the alignment
    void* p = big ? std::aligned_alloc(huge, bytes) : std::malloc(bytes);
    if (p == nullptr) throw std::bad_alloc();
#if defined(MADV_HUGEPAGE)
    if (big) madvise(p, bytes, MADV_HUGEPAGE);  // advice only: failure just means 4 KiB pages
#endif
    return F32Factors::Buffer(static_cast<float*>(p));
}

// One buffer per thread, the largest recently used: repeated solves reuse its pages.
struct Workspace {
    F32Factors::Buffer buffer;
    std::size_t capacity = 0;
};
thread_local Workspace workspace;
}  // namespace

void release_workspace() { workspace = Workspace{}; }

F32Factors::~F32Factors() {
    if (lu_ && lu_capacity_ >= workspace.capacity) {
        workspace.buffer = std::move(lu_);
        workspace.capacity = lu_capacity_;
    }
}

F32Factors::Scan F32Factors::load(index_t n, const double* A) {
    n_ = n;
    const auto need = static_cast<std::size_t>(n * n);
    if (workspace.capacity >= need) {
        lu_ = std::move(workspace.buffer);
        lu_capacity_ = workspace.capacity;
        workspace.capacity = 0;
    } else {
        lu_ = huge_page_buffer(need);
        lu_capacity_ = need;
    }
    ipiv_.resize(static_cast<std::size_t>(n));
    work_.resize(static_cast<std::size_t>(n));
    Scan scan;
    index_t first_bad = n * n;
    double norm = 0;
    bool f32_finite = true;
    float* lu = lu_.get();
    // One thread: OpenBLAS's threads factor next, and OpenMP workers still spinning after a
    // parallel region here would take the cores from them (1.3x slower solves at n = 1000).
    for (index_t i = 0; i < n; ++i) {
        const double* row = A + i * n;
        float* out = lu + i * n;
        // Vector reductions: a NaN or inf in f64 makes the sum non-finite, an f32 overflow
        // makes the largest |f32| infinite (NaNs never win the max, the sum has them).
        double sum = 0;
        float largest = 0;
#pragma omp simd reduction(+ : sum) reduction(max : largest)
        for (index_t j = 0; j < n; ++j) {
            const double v = row[j];
            const float f = static_cast<float>(v);
            sum += std::abs(v);
            out[j] = f;
            largest = std::max(largest, std::abs(f));
        }
        if (!std::isfinite(sum)) {  // a NaN or inf in f64 (not just an f32 overflow)
            for (index_t j = 0; j < n; ++j) {
                if (!std::isfinite(row[j])) {
                    first_bad = i * n + j;
                    break;
                }
            }
            if (first_bad < n * n) break;  // an input error: the rest is not needed
        }
        norm = std::max(norm, sum);
        f32_finite = f32_finite && largest <= std::numeric_limits<float>::max();
    }
    scan.norm_inf = norm;
    scan.first_nonfinite = first_bad < n * n ? first_bad : -1;
    f32_finite_ = f32_finite;
    return scan;
}

bool F32Factors::factor() {
    if (!f32_finite_) return false;
    return getrf_transposed(n_, lu_.get(), ipiv_.data()) == 0;
}

void F32Factors::apply(const double* r, double* d) const {
    double scale = 0;
    for (index_t i = 0; i < n_; ++i) scale = std::max(scale, std::abs(r[i]));
    if (scale == 0) {
        std::fill_n(d, n_, 0.0);
        return;
    }
    for (index_t i = 0; i < n_; ++i) work_[i] = static_cast<float>(r[i] / scale);
    getrs_transposed(n_, 1, lu_.get(), ipiv_.data(), work_.data());
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
