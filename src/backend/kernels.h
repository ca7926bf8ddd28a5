#pragma once
// Private: the raw-pointer kernels each backend provides. math.cpp checks shapes and memory, then
// calls exactly one of these per op. The cuda:: set exists only in CUDA builds.

#include <cstdint>

#include "broadcast.h"
#include "fused.h"
#include "magmadnn/backend/math.h"

#define MAGMADNN_BACKEND_KERNELS                                                                \
    template <typename T>                                                                       \
    void unary(UnaryOp op, T param, index_t n, const T* x, T* y);                               \
    /* dx = the gradient of op at x (output y) times g */                                       \
    template <typename T>                                                                       \
    void unary_grad(UnaryOp op, T param, index_t n, const T* x, const T* y, const T* g, T* dx); \
    template <typename T>                                                                       \
    void binary(BinaryOp op, T param, const BroadcastPlan& plan, index_t n, const T* a,         \
                const T* b, T* out);                                                            \
    /* the partial of z = op(a, b) by input `side` times g, in z's shape */                     \
    template <typename T>                                                                       \
    void binary_grad(BinaryOp op, int side, const BroadcastPlan& plan, index_t n, const T* a,   \
                     const T* b, const T* z, const T* g, T* out);                               \
    template <typename T>                                                                       \
    void fused_binary(FusedOp op, const BroadcastPlan& plan, index_t n, const T* a, const T* b, \
                      T* out);                                                                  \
    template <typename T>                                                                       \
    void axpby(index_t n, T alpha, const T* x, T beta, T* y);                                   \
    /* x viewed as {outer, len, inner}; out as {outer, inner} */                                \
    template <typename T>                                                                       \
    void reduce(ReduceOp op, index_t outer, index_t len, index_t inner, const T* x, T* out);    \
    template <typename T>                                                                       \
    void argmax(index_t outer, index_t len, index_t inner, const T* x, std::int32_t* out);      \
    template <typename T>                                                                       \
    void softmax(index_t rows, index_t cols, const T* x, T* y, bool log);                       \
    /* row-major: C{m,n} = alpha op(A) op(B) + beta C */                                        \
    template <typename T>                                                                       \
    void gemm(bool trans_a, bool trans_b, index_t m, index_t n, index_t k, T alpha, const T* A, \
              index_t lda, const T* B, index_t ldb, T beta, T* C, index_t ldc);                 \
    template <typename T>                                                                       \
    void transpose(index_t rows, index_t cols, const T* x, T* y);

namespace magmadnn::math::cpu {
MAGMADNN_BACKEND_KERNELS
}  // namespace magmadnn::math::cpu

#ifdef MAGMADNN_WITH_CUDA
namespace magmadnn::math::cuda {
MAGMADNN_BACKEND_KERNELS
}  // namespace magmadnn::math::cuda
#endif
