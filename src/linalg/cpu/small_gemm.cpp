#include "small_gemm.h"

#include <algorithm>
#include <array>
#include <type_traits>
#include <utility>
#include <vector>

#include "backend/cpu/isa/dispatch.h"

namespace magmadnn::linalg::cpu {

template <typename T>
void reference_gemm(bool ta, bool tb, index_t m, index_t n, index_t k, T alpha, const T* A,
                    index_t lda, const T* B, index_t ldb, T beta, T* C, index_t ldc) {
    for (index_t i = 0; i < m; ++i) {
        for (index_t j = 0; j < n; ++j) {
            T s = T(0);
            for (index_t p = 0; p < k; ++p) {
                s +=
                    (ta ? A[p * lda + i] : A[i * lda + p]) * (tb ? B[j * ldb + p] : B[p * ldb + j]);
            }
            C[i * ldc + j] = beta == T(0) ? alpha * s : alpha * s + beta * C[i * ldc + j];
        }
    }
}

MAGMADNN_ISA_DECLARE(template <typename T> void small_gemm(bool, bool, index_t, index_t, index_t, T,
                                                           const T*, index_t, const T*, index_t, T,
                                                           T*, index_t);)

template <typename T>
void small_gemm(bool ta, bool tb, index_t m, index_t n, index_t k, T alpha, const T* A, index_t lda,
                const T* B, index_t ldb, T beta, T* C, index_t ldc) {
    MAGMADNN_ISA_CALL(small_gemm<T>, ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
}

const char* small_gemm_isa() { return magmadnn::cpu::isa_name(magmadnn::cpu::active_isa()).data(); }

template void small_gemm<float>(bool, bool, index_t, index_t, index_t, float, const float*, index_t,
                                const float*, index_t, float, float*, index_t);
template void small_gemm<double>(bool, bool, index_t, index_t, index_t, double, const double*,
                                 index_t, const double*, index_t, double, double*, index_t);
template void reference_gemm<float>(bool, bool, index_t, index_t, index_t, float, const float*,
                                    index_t, const float*, index_t, float, float*, index_t);
template void reference_gemm<double>(bool, bool, index_t, index_t, index_t, double, const double*,
                                     index_t, const double*, index_t, double, double*, index_t);

}  // namespace magmadnn::linalg::cpu
