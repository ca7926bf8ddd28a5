#pragma once
// Private: libxsmm's JIT-compiled small GEMMs, for the batched GEMM driver to choose where they
// beat the project's own kernels (gemm_batched.cpp measures which is faster per shape). libxsmm
// generates code for the exact CPU at run time; in a build without it (MAGMADNN_WITH_LIBXSMM
// undefined) no kernel is ever returned.

#include "magmadnn/core/types.h"

namespace magmadnn::linalg::cpu {

// A JIT kernel for row-major, packed C{m, n} = A{m, k} B{k, n} + beta C, beta 0 or 1 (fixed per
// kernel); empty where libxsmm declines the shape or is not compiled in.
struct XsmmSgemm {
    void* code = nullptr;
    explicit operator bool() const { return code != nullptr; }
};

// Whether this build links libxsmm.
bool xsmm_compiled();

// The kernel for m x n x k with beta 0 or 1, or nullptr (no libxsmm, or it declines the shape).
// libxsmm's own target follows the CPU target active at the first call: AVX2 code when
// MAGMADNN_CPU_ISA=avx2 holds the project's kernels to AVX2, never for the scalar target.
XsmmSgemm xsmm_sgemm(index_t m, index_t n, index_t k, bool accumulate);

// Problems [begin, end) of a batch: C_b = A_b B_b (+ C_b), operand b at A + b sa, B + b sb and
// C + b sc (sa or sb 0: one operand shared by every problem).
void xsmm_run(XsmmSgemm kernel, const float* A, index_t sa, const float* B, index_t sb, float* C,
              index_t sc, index_t begin, index_t end);

// libxsmm's name for the instruction set it generates code for ("hsw", "skx", ...), or "none".
const char* xsmm_target();

}  // namespace magmadnn::linalg::cpu
