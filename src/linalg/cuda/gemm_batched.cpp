// cuBLAS batched GEMMs through the 64-bit interface (cublas<T>gemm*Batched_64): no extent,
// leading dimension or batch count is cut to int.
#include "gemm_batched.h"

#include <algorithm>
#include <cstdint>

#include "handles.h"

namespace magmadnn::linalg::cuda {

namespace {

cublasOperation_t op(bool t) { return t ? CUBLAS_OP_T : CUBLAS_OP_N; }
// cuBLAS wants every leading dimension >= 1, also where the extent is 0 (k = 0: C = beta C).
std::int64_t leading(index_t v) { return std::max<index_t>(v, 1); }

}  // namespace

template <typename T>
void gemm_strided_batched(bool ta, bool tb, index_t batch, index_t m, index_t n, index_t k, T alpha,
                          const T* A, index_t sa, const T* B, index_t sb, T beta, T* C,
                          index_t sc) {
    if (batch == 0 || m == 0 || n == 0) return;
    const std::int64_t lda = leading(ta ? m : k);
    const std::int64_t ldb = leading(tb ? k : n);
    if constexpr (std::is_same_v<T, float>) {
        check(cublasSgemmStridedBatched_64(cublas(), op(tb), op(ta), n, m, k, &alpha, B, ldb, sb, A,
                                           lda, sa, &beta, C, n, sc, batch),
              "cublasSgemmStridedBatched_64");
    } else {
        check(cublasDgemmStridedBatched_64(cublas(), op(tb), op(ta), n, m, k, &alpha, B, ldb, sb, A,
                                           lda, sa, &beta, C, n, sc, batch),
              "cublasDgemmStridedBatched_64");
    }
}

template <typename T>
void gemm_batched(bool ta, bool tb, index_t m, index_t n, index_t k, T alpha,
                  const std::vector<const T*>& A, const std::vector<const T*>& B, T beta,
                  const std::vector<T*>& C) {
    if (C.empty() || m == 0 || n == 0) return;
    const auto da = device_array(A);
    const auto db = device_array(B);
    const auto dc = device_array(C);
    const auto* pa = static_cast<const T* const*>(da->device_read());
    const auto* pb = static_cast<const T* const*>(db->device_read());
    auto* pc = static_cast<T* const*>(dc->device_write());
    const std::int64_t lda = leading(ta ? m : k);
    const std::int64_t ldb = leading(tb ? k : n);
    const auto count = static_cast<std::int64_t>(C.size());
    if constexpr (std::is_same_v<T, float>) {
        check(cublasSgemmBatched_64(cublas(), op(tb), op(ta), n, m, k, &alpha, pb, ldb, pa, lda,
                                    &beta, pc, n, count),
              "cublasSgemmBatched_64");
    } else {
        check(cublasDgemmBatched_64(cublas(), op(tb), op(ta), n, m, k, &alpha, pb, ldb, pa, lda,
                                    &beta, pc, n, count),
              "cublasDgemmBatched_64");
    }
}

template <typename T>
void gemm_vbatched(bool ta, bool tb, const std::vector<index_t>& ms, const std::vector<index_t>& ns,
                   const std::vector<index_t>& ks, T alpha, const std::vector<const T*>& A,
                   const std::vector<const T*>& B, T beta, const std::vector<T*>& C) {
    // One group per problem; the per-group arrays live on the host, the pointers on the device.
    const std::size_t g = C.size();
    if (g == 0) return;
    std::vector<cublasOperation_t> opa(g, op(tb));
    std::vector<cublasOperation_t> opb(g, op(ta));
    std::vector<std::int64_t> m(g), n(g), k(g), lda(g), ldb(g), ldc(g), size(g, 1);
    std::vector<T> alphas(g, alpha), betas(g, beta);
    for (std::size_t i = 0; i < g; ++i) {
        m[i] = ns[i];  // swapped: column-major C^T {n, m}
        n[i] = ms[i];
        k[i] = ks[i];
        lda[i] = leading(tb ? ks[i] : ns[i]);
        ldb[i] = leading(ta ? ms[i] : ks[i]);
        ldc[i] = leading(ns[i]);
    }
    const auto da = device_array(B);
    const auto db = device_array(A);
    const auto dc = device_array(C);
    const auto* pa = static_cast<const T* const*>(da->device_read());
    const auto* pb = static_cast<const T* const*>(db->device_read());
    auto* pc = static_cast<T* const*>(dc->device_write());
    if constexpr (std::is_same_v<T, float>) {
        check(cublasSgemmGroupedBatched_64(cublas(), opa.data(), opb.data(), m.data(), n.data(),
                                           k.data(), alphas.data(), pa, lda.data(), pb, ldb.data(),
                                           betas.data(), pc, ldc.data(),
                                           static_cast<std::int64_t>(g), size.data()),
              "cublasSgemmGroupedBatched_64");
    } else {
        check(cublasDgemmGroupedBatched_64(cublas(), opa.data(), opb.data(), m.data(), n.data(),
                                           k.data(), alphas.data(), pa, lda.data(), pb, ldb.data(),
                                           betas.data(), pc, ldc.data(),
                                           static_cast<std::int64_t>(g), size.data()),
              "cublasDgemmGroupedBatched_64");
    }
}

#define MAGMADNN_INSTANTIATE(T)                                                                   \
    template void gemm_strided_batched<T>(bool, bool, index_t, index_t, index_t, index_t, T,      \
                                          const T*, index_t, const T*, index_t, T, T*, index_t);  \
    template void gemm_batched<T>(bool, bool, index_t, index_t, index_t, T,                       \
                                  const std::vector<const T*>&, const std::vector<const T*>&, T,  \
                                  const std::vector<T*>&);                                        \
    template void gemm_vbatched<T>(bool, bool, const std::vector<index_t>&,                       \
                                   const std::vector<index_t>&, const std::vector<index_t>&, T,   \
                                   const std::vector<const T*>&, const std::vector<const T*>&, T, \
                                   const std::vector<T*>&);
MAGMADNN_INSTANTIATE(float)
MAGMADNN_INSTANTIATE(double)
#undef MAGMADNN_INSTANTIATE

}  // namespace magmadnn::linalg::cuda
