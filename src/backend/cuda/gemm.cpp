// cuBLAS GEMM for row-major tensors: C^T = op(B)^T op(A)^T is the same call in column-major.
// The 64-bit interface (cublas<T>gemm_64): extents and leading dimensions past 2^31 - 1 pass
// unchanged instead of being cut to int.
#include <cublas_v2.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <map>

#include "../kernels.h"
#include "core/cuda_check.h"
#include "magmadnn/core/error.h"

namespace magmadnn::math::cuda {

namespace {

void check(cublasStatus_t st, const char* what) {
    if (st != CUBLAS_STATUS_SUCCESS) {
        throw DeviceError(fmt::format("{} failed: {} ({})", what, cublasGetStatusName(st),
                                      cublasGetStatusString(st)));
    }
}

// One handle per host thread and device, created on first use (a handle works on the device
// that was current when it was created).
cublasHandle_t handle() {
    struct Handle {
        cublasHandle_t h = nullptr;
        Handle() { check(cublasCreate(&h), "cublasCreate"); }
        ~Handle() { cublasDestroy(h); }
        Handle(const Handle&) = delete;
        Handle& operator=(const Handle&) = delete;
    };
    thread_local std::map<int, Handle> handles;
    return handles[magmadnn::detail::current_device("cuBLAS handle")].h;
}

// cuBLAS wants leading dimensions >= 1, also for an empty operand (k = 0: C = beta C).
std::int64_t ld(index_t v) { return std::max<index_t>(v, 1); }

}  // namespace

template <>
void gemm<float>(bool ta, bool tb, index_t m, index_t n, index_t k, float alpha, const float* A,
                 index_t lda, const float* B, index_t ldb, float beta, float* C, index_t ldc) {
    if (m == 0 || n == 0) return;
    check(cublasSgemm_64(handle(), tb ? CUBLAS_OP_T : CUBLAS_OP_N, ta ? CUBLAS_OP_T : CUBLAS_OP_N,
                         n, m, k, &alpha, B, ld(ldb), A, ld(lda), &beta, C, ld(ldc)),
          "cublasSgemm_64");
}

template <>
void gemm<double>(bool ta, bool tb, index_t m, index_t n, index_t k, double alpha, const double* A,
                  index_t lda, const double* B, index_t ldb, double beta, double* C, index_t ldc) {
    if (m == 0 || n == 0) return;
    check(cublasDgemm_64(handle(), tb ? CUBLAS_OP_T : CUBLAS_OP_N, ta ? CUBLAS_OP_T : CUBLAS_OP_N,
                         n, m, k, &alpha, B, ld(ldb), A, ld(lda), &beta, C, ld(ldc)),
          "cublasDgemm_64");
}

}  // namespace magmadnn::math::cuda
