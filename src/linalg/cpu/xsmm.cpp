#include "xsmm.h"

#include "magmadnn/core/cpu_isa.h"

#if defined(MAGMADNN_WITH_LIBXSMM)
#include <libxsmm.h>

#include <mutex>
#endif

namespace magmadnn::linalg::cpu {

#if defined(MAGMADNN_WITH_LIBXSMM)

namespace {

// libxsmm once per process, its target held to the project's when that is lower than the CPU.
void init_once() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (magmadnn::cpu::active_isa() == magmadnn::cpu::Isa::avx2 &&
            magmadnn::cpu::detected_isa() != magmadnn::cpu::Isa::avx2) {
            libxsmm_set_target_arch("hsw");
        }
        libxsmm_init();
    });
}

}  // namespace

bool xsmm_compiled() { return true; }

XsmmSgemm xsmm_sgemm(index_t m, index_t n, index_t k, bool accumulate) {
    if (magmadnn::cpu::active_isa() == magmadnn::cpu::Isa::scalar) return {};
    init_once();
    // column-major: row-major C = A B is C^T = B^T A^T, so libxsmm's (m, n, k) is (n, m, k) with
    // B first
    const auto lm = static_cast<libxsmm_blasint>(n), ln = static_cast<libxsmm_blasint>(m);
    const auto lk = static_cast<libxsmm_blasint>(k);
    const float alpha = 1.0f, beta = accumulate ? 1.0f : 0.0f;
    const libxsmm_smmfunction f =
        libxsmm_smmdispatch(lm, ln, lk, &lm, &lk, &lm, &alpha, &beta, nullptr, nullptr);
    return XsmmSgemm{reinterpret_cast<void*>(f)};
}

void xsmm_run(XsmmSgemm kernel, const float* A, index_t sa, const float* B, index_t sb, float* C,
              index_t sc, index_t begin, index_t end) {
    const auto f = reinterpret_cast<libxsmm_smmfunction>(kernel.code);
    for (index_t b = begin; b < end; ++b) f(B + b * sb, A + b * sa, C + b * sc);
}

const char* xsmm_target() {
    init_once();
    return libxsmm_get_target_arch();
}

#else

bool xsmm_compiled() { return false; }
XsmmSgemm xsmm_sgemm(index_t, index_t, index_t, bool) { return {}; }
void xsmm_run(XsmmSgemm, const float*, index_t, const float*, index_t, float*, index_t, index_t,
              index_t) {}
const char* xsmm_target() { return "none"; }

#endif

}  // namespace magmadnn::linalg::cpu
