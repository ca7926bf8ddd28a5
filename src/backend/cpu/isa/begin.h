// Private, no include guard: opens the instruction-set target of a kernel source compiled once
// per target (cmake/isa.cmake generates one translation unit per target that defines
// MAGMADNN_ISA_<TARGET> and includes the source). Include it after every other header, and close
// with isa/end.h: functions defined in between are compiled for the target, while the standard
// library and project headers above stay at the build's baseline, so no inline function or
// template instantiation shared between translation units carries the target's instructions.
//
// In between, MAGMADNN_ISA_NS names the target's namespace (wrap the kernels in it, so each
// target's copies are distinct symbols) and MAGMADNN_ISA_AVX512 / MAGMADNN_ISA_AVX2 say which
// instructions the code may use (the compiler's __AVX512F__ does not follow the pragma).
#if defined(MAGMADNN_ISA_NS)
#error "backend/cpu/isa/begin.h included twice without isa/end.h"
#endif

// The target lists are spelled out in each pragma: pragmas do not expand macros.
#if defined(MAGMADNN_ISA_AVX512)
#define MAGMADNN_ISA_NS avx512
#define MAGMADNN_ISA_AVX2 1
#define MAGMADNN_ISA_TARGETED 1
#if defined(__clang__)
#pragma clang attribute push(                                                                            \
    __attribute__((target(                                                                               \
        "avx,avx2,fma,f16c,bmi,bmi2,lzcnt,popcnt,avx512f,avx512cd,avx512bw,avx512dq,avx512vl,prfchw"))), \
    apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target( \
    "avx,avx2,fma,f16c,bmi,bmi2,lzcnt,popcnt,avx512f,avx512cd,avx512bw,avx512dq,avx512vl,prfchw")
#endif
#elif defined(MAGMADNN_ISA_AVX2)
#define MAGMADNN_ISA_NS avx2
#define MAGMADNN_ISA_TARGETED 1
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx,avx2,fma,f16c,bmi,bmi2,lzcnt,popcnt"))), \
                             apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx,avx2,fma,f16c,bmi,bmi2,lzcnt,popcnt")
#endif
#elif defined(MAGMADNN_ISA_SCALAR)
#define MAGMADNN_ISA_NS scalar
#else
#error "compile this kernel source through magmadnn_isa_sources() (cmake/isa.cmake)"
#endif
