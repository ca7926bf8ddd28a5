// Private, no include guard: closes the target opened by isa/begin.h.
#if !defined(MAGMADNN_ISA_NS)
#error "backend/cpu/isa/end.h without isa/begin.h"
#endif
#if defined(MAGMADNN_ISA_TARGETED)
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
#undef MAGMADNN_ISA_TARGETED
#endif
#undef MAGMADNN_ISA_NS
