#pragma once
// Private: the host kernel for small GEMMs (every dimension up to ~128), one problem per call,
// single-threaded, for batched drivers that parallelize over problems.
//
// Variants (the public gemm_batched is checked against a double-precision triple loop in
// tests/linalg/batched_gemm_test.cpp: random sizes 1..70, transposes, alpha and beta):
//   reference_gemm  - three loops in the obvious order; the plain reference.
//   small_gemm      - register-blocked: a 6-row x (up to 4 vectors) tile of C lives in registers
//                     while k streams by; A elements are broadcast, B rows loaded as vectors with
//                     a lane mask for the ragged edge, so no packing and no edge copies. One
//                     copy per CPU target: AVX-512 (6 x 4 zmm tiles), AVX2 (6 x 2 ymm tiles), and
//                     an auto-vectorized loop for the scalar target.
//                     Transposed operands are first copied to a thread-local buffer (O(mk) work
//                     against O(mnk)).
#include "magmadnn/core/types.h"

namespace magmadnn::linalg::cpu {

// Row-major C{m,n} = alpha op(A) op(B) + beta C; beta = 0 never reads C.
template <typename T>
void small_gemm(bool trans_a, bool trans_b, index_t m, index_t n, index_t k, T alpha, const T* A,
                index_t lda, const T* B, index_t ldb, T beta, T* C, index_t ldc);

template <typename T>
void reference_gemm(bool trans_a, bool trans_b, index_t m, index_t n, index_t k, T alpha,
                    const T* A, index_t lda, const T* B, index_t ldb, T beta, T* C, index_t ldc);

// The largest extent small_gemm is meant for; batched drivers send bigger problems elsewhere.
inline constexpr index_t small_gemm_max = 128;

// The CPU target whose kernel runs now ("scalar", "avx2", "avx512").
const char* small_gemm_isa();

}  // namespace magmadnn::linalg::cpu
