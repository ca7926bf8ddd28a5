#pragma once
// Batched GEMM: many independent products in one call (f32, f64).
//
//     linalg::gemm_batched(1.0f, As, Bs, 0.0f, Cs);   // {batch, m, k} x {batch, k, n} -> {batch,
//     m, n} linalg::gemm_batched(1.0f, W, Xs, 0.0f, Ys);    // a 2-D operand is shared by every
//     problem linalg::gemm_batched(1.0f, a_list, b_list, 0.0f, c_list);   // fixed size, separate
//     tensors linalg::gemm_vbatched(1.0f, a_list, b_list, 0.0f, c_list);  // each problem its own
//     m, n, k
//
// On the host, problems up to 128 in every dimension run a register-blocked kernel (AVX-512
// where the build targets it) in an OpenMP loop over the batch; larger ones go to the library
// GEMM one by one. On the GPU: cublasGemmStridedBatched, cublasGemmBatched and
// cublasGemmGroupedBatched. beta = 0 never reads C.

#include <map>
#include <string>
#include <vector>

#include "magmadnn/core/tensor.h"

namespace magmadnn::linalg {

// Strided batch: C[b] = alpha op(A[b]) op(B[b]) + beta C[b]. A and B are 3-D with C's batch, or
// 2-D and shared.
template <typename T>
void gemm_batched(T alpha, const Tensor<T>& A, const Tensor<T>& B, T beta, Tensor<T>& C,
                  bool trans_a = false, bool trans_b = false);
// The same, allocating C {batch, m, n}.
template <typename T>
Tensor<T> gemm_batched(const Tensor<T>& A, const Tensor<T>& B, bool trans_a = false,
                       bool trans_b = false);

// Fixed size, one tensor per problem (the pointer-array interface): all As alike, all Bs alike.
template <typename T>
void gemm_batched(T alpha, const std::vector<Tensor<T>>& As, const std::vector<Tensor<T>>& Bs,
                  T beta, std::vector<Tensor<T>>& Cs, bool trans_a = false, bool trans_b = false);

// Variable size: problem i is C_i {m_i, n_i} += A_i {m_i, k_i} B_i {k_i, n_i} with its own sizes.
template <typename T>
void gemm_vbatched(T alpha, const std::vector<Tensor<T>>& As, const std::vector<Tensor<T>>& Bs,
                   T beta, std::vector<Tensor<T>>& Cs, bool trans_a = false, bool trans_b = false);

// The host kernels chosen so far in this process for f32 batches of small untransposed problems,
// by "m x n x k|beta|target": "own" (the project's kernels) or "libxsmm" (its JIT kernels). The
// choice is measured on the first batch of each shape (the faster on a sample of it), unless
// MAGMADNN_GEMM_BATCHED=own|libxsmm fixes it.
std::map<std::string, std::string> gemm_batched_choices();

}  // namespace magmadnn::linalg
