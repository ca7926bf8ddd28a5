#pragma once
// Private (CUDA builds only): cuBLAS batched GEMMs on row-major problems (each call swaps A and
// B, since C^T = op(B)^T op(A)^T in column-major).
#ifdef MAGMADNN_WITH_CUDA
#include <vector>

#include "magmadnn/core/types.h"

namespace magmadnn::linalg::cuda {

template <typename T>
void gemm_strided_batched(bool ta, bool tb, index_t batch, index_t m, index_t n, index_t k, T alpha,
                          const T* A, index_t stride_a, const T* B, index_t stride_b, T beta, T* C,
                          index_t stride_c);

// Device pointers, one per problem, all problems of one size.
template <typename T>
void gemm_batched(bool ta, bool tb, index_t m, index_t n, index_t k, T alpha,
                  const std::vector<const T*>& A, const std::vector<const T*>& B, T beta,
                  const std::vector<T*>& C);

// Problem i is {ms[i], ns[i], ks[i]}.
template <typename T>
void gemm_vbatched(bool ta, bool tb, const std::vector<index_t>& ms, const std::vector<index_t>& ns,
                   const std::vector<index_t>& ks, T alpha, const std::vector<const T*>& A,
                   const std::vector<const T*>& B, T beta, const std::vector<T*>& C);

}  // namespace magmadnn::linalg::cuda
#endif
