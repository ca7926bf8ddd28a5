#include "lu_transposed.h"

#include <cblas.h>

#include <algorithm>
#include <string>

#include "backend/kernels.h"

namespace magmadnn::linalg::cpu {

namespace {

// Right-looking blocked LU (column-major, lda = n) whose trailing updates, nearly all the flops,
// go to the backend's f32 GEMM (oneDNN's AVX-512 sgemm where measured fastest) instead of
// OpenBLAS's sgetrf, which runs its Haswell kernels on this project's machines.
lapack_int getrf_blocked(index_t n, float* a, lapack_int* ipiv) {
    constexpr index_t nb = 256;
    const auto ld = static_cast<lapack_int>(n);
    lapack_int first = 0;
    for (index_t j0 = 0; j0 < n; j0 += nb) {
        const index_t jb = std::min(nb, n - j0);
        const index_t rest = n - j0 - jb;
        float* panel = a + j0 + j0 * n;
        const lapack_int info =
            LAPACKE_sgetrf_work(LAPACK_COL_MAJOR, static_cast<lapack_int>(n - j0),
                                static_cast<lapack_int>(jb), panel, ld, ipiv + j0);
        if (info > 0 && first == 0) first = static_cast<lapack_int>(info + j0);
        for (index_t i = j0; i < j0 + jb; ++i) ipiv[i] += static_cast<lapack_int>(j0);
        const auto k1 = static_cast<lapack_int>(j0 + 1);
        const auto k2 = static_cast<lapack_int>(j0 + jb);
        if (j0 > 0)
            LAPACKE_slaswp_work(LAPACK_COL_MAJOR, static_cast<lapack_int>(j0), a, ld, k1, k2, ipiv,
                                1);
        if (rest == 0) continue;
        float* right = a + (j0 + jb) * n;
        LAPACKE_slaswp_work(LAPACK_COL_MAJOR, static_cast<lapack_int>(rest), right, ld, k1, k2,
                            ipiv, 1);
        cblas_strsm(CblasColMajor, CblasLeft, CblasLower, CblasNoTrans, CblasUnit,
                    static_cast<blasint>(jb), static_cast<blasint>(rest), 1.0f, panel, ld,
                    right + j0, ld);
        // A22 -= L21 U12, as the row-major product (A22^T -= U12^T L21^T) the backend takes.
        math::cpu::gemm<float>(false, false, rest, rest, jb, -1.0f, right + j0, n, panel + jb, n,
                               1.0f, right + j0 + jb, n);
    }
    return first;
}

// Whether OpenBLAS runs its AVX-512 kernels. Its core type decides, and OPENBLAS_CORETYPE can
// set it to an older one (Haswell) on AVX-512 machines; then its sgetrf reaches about a third
// of what oneDNN's sgemm does in the blocked LU above.
bool openblas_has_avx512_kernels() {
    static const bool yes = [] {
        const std::string core = openblas_get_corename();
        return core == "SkylakeX" || core == "Cooperlake" || core == "SapphireRapids";
    }();
    return yes;
}

bool cpu_has_avx512() {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    return __builtin_cpu_supports("avx512f");
#else
    return false;
#endif
}

}  // namespace

template <>
lapack_int getrf_transposed<float>(index_t n, float* a, lapack_int* ipiv) {
    const auto ni = static_cast<lapack_int>(n);
    // measured: the blocked LU wins from n ~ 6000 when OpenBLAS is held to Haswell kernels
    // (below, its panel factorizations and oneDNN's updates contend for the threads), and
    // loses to sgetrf with OpenBLAS's own AVX-512 kernels
    if (n >= 6000 && cpu_has_avx512() && !openblas_has_avx512_kernels()) {
        return getrf_blocked(n, a, ipiv);
    }
    return LAPACKE_sgetrf_work(LAPACK_COL_MAJOR, ni, ni, a, ni, ipiv);
}
template <>
lapack_int getrf_transposed<double>(index_t n, double* a, lapack_int* ipiv) {
    const auto ni = static_cast<lapack_int>(n);
    return LAPACKE_dgetrf_work(LAPACK_COL_MAJOR, ni, ni, a, ni, ipiv);
}

template <typename T>
void getrs_transposed(index_t n, index_t nrhs, const T* lu, const lapack_int* ipiv, T* b) {
    const auto ni = static_cast<blasint>(n);
    const auto nr = static_cast<blasint>(nrhs);
    // Column-major Y = B^T {nrhs, n}: Y <- Y U^-1, then Y <- Y L^-1 (unit lower).
    if (nrhs == 1) {  // y U^-1 is U^T z = y: the level-2 solves, far faster than trsm on a row
        if constexpr (std::is_same_v<T, float>) {
            cblas_strsv(CblasColMajor, CblasUpper, CblasTrans, CblasNonUnit, ni, lu, ni, b, 1);
            cblas_strsv(CblasColMajor, CblasLower, CblasTrans, CblasUnit, ni, lu, ni, b, 1);
        } else {
            cblas_dtrsv(CblasColMajor, CblasUpper, CblasTrans, CblasNonUnit, ni, lu, ni, b, 1);
            cblas_dtrsv(CblasColMajor, CblasLower, CblasTrans, CblasUnit, ni, lu, ni, b, 1);
        }
    } else if constexpr (std::is_same_v<T, float>) {
        cblas_strsm(CblasColMajor, CblasRight, CblasUpper, CblasNoTrans, CblasNonUnit, nr, ni, 1.0f,
                    lu, ni, b, nr);
        cblas_strsm(CblasColMajor, CblasRight, CblasLower, CblasNoTrans, CblasUnit, nr, ni, 1.0f,
                    lu, ni, b, nr);
    } else {
        cblas_dtrsm(CblasColMajor, CblasRight, CblasUpper, CblasNoTrans, CblasNonUnit, nr, ni, 1.0,
                    lu, ni, b, nr);
        cblas_dtrsm(CblasColMajor, CblasRight, CblasLower, CblasNoTrans, CblasUnit, nr, ni, 1.0, lu,
                    ni, b, nr);
    }
    // Y <- Y P^T = Y P_{n-1} ... P_0: column i of Y (row i of X) swaps with column ipiv[i].
    for (index_t i = n - 1; i >= 0; --i) {
        const index_t p = ipiv[i] - 1;
        if (p != i) std::swap_ranges(b + i * nrhs, b + (i + 1) * nrhs, b + p * nrhs);
    }
}

template void getrs_transposed<float>(index_t, index_t, const float*, const lapack_int*, float*);
template void getrs_transposed<double>(index_t, index_t, const double*, const lapack_int*, double*);

}  // namespace magmadnn::linalg::cpu
