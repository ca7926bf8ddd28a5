#pragma once
// Private: GEMM kernels compiled for one problem size each (f32, AVX-512), for batches of many
// equal small problems. With m, n and k known at compile time the k loop unrolls completely,
// the ragged last vector's mask is a constant and the row tiling has no remainder logic, which is
// what a JIT library (libxsmm) gets by generating code at run time. Sizes whose rows are too
// short for a 16-lane vector use their own layouts: 4 x 4 keeps a whole matrix in one vector,
// 8 x 8 keeps two rows per vector.
//
// Checked against the double-precision triple loop in tests/linalg/batched_gemm_test.cpp.

#include "magmadnn/core/types.h"

namespace magmadnn::linalg::cpu {

// The next problem's operands, fetched into the caches while this one computes; all null for none.
struct NextProblem {
    const float* a = nullptr;
    const float* b = nullptr;
    const float* c = nullptr;
};

// Row-major, packed operands: C{m, n} = alpha A{m, k} B{k, n} + beta C (beta = 0 never reads C).
using FixedGemmF32 = void (*)(const float* A, const float* B, float* C, float alpha, float beta,
                              const NextProblem& next);

// The active CPU target's kernel compiled for m x n x k, or nullptr (no such size, or a target
// without these kernels: the caller runs small_gemm).
FixedGemmF32 fixed_gemm_f32(index_t m, index_t n, index_t k);

}  // namespace magmadnn::linalg::cpu
