#include "fixed_gemm.h"

#include "backend/cpu/isa/dispatch.h"

namespace magmadnn::linalg::cpu {

MAGMADNN_ISA_DECLARE(FixedGemmF32 fixed_gemm_f32(index_t m, index_t n, index_t k);)

FixedGemmF32 fixed_gemm_f32(index_t m, index_t n, index_t k) {
    MAGMADNN_ISA_CALL(fixed_gemm_f32, m, n, k);
}

}  // namespace magmadnn::linalg::cpu
