// CPU pooling kernels (max with the winner's position, average), compiled once per CPU target
// (cmake/isa.cmake); pool2d.cpp holds the entry points. 2x2 / stride-2 max pooling of f32 runs
// 16 outputs per step with AVX-512, 8 with AVX2.
#include <omp.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "pool2d.h"

// clang-format off
#include "backend/cpu/isa/begin.h"
#include "short_rows.h"
// clang-format on

namespace magmadnn::pool::cpu::MAGMADNN_ISA_NS {

using op::PoolMode;

namespace {

#if defined(MAGMADNN_ISA_AVX512)
// Max pooling 2x2 / stride 2 of one plane, 16 outputs per step: the even and odd columns of two
// input rows are separated with permutes, compared, and the winner's flat index is built from
// the comparison masks. Ties keep the first maximum in (top-left, top-right, bottom-left,
// bottom-right) order, as the scalar paths do.
void maxpool2x2_plane_simd(const float* xp, index_t h, index_t w, index_t oh, index_t ow, float* y,
                           std::int32_t* am) {
    (void)h;
    const __m512i even =
        _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
    const __m512i w_vec = _mm512_set1_epi32(static_cast<std::int32_t>(w));
    const __m512i one = _mm512_set1_epi32(1);
    for (index_t i = 0; i < oh; ++i) {
        const float* r0 = xp + 2 * i * w;
        const float* r1 = r0 + w;
        for (index_t j = 0; j < ow; j += 16) {
            const index_t outs = std::min<index_t>(16, ow - j);
            const index_t ins = std::min<index_t>(32, w - 2 * j);  // input columns in reach
            const __mmask16 lo_m = cpu_rows::tail16(std::min<index_t>(16, ins));
            const __mmask16 hi_m = cpu_rows::tail16(std::max<index_t>(0, ins - 16));
            const __m512 a0 = _mm512_maskz_loadu_ps(lo_m, r0 + 2 * j);
            const __m512 a1 = _mm512_maskz_loadu_ps(hi_m, r0 + 2 * j + 16);
            const __m512 b0 = _mm512_maskz_loadu_ps(lo_m, r1 + 2 * j);
            const __m512 b1 = _mm512_maskz_loadu_ps(hi_m, r1 + 2 * j + 16);
            const __m512 ta = _mm512_permutex2var_ps(a0, even, a1);  // top-left
            const __m512 tb = _mm512_permutex2var_ps(a0, odd, a1);   // top-right
            const __m512 bc = _mm512_permutex2var_ps(b0, even, b1);  // bottom-left
            const __m512 bd = _mm512_permutex2var_ps(b0, odd, b1);   // bottom-right
            const __mmask16 right0 = _mm512_cmp_ps_mask(tb, ta, _CMP_GT_OQ);
            const __mmask16 right1 = _mm512_cmp_ps_mask(bd, bc, _CMP_GT_OQ);
            const __m512 m0 = _mm512_mask_blend_ps(right0, ta, tb);
            const __m512 m1 = _mm512_mask_blend_ps(right1, bc, bd);
            const __mmask16 lower = _mm512_cmp_ps_mask(m1, m0, _CMP_GT_OQ);
            const __m512 best = _mm512_mask_blend_ps(lower, m0, m1);
            // index = 2 i w + 2 (j + lane) + (lower ? w + right1 : right0)
            __m512i arg = _mm512_add_epi32(
                _mm512_set1_epi32(static_cast<std::int32_t>(2 * i * w + 2 * j)), even);
            arg = _mm512_mask_add_epi32(arg, static_cast<__mmask16>(right0 & ~lower), arg, one);
            arg = _mm512_mask_add_epi32(arg, lower, arg, w_vec);
            arg = _mm512_mask_add_epi32(arg, static_cast<__mmask16>(right1 & lower), arg, one);
            const __mmask16 out_m = cpu_rows::tail16(outs);
            _mm512_mask_storeu_ps(y + i * ow + j, out_m, best);
            _mm512_mask_storeu_epi32(am + i * ow + j, out_m, arg);
        }
    }
}

// The gradient of maxpool2x2_plane_simd (with a fused relu when `y` is given: only outputs
// > 0 pass their gradient): every input element is written once, the gradient of its window's
// output where it was the winner and zero elsewhere, so no separate zeroing pass is needed.
void maxpool2x2_backward_plane_simd(const float* g, const std::int32_t* am, const float* y,
                                    index_t h, index_t w, index_t oh, index_t ow, float* dx) {
    if (h % 2 != 0 || w % 2 != 0) {  // a last row or column no window reads
        cpu_rows::zero(dx, h * w);
    }
    const __m512i even =
        _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    // interleave a (even lanes of the result) with b (odd lanes): low and high halves
    const __m512i lo = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    const __m512i hi = _mm512_add_epi32(lo, _mm512_set1_epi32(8));
    const __m512i one = _mm512_set1_epi32(1);
    const __m512i w_vec = _mm512_set1_epi32(static_cast<std::int32_t>(w));
    const __m512i w1_vec = _mm512_set1_epi32(static_cast<std::int32_t>(w + 1));
    const __m512 zero = _mm512_setzero_ps();
    for (index_t i = 0; i < oh; ++i) {
        float* r0 = dx + 2 * i * w;
        float* r1 = r0 + w;
        for (index_t j = 0; j < ow; j += 16) {
            const index_t outs = std::min<index_t>(16, ow - j);
            const __mmask16 m = cpu_rows::tail16(outs);
            const index_t o = i * ow + j;
            __m512 gv = _mm512_maskz_loadu_ps(m, g + o);
            if (y != nullptr) {
                gv = _mm512_maskz_mov_ps(
                    _mm512_cmp_ps_mask(_mm512_maskz_loadu_ps(m, y + o), zero, _CMP_GT_OQ), gv);
            }
            // the winner relative to its window's top-left corner: 0, 1, w or w + 1
            const __m512i rel = _mm512_sub_epi32(
                _mm512_maskz_loadu_epi32(m, am + o),
                _mm512_add_epi32(_mm512_set1_epi32(static_cast<std::int32_t>(2 * i * w + 2 * j)),
                                 even));
            const __m512 tl =
                _mm512_maskz_mov_ps(_mm512_cmpeq_epi32_mask(rel, _mm512_setzero_si512()), gv);
            const __m512 tr = _mm512_maskz_mov_ps(_mm512_cmpeq_epi32_mask(rel, one), gv);
            const __m512 bl = _mm512_maskz_mov_ps(_mm512_cmpeq_epi32_mask(rel, w_vec), gv);
            const __m512 br = _mm512_maskz_mov_ps(_mm512_cmpeq_epi32_mask(rel, w1_vec), gv);
            const index_t ins = 2 * outs;  // input columns written
            const __mmask16 m0 = cpu_rows::tail16(std::min<index_t>(16, ins));
            const __mmask16 m1 = cpu_rows::tail16(std::max<index_t>(0, ins - 16));
            _mm512_mask_storeu_ps(r0 + 2 * j, m0, _mm512_permutex2var_ps(tl, lo, tr));
            _mm512_mask_storeu_ps(r0 + 2 * j + 16, m1, _mm512_permutex2var_ps(tl, hi, tr));
            _mm512_mask_storeu_ps(r1 + 2 * j, m0, _mm512_permutex2var_ps(bl, lo, br));
            _mm512_mask_storeu_ps(r1 + 2 * j + 16, m1, _mm512_permutex2var_ps(bl, hi, br));
        }
    }
}
#elif defined(MAGMADNN_ISA_AVX2)
// The same for AVX2, 8 outputs per step: shuffles pick the even and odd columns of 16 input
// columns within each 128-bit half, and a cross-half permute puts them in order. The same
// comparisons, ties and index arithmetic as the AVX-512 version and the scalar loop.
// even / odd elements of the 16 floats lo, hi
inline __m256 evens(__m256 lo, __m256 hi) {
    return _mm256_castpd_ps(
        _mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(lo, hi, 0x88)), 0xD8));
}
inline __m256 odds(__m256 lo, __m256 hi) {
    return _mm256_castpd_ps(
        _mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(lo, hi, 0xDD)), 0xD8));
}

void maxpool2x2_plane_simd(const float* xp, index_t h, index_t w, index_t oh, index_t ow, float* y,
                           std::int32_t* am) {
    (void)h;
    const __m256i even2 = _mm256_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14);
    const __m256i w_vec = _mm256_set1_epi32(static_cast<std::int32_t>(w));
    const __m256i one = _mm256_set1_epi32(1);
    for (index_t i = 0; i < oh; ++i) {
        const float* r0 = xp + 2 * i * w;
        const float* r1 = r0 + w;
        for (index_t j = 0; j < ow; j += 8) {
            const index_t outs = std::min<index_t>(8, ow - j);
            const index_t ins = std::min<index_t>(16, w - 2 * j);  // input columns in reach
            __m256 a0, a1, b0, b1;
            if (ins == 16) {
                a0 = _mm256_loadu_ps(r0 + 2 * j), a1 = _mm256_loadu_ps(r0 + 2 * j + 8);
                b0 = _mm256_loadu_ps(r1 + 2 * j), b1 = _mm256_loadu_ps(r1 + 2 * j + 8);
            } else {
                const __m256i lo_m = cpu_rows::lanes8(ins), hi_m = cpu_rows::lanes8(ins - 8);
                a0 = _mm256_maskload_ps(r0 + 2 * j, lo_m);
                a1 = _mm256_maskload_ps(r0 + 2 * j + 8, hi_m);
                b0 = _mm256_maskload_ps(r1 + 2 * j, lo_m);
                b1 = _mm256_maskload_ps(r1 + 2 * j + 8, hi_m);
            }
            const __m256 ta = evens(a0, a1), tb = odds(a0, a1);  // top-left, top-right
            const __m256 bc = evens(b0, b1), bd = odds(b0, b1);  // bottom-left, bottom-right
            const __m256 right0 = _mm256_cmp_ps(tb, ta, _CMP_GT_OQ);
            const __m256 right1 = _mm256_cmp_ps(bd, bc, _CMP_GT_OQ);
            const __m256 m0 = _mm256_blendv_ps(ta, tb, right0);
            const __m256 m1 = _mm256_blendv_ps(bc, bd, right1);
            const __m256 lower = _mm256_cmp_ps(m1, m0, _CMP_GT_OQ);
            const __m256 best = _mm256_blendv_ps(m0, m1, lower);
            // index = 2 i w + 2 (j + lane) + (lower ? w + right1 : right0)
            const __m256i r0i = _mm256_castps_si256(right0), r1i = _mm256_castps_si256(right1);
            const __m256i li = _mm256_castps_si256(lower);
            __m256i arg = _mm256_add_epi32(
                _mm256_set1_epi32(static_cast<std::int32_t>(2 * i * w + 2 * j)), even2);
            arg = _mm256_add_epi32(arg, _mm256_and_si256(_mm256_andnot_si256(li, r0i), one));
            arg = _mm256_add_epi32(arg, _mm256_and_si256(li, w_vec));
            arg = _mm256_add_epi32(arg, _mm256_and_si256(_mm256_and_si256(r1i, li), one));
            if (outs == 8) {
                _mm256_storeu_ps(y + i * ow + j, best);
                _mm256_storeu_si256(reinterpret_cast<__m256i*>(am + i * ow + j), arg);
            } else {
                const __m256i out_m = cpu_rows::lanes8(outs);
                _mm256_maskstore_ps(y + i * ow + j, out_m, best);
                _mm256_maskstore_epi32(am + i * ow + j, out_m, arg);
            }
        }
    }
}

// The gradient of maxpool2x2_plane_simd (fused relu when `y` is given), every input element
// written once, as the AVX-512 version.
void maxpool2x2_backward_plane_simd(const float* g, const std::int32_t* am, const float* y,
                                    index_t h, index_t w, index_t oh, index_t ow, float* dx) {
    if (h % 2 != 0 || w % 2 != 0)
        cpu_rows::zero(dx, h * w);  // a last row or column no window reads
    const __m256i even2 = _mm256_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14);
    const __m256i one = _mm256_set1_epi32(1);
    const __m256i w_vec = _mm256_set1_epi32(static_cast<std::int32_t>(w));
    const __m256i w1_vec = _mm256_set1_epi32(static_cast<std::int32_t>(w + 1));
    const __m256 zero = _mm256_setzero_ps();
    for (index_t i = 0; i < oh; ++i) {
        float* r0 = dx + 2 * i * w;
        float* r1 = r0 + w;
        for (index_t j = 0; j < ow; j += 8) {
            const index_t outs = std::min<index_t>(8, ow - j);
            const __m256i m = cpu_rows::lanes8(outs);
            const index_t o = i * ow + j;
            __m256 gv = _mm256_maskload_ps(g + o, m);
            if (y != nullptr) {
                gv = _mm256_and_ps(gv,
                                   _mm256_cmp_ps(_mm256_maskload_ps(y + o, m), zero, _CMP_GT_OQ));
            }
            // the winner relative to its window's top-left corner: 0, 1, w or w + 1
            const __m256i rel = _mm256_sub_epi32(
                _mm256_maskload_epi32(am + o, m),
                _mm256_add_epi32(_mm256_set1_epi32(static_cast<std::int32_t>(2 * i * w + 2 * j)),
                                 even2));
            const auto pick = [&](__m256i at) {
                return _mm256_and_ps(gv, _mm256_castsi256_ps(_mm256_cmpeq_epi32(rel, at)));
            };
            const __m256 tl = pick(_mm256_setzero_si256()), tr = pick(one);
            const __m256 bl = pick(w_vec), br = pick(w1_vec);
            // interleave left and right: output columns 2 (j + lane) and 2 (j + lane) + 1
            const __m256 t_lo = _mm256_unpacklo_ps(tl, tr), t_hi = _mm256_unpackhi_ps(tl, tr);
            const __m256 b_lo = _mm256_unpacklo_ps(bl, br), b_hi = _mm256_unpackhi_ps(bl, br);
            const __m256 t0 = _mm256_permute2f128_ps(t_lo, t_hi, 0x20);
            const __m256 t1 = _mm256_permute2f128_ps(t_lo, t_hi, 0x31);
            const __m256 u0 = _mm256_permute2f128_ps(b_lo, b_hi, 0x20);
            const __m256 u1 = _mm256_permute2f128_ps(b_lo, b_hi, 0x31);
            const index_t ins = 2 * outs;  // input columns written
            if (ins == 16) {
                _mm256_storeu_ps(r0 + 2 * j, t0), _mm256_storeu_ps(r0 + 2 * j + 8, t1);
                _mm256_storeu_ps(r1 + 2 * j, u0), _mm256_storeu_ps(r1 + 2 * j + 8, u1);
            } else {
                const __m256i m0 = cpu_rows::lanes8(ins), m1 = cpu_rows::lanes8(ins - 8);
                _mm256_maskstore_ps(r0 + 2 * j, m0, t0),
                    _mm256_maskstore_ps(r0 + 2 * j + 8, m1, t1);
                _mm256_maskstore_ps(r1 + 2 * j, m0, u0),
                    _mm256_maskstore_ps(r1 + 2 * j + 8, m1, u1);
            }
        }
    }
}
#endif

}  // namespace

template <typename T>
void pool2d_forward(const PoolShape& s, const T* x, T* y, std::int32_t* am) {
    const index_t planes = s.planes, h = s.h, w = s.w, oh = s.oh, ow = s.ow;
    const Pair k_ = s.kernel, s_ = s.stride, p_ = s.padding;
    const PoolMode mode_ = s.max ? PoolMode::max : PoolMode::average;
    const T inv = T(1) / T(k_[0] * k_[1]);
    if (p_[0] == 0 && p_[1] == 0 && mode_ == PoolMode::max && k_ == Pair{2, 2} &&
        s_ == Pair{2, 2}) {
        // 2x2 windows, stride 2 (LeNet's, VGG's): two rows at a time, no inner loops
#pragma omp parallel for if (planes * oh * ow > (1 << 14))
        for (index_t pl = 0; pl < planes; ++pl) {
#if defined(MAGMADNN_ISA_AVX2)
            if constexpr (std::is_same_v<T, float>) {
                maxpool2x2_plane_simd(x + pl * h * w, h, w, oh, ow, y + pl * oh * ow,
                                      am + pl * oh * ow);
                continue;
            }
#endif
            const T* xp = x + pl * h * w;
            for (index_t i = 0; i < oh; ++i) {
                const T* r0 = xp + 2 * i * w;
                const T* r1 = r0 + w;
                T* yo = y + (pl * oh + i) * ow;
                std::int32_t* ao = am + (pl * oh + i) * ow;
                const std::int32_t base = static_cast<std::int32_t>(2 * i * w);
                for (index_t j = 0; j < ow; ++j) {
                    const T a = r0[2 * j], b = r0[2 * j + 1], c = r1[2 * j], d = r1[2 * j + 1];
                    const std::int32_t jj = static_cast<std::int32_t>(2 * j);
                    const std::int32_t ww = static_cast<std::int32_t>(w);
                    // branch-free (random data defeats branch prediction); ties keep
                    // the first maximum in a, b, c, d order, as the general path does
                    const bool right0 = b > a, right1 = d > c;
                    const T m0 = right0 ? b : a, m1 = right1 ? d : c;
                    const bool lower = m1 > m0;
                    const T best = lower ? m1 : m0;
                    const std::int32_t arg =
                        base + jj + (lower ? ww + std::int32_t(right1) : std::int32_t(right0));
                    yo[j] = best;
                    ao[j] = arg;
                }
            }
        }
        return;
    }
    if (p_[0] == 0 && p_[1] == 0 && mode_ == PoolMode::max) {
        // every window lies inside the plane: no bounds checks (LeNet's, VGG's case)
#pragma omp parallel for if (planes * oh * ow > (1 << 14))
        for (index_t pl = 0; pl < planes; ++pl) {
            const T* xp = x + pl * h * w;
            for (index_t i = 0; i < oh; ++i) {
                for (index_t j = 0; j < ow; ++j) {
                    index_t arg = i * s_[0] * w + j * s_[1];
                    T best = xp[arg];
                    for (index_t u = 0; u < k_[0]; ++u) {
                        const index_t row = (i * s_[0] + u) * w + j * s_[1];
                        for (index_t v = 0; v < k_[1]; ++v) {
                            if (xp[row + v] > best) {
                                best = xp[row + v];
                                arg = row + v;
                            }
                        }
                    }
                    const index_t o = (pl * oh + i) * ow + j;
                    y[o] = best;
                    am[o] = static_cast<std::int32_t>(arg);
                }
            }
        }
        return;
    }
#pragma omp parallel for if (planes * oh * ow > (1 << 14))
    for (index_t pl = 0; pl < planes; ++pl) {
        const T* xp = x + pl * h * w;
        for (index_t i = 0; i < oh; ++i) {
            for (index_t j = 0; j < ow; ++j) {
                const index_t o = (pl * oh + i) * ow + j;
                T best = -std::numeric_limits<T>::infinity(), sum = T(0);
                std::int32_t arg = -1;
                for (index_t u = 0; u < k_[0]; ++u) {
                    const index_t hi = i * s_[0] - p_[0] + u;
                    if (hi < 0 || hi >= h) continue;
                    for (index_t v = 0; v < k_[1]; ++v) {
                        const index_t wi = j * s_[1] - p_[1] + v;
                        if (wi < 0 || wi >= w) continue;
                        const T val = xp[hi * w + wi];
                        sum += val;
                        if (arg < 0 || val > best) {
                            best = val;
                            arg = static_cast<std::int32_t>(hi * w + wi);
                        }
                    }
                }
                if (mode_ == PoolMode::max) {
                    y[o] = best;
                    am[o] = arg;
                } else {
                    y[o] = sum * inv;
                }
            }
        }
    }
}

template <typename T>
void pool2d_backward(const PoolShape& s, const T* g, const std::int32_t* am, const T* yo, T* dx) {
    const index_t planes = s.planes, h = s.h, w = s.w, oh = s.oh, ow = s.ow;
    const Pair k_ = s.kernel, s_ = s.stride, p_ = s.padding;
    const PoolMode mode_ = s.max ? PoolMode::max : PoolMode::average;
    const T inv = T(1) / T(k_[0] * k_[1]);
#if defined(MAGMADNN_ISA_AVX2)
    if constexpr (std::is_same_v<T, float>) {
        if (mode_ == PoolMode::max && k_ == Pair{2, 2} && s_ == Pair{2, 2} && p_ == Pair{0, 0}) {
#pragma omp parallel for if (planes * h * w > (1 << 14))
            for (index_t pl = 0; pl < planes; ++pl) {
                maxpool2x2_backward_plane_simd(g + pl * oh * ow, am + pl * oh * ow,
                                               yo ? yo + pl * oh * ow : nullptr, h, w, oh, ow,
                                               dx + pl * h * w);
            }
            return;
        }
    }
#endif
#pragma omp parallel for if (planes * h * w > (1 << 14))
    for (index_t pl = 0; pl < planes; ++pl) {
        T* dp = dx + pl * h * w;
        for (index_t e = 0; e < h * w; ++e) dp[e] = T(0);
        for (index_t i = 0; i < oh; ++i) {
            for (index_t j = 0; j < ow; ++j) {
                const index_t o = (pl * oh + i) * ow + j;
                if (mode_ == PoolMode::max) {
                    // a fused relu passes the gradient only where its output is > 0
                    const bool pass = yo == nullptr || yo[o] > T(0);
                    dp[am[o]] += pass ? g[o] : T(0);
                    continue;
                }
                for (index_t u = 0; u < k_[0]; ++u) {
                    const index_t hi = i * s_[0] - p_[0] + u;
                    if (hi < 0 || hi >= h) continue;
                    for (index_t v = 0; v < k_[1]; ++v) {
                        const index_t wi = j * s_[1] - p_[1] + v;
                        if (wi >= 0 && wi < w) dp[hi * w + wi] += g[o] * inv;
                    }
                }
            }
        }
    }
}

#define MAGMADNN_INSTANTIATE(T)                                                     \
    template void pool2d_forward<T>(const PoolShape&, const T*, T*, std::int32_t*); \
    template void pool2d_backward<T>(const PoolShape&, const T*, const std::int32_t*, const T*, T*);
MAGMADNN_INSTANTIATE(float)
MAGMADNN_INSTANTIATE(double)
#undef MAGMADNN_INSTANTIATE

}  // namespace magmadnn::pool::cpu::MAGMADNN_ISA_NS

#include "backend/cpu/isa/end.h"
