// CPU optimizer kernels: the shared update rules in OpenMP loops.
#include <omp.h>

#include "update.h"

namespace magmadnn::optimizer::detail::cpu {

namespace {
// Below this many elements a parallel region costs more than it saves.
constexpr index_t kParallelThreshold = 1 << 15;
}  // namespace

template <typename T>
void update(const Hyper<T>& h, index_t n, T* w, const T* g, T* s1, T* s2) {
    visit(h, [&](auto f) {
        // Local restrict copies: read through the closure's references, the pointers would be
        // reloaded per element and the loop vectorised with gathers and scatters.
        T* __restrict wl = w;
        const T* __restrict gl = g;
        T* __restrict s1l = s1;
        T* __restrict s2l = s2;
#pragma omp parallel if (n > kParallelThreshold)
        {
            // A private copy of the rule: the shared one is reached through a pointer the
            // stores to w might alias, so its fields would be reloaded per element and the loop
            // left scalar.
            const auto rule = f;
#pragma omp for simd
            for (index_t i = 0; i < n; ++i) rule(i, wl, gl, s1l, s2l);
        }
    });
}

template <typename T>
double sum_squares(index_t n, const T* x) {
    double acc = 0;
#pragma omp parallel for simd reduction(+ : acc) if (n > kParallelThreshold)
    for (index_t i = 0; i < n; ++i) acc += double(x[i]) * double(x[i]);
    return acc;
}

#define MAGMADNN_INSTANTIATE(T)                                              \
    template void update<T>(const Hyper<T>&, index_t, T*, const T*, T*, T*); \
    template double sum_squares<T>(index_t, const T*);
MAGMADNN_INSTANTIATE(float)
MAGMADNN_INSTANTIATE(double)
#undef MAGMADNN_INSTANTIATE

}  // namespace magmadnn::optimizer::detail::cpu
