// Private, no include guard: copy, add and zero short rows (a few to a few hundred elements). The
// unrolling loops of im2col, col2im and pooling move rows of 10-30 elements; a compiler-vectorised
// loop runs such rows through its scalar remainder, so with AVX-512 they take masked full-width
// vectors. Include it after backend/cpu/isa/begin.h: the functions have internal linkage and are
// compiled for the including file's target.

#include <algorithm>
#include <cstring>

#include "magmadnn/core/types.h"

#if !defined(MAGMADNN_ISA_NS)
#error "include short_rows.h after backend/cpu/isa/begin.h"
#endif

namespace magmadnn::cpu_rows {
namespace {

#if defined(MAGMADNN_ISA_AVX512)
inline __mmask16 tail16(index_t n) {
    return n >= 16 ? __mmask16(0xffff) : __mmask16((1u << n) - 1u);
}
inline __mmask8 tail8(index_t n) { return n >= 8 ? __mmask8(0xff) : __mmask8((1u << n) - 1u); }
#endif
#if defined(MAGMADNN_ISA_AVX2)
// The first n of 8 f32 lanes as an AVX2 mask vector (none for n <= 0, all for n >= 8).
inline __m256i lanes8(index_t n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(std::clamp<index_t>(n, 0, 8))),
                              _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
#endif

// dst[0, n) = src[0, n); the ranges do not overlap.
template <typename T>
inline void copy(T* __restrict dst, const T* __restrict src, index_t n) {
    std::memcpy(dst, src, static_cast<std::size_t>(n) * sizeof(T));
}

#if defined(MAGMADNN_ISA_AVX512)
// Rows of up to 64 floats inline (a library memcpy call costs more than the copy itself).
inline void copy(float* __restrict dst, const float* __restrict src, index_t n) {
    if (n > 64) {
        std::memcpy(dst, src, static_cast<std::size_t>(n) * sizeof(float));
        return;
    }
    for (index_t j = 0; j < n; j += 16) {
        const __mmask16 m = tail16(n - j);
        _mm512_mask_storeu_ps(dst + j, m, _mm512_maskz_loadu_ps(m, src + j));
    }
}
#elif defined(MAGMADNN_ISA_AVX2)
// Rows of up to 64 floats inline: whole 8-lane vectors, then the last few one by one (AVX2's
// masked stores are slow on some cores).
inline void copy(float* __restrict dst, const float* __restrict src, index_t n) {
    if (n > 64) {
        std::memcpy(dst, src, static_cast<std::size_t>(n) * sizeof(float));
        return;
    }
    index_t j = 0;
    for (; j + 8 <= n; j += 8) _mm256_storeu_ps(dst + j, _mm256_loadu_ps(src + j));
    for (; j < n; ++j) dst[j] = src[j];
}
#endif

// dst[0, n) += src[0, n); the ranges do not overlap.
inline void add(float* __restrict dst, const float* __restrict src, index_t n) {
#if defined(MAGMADNN_ISA_AVX512)
    for (index_t j = 0; j < n; j += 16) {
        const __mmask16 m = tail16(n - j);
        _mm512_mask_storeu_ps(
            dst + j, m,
            _mm512_add_ps(_mm512_maskz_loadu_ps(m, dst + j), _mm512_maskz_loadu_ps(m, src + j)));
    }
#else
    for (index_t j = 0; j < n; ++j) dst[j] += src[j];
#endif
}

inline void add(double* __restrict dst, const double* __restrict src, index_t n) {
#if defined(MAGMADNN_ISA_AVX512)
    for (index_t j = 0; j < n; j += 8) {
        const __mmask8 m = tail8(n - j);
        _mm512_mask_storeu_pd(
            dst + j, m,
            _mm512_add_pd(_mm512_maskz_loadu_pd(m, dst + j), _mm512_maskz_loadu_pd(m, src + j)));
    }
#else
    for (index_t j = 0; j < n; ++j) dst[j] += src[j];
#endif
}

template <typename T>
inline void zero(T* dst, index_t n) {
    std::memset(dst, 0, static_cast<std::size_t>(n) * sizeof(T));
}

}  // namespace
}  // namespace magmadnn::cpu_rows
