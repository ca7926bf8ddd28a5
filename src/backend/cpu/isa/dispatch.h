#pragma once
// Private: calling the active target's copy of a kernel compiled once per target
// (isa/begin.h). Declare the copies with MAGMADNN_ISA_DECLARE inside the kernels' namespace, then
// call through MAGMADNN_ISA_CALL:
//
//   namespace magmadnn::linalg::cpu {
//   MAGMADNN_ISA_DECLARE(template <typename T> void kernel(index_t n, const T* x, T* y);)
//   template <typename T> void kernel(index_t n, const T* x, T* y) {
//       MAGMADNN_ISA_CALL(kernel<T>, n, x, y);
//   }
//   }
//
// The choice is one relaxed atomic load and a switch per call.

#include "magmadnn/core/cpu_isa.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define MAGMADNN_ISA_X86 1
#define MAGMADNN_ISA_DECLARE(...) \
    namespace scalar {            \
    __VA_ARGS__                   \
    }                             \
    namespace avx2 {              \
    __VA_ARGS__                   \
    }                             \
    namespace avx512 {            \
    __VA_ARGS__                   \
    }
#define MAGMADNN_ISA_CALL(fn, ...)           \
    switch (::magmadnn::cpu::active_isa()) { \
        case ::magmadnn::cpu::Isa::avx512:   \
            return avx512::fn(__VA_ARGS__);  \
        case ::magmadnn::cpu::Isa::avx2:     \
            return avx2::fn(__VA_ARGS__);    \
        case ::magmadnn::cpu::Isa::scalar:   \
            break;                           \
    }                                        \
    return scalar::fn(__VA_ARGS__)
#else
#define MAGMADNN_ISA_DECLARE(...) \
    namespace scalar {            \
    __VA_ARGS__                   \
    }
#define MAGMADNN_ISA_CALL(fn, ...) return scalar::fn(__VA_ARGS__)
#endif
