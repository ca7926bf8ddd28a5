// CPU GEMM. f32 goes to oneDNN's dnnl_sgemm, which measured fastest on this project's machines
// (see docs/PERFORMANCE.md: it uses AVX-512 where Debian's OpenBLAS 0.3.21 picks its Haswell
// kernels on AMD cores); f64 goes to OpenBLAS. MAGMADNN_SGEMM=openblas switches f32 back.
#include <cblas.h>
#include <fmt/format.h>
#include <oneapi/dnnl/dnnl.h>

#include <cstdlib>
#include <cstring>

#include "../kernels.h"
#include "magmadnn/core/error.h"

namespace magmadnn::math {

namespace {
bool use_onednn() {
    static const bool onednn = [] {
        const char* env = std::getenv("MAGMADNN_SGEMM");
        if (env == nullptr || std::strcmp(env, "onednn") == 0) return true;
        if (std::strcmp(env, "openblas") == 0) return false;
        throw ValueError(fmt::format("MAGMADNN_SGEMM={}: expected 'onednn' or 'openblas'", env));
    }();
    return onednn;
}
}  // namespace

const char* host_sgemm_library() { return use_onednn() ? "onednn" : "openblas"; }

namespace cpu {

template <>
void gemm<float>(bool ta, bool tb, index_t m, index_t n, index_t k, float alpha, const float* A,
                 index_t lda, const float* B, index_t ldb, float beta, float* C, index_t ldc) {
    if (m == 0 || n == 0) return;
    if (use_onednn()) {
        const dnnl_status_t st = dnnl_sgemm(ta ? 'T' : 'N', tb ? 'T' : 'N', m, n, k, alpha, A, lda,
                                            B, ldb, beta, C, ldc);
        if (st != dnnl_success) {
            throw Error(fmt::format("dnnl_sgemm failed (status {}) for m={} n={} k={}",
                                    static_cast<int>(st), m, n, k));
        }
        return;
    }
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                static_cast<blasint>(m), static_cast<blasint>(n), static_cast<blasint>(k), alpha, A,
                static_cast<blasint>(lda), B, static_cast<blasint>(ldb), beta, C,
                static_cast<blasint>(ldc));
}

template <>
void gemm<double>(bool ta, bool tb, index_t m, index_t n, index_t k, double alpha, const double* A,
                  index_t lda, const double* B, index_t ldb, double beta, double* C, index_t ldc) {
    if (m == 0 || n == 0) return;
    cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                static_cast<blasint>(m), static_cast<blasint>(n), static_cast<blasint>(k), alpha, A,
                static_cast<blasint>(lda), B, static_cast<blasint>(ldb), beta, C,
                static_cast<blasint>(ldc));
}

}  // namespace cpu
}  // namespace magmadnn::math
