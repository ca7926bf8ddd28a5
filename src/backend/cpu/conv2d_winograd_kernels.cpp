// Winograd F(m x m, 3 x 3) for 3x3, stride-1 convolutions (Lavin & Gray 2015), m = 2 or 4.
// Filters become U = G g G^T and input tiles V = B^T d B (alpha x alpha, alpha = m + 2); the
// convolution is then alpha^2 independent GEMMs M[xi] = U[xi] {k, c} x V[xi] {c, tiles}, and each
// output tile is A^T M A. F(2x2) does 16 multiplies per 4 outputs instead of 36; F(4x4) 36 per 16
// instead of 144, at the cost of larger transform constants (about one more digit of rounding
// error, see tests/backend/conv2d_algos_test.cpp).
//
// Each thread takes an even share of the tile rows and runs it in chunks of whole tile rows:
// input transform, the alpha^2 GEMMs, output transform, so that a chunk's V and M stay near the
// core (for a whole VGG layer they are 2-26 MB each). With AVX-512 the f32 path works on 16
// consecutive tiles at once: B^T first combines alpha input rows (contiguous vectors), permutes
// then split the result into the alpha columns of each tile, and V[xi] and M[xi] are {channel,
// tile} rows read and written 16 tiles at a time; its GEMMs are a register-tiled kernel that
// reads V's rows in place (no packing, no per-call overhead: faster than oneDNN's sgemm on these
// small operands). f64 and targets without AVX-512 run the same chunks with per-tile loops and
// math::cpu::gemm. Backward-weights (run_weights) reuses the chunks, the input transform and the
// GEMM kernel: dW = G^T (sum over tiles of (A dY A^T) . V) G.
#include <omp.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <array>
#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

#include "../kernels.h"
#include "conv2d.h"

// clang-format off
#include "backend/cpu/isa/begin.h"
// clang-format on

namespace magmadnn::conv::cpu::MAGMADNN_ISA_NS {

namespace {

// s a + b and b - s a, on scalars or (below) on 16 f32 lanes.
template <typename T>
inline T madd(T s, T a, T b) {
    return s * a + b;
}
template <typename T>
inline T nmadd(T s, T a, T b) {
    return b - s * a;
}
#if defined(MAGMADNN_ISA_AVX512)
inline __m512 madd(float s, __m512 a, __m512 b) { return _mm512_fmadd_ps(_mm512_set1_ps(s), a, b); }
inline __m512 nmadd(float s, __m512 a, __m512 b) {
    return _mm512_fnmadd_ps(_mm512_set1_ps(s), a, b);
}

// The first n lanes (none for n <= 0).
inline __mmask16 lanes(index_t n) {
    return n <= 0 ? __mmask16(0) : n >= 16 ? __mmask16(0xffff) : __mmask16((1u << n) - 1u);
}
#endif

// The 1-D transforms on alpha values (V: a scalar or a vector of lanes, S its scalar type): bt
// is r = B^T d, at is y = A^T v, written out with their common subexpressions; G (filters only,
// not time-critical) stays a matrix.
struct F2 {
    static constexpr int m = 2, a = 4;
    static constexpr double G[a][3] = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
    // B^T = {{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}}
    template <typename S, typename V>
    static void bt(const V (&d)[a], V (&r)[a]) {
        r[0] = d[0] - d[2];
        r[1] = d[1] + d[2];
        r[2] = d[2] - d[1];
        r[3] = d[1] - d[3];
    }
    // A^T = {{1, 1, 1, 0}, {0, 1, -1, -1}}
    template <typename S, typename V>
    static void at(const V (&v)[a], V (&y)[m]) {
        y[0] = v[0] + v[1] + v[2];
        y[1] = v[1] - v[2] - v[3];
    }
    // r = A g on m output-gradient values (backward-weights): A = (A^T)^T, alpha x m
    template <typename S, typename V>
    static void ag(const V (&g)[m], V (&r)[a]) {
        r[0] = g[0];
        r[1] = g[0] + g[1];
        r[2] = g[0] - g[1];
        r[3] = -g[1];
    }
};

struct F4 {
    static constexpr int m = 4, a = 6;
    static constexpr double G[a][3] = {{1.0 / 4, 0, 0},
                                       {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                                       {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                                       {1.0 / 24, 1.0 / 12, 1.0 / 6},
                                       {1.0 / 24, -1.0 / 12, 1.0 / 6},
                                       {0, 0, 1}};
    // B^T = {{4, 0, -5, 0, 1, 0},  {0, -4, -4, 1, 1, 0}, {0, 4, -4, -1, 1, 0},
    //        {0, -2, -1, 2, 1, 0}, {0, 2, -1, -2, 1, 0}, {0, 4, 0, -5, 0, 1}}
    template <typename S, typename V>
    static void bt(const V (&d)[a], V (&r)[a]) {
        const V t1 = nmadd(S(4), d[2], d[4]), t2 = nmadd(S(4), d[1], d[3]);
        const V t3 = d[4] - d[2], t4 = d[3] - d[1];
        r[0] = madd(S(4), d[0], nmadd(S(5), d[2], d[4]));
        r[1] = t1 + t2;
        r[2] = t1 - t2;
        r[3] = madd(S(2), t4, t3);
        r[4] = nmadd(S(2), t4, t3);
        r[5] = madd(S(4), d[1], nmadd(S(5), d[3], d[5]));
    }
    // A^T = {{1, 1, 1, 1, 1, 0}, {0, 1, -1, 2, -2, 0}, {0, 1, 1, 4, 4, 0}, {0, 1, -1, 8, -8, 1}}
    template <typename S, typename V>
    static void at(const V (&v)[a], V (&y)[m]) {
        const V s1 = v[1] + v[2], s2 = v[1] - v[2], s3 = v[3] + v[4], s4 = v[3] - v[4];
        y[0] = v[0] + s1 + s3;
        y[1] = madd(S(2), s4, s2);
        y[2] = madd(S(4), s3, s1);
        y[3] = madd(S(8), s4, s2) + v[5];
    }
    // A = {{1, 0, 0, 0}, {1, 1, 1, 1}, {1, -1, 1, -1}, {1, 2, 4, 8}, {1, -2, 4, -8}, {0, 0, 0, 1}}
    template <typename S, typename V>
    static void ag(const V (&g)[m], V (&r)[a]) {
        const V e1 = g[0] + g[2], o1 = g[1] + g[3];
        const V e2 = madd(S(4), g[2], g[0]), o2 = madd(S(8), g[3], g[1] + g[1]);
        r[0] = g[0];
        r[1] = e1 + o1;
        r[2] = e1 - o1;
        r[3] = e2 + o2;
        r[4] = e2 - o2;
        r[5] = g[3];
    }
};

// u = G g G^T for one 3x3 filter g (row-major), u row-major alpha x alpha.
template <typename F, typename S, typename V>
inline void filter_transform(const V (&g)[9], V (&u)[F::a * F::a]) {
    constexpr int a = F::a;
    V t[a][3];
    for (int i = 0; i < a; ++i) {
        for (int j = 0; j < 3; ++j) {
            V s{};
            for (int l = 0; l < 3; ++l) {
                if (F::G[i][l] != 0) s = madd(S(F::G[i][l]), g[l * 3 + j], s);
            }
            t[i][j] = s;
        }
    }
    for (int i = 0; i < a; ++i) {
        for (int j = 0; j < a; ++j) {
            V s{};
            for (int l = 0; l < 3; ++l) {
                if (F::G[j][l] != 0) s = madd(S(F::G[j][l]), t[i][l], s);
            }
            u[i * a + j] = s;
        }
    }
}

// g = G^T u G: the filter gradient (3x3, row-major) of the alpha x alpha gradient u of U.
template <typename F, typename T>
inline void filter_gradient(const T (&u)[F::a * F::a], T* g) {
    constexpr int a = F::a;
    T t[3][a];
    for (int l = 0; l < 3; ++l) {
        for (int j = 0; j < a; ++j) {
            T s{};
            for (int i = 0; i < a; ++i) {
                if (F::G[i][l] != 0) s += T(F::G[i][l]) * u[i * a + j];
            }
            t[l][j] = s;
        }
    }
    for (int l = 0; l < 3; ++l) {
        for (int q = 0; q < 3; ++q) {
            T s{};
            for (int j = 0; j < a; ++j) {
                if (F::G[j][q] != 0) s += t[l][j] * T(F::G[j][q]);
            }
            g[l * 3 + q] = s;
        }
    }
}

// U[xi][kc] for the filters kc in [kc0, kc0 + n), n <= 16; U[xi] is {k, c}, so kc = k * C + c.
template <typename F, typename T>
void filters(const T* w, index_t kc0, index_t n, T* U, index_t us) {
    constexpr int aa = F::a * F::a;
#if defined(MAGMADNN_ISA_AVX512)
    if constexpr (std::is_same_v<T, float>) {
        const __mmask16 k = lanes(n);
        const __m512i idx = _mm512_mullo_epi32(
            _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
            _mm512_set1_epi32(9));
        __m512 g[9], u[aa];
        for (int e = 0; e < 9; ++e) {
            g[e] = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), k, idx, w + kc0 * 9 + e, 4);
        }
        filter_transform<F, float>(g, u);
        for (int xi = 0; xi < aa; ++xi) _mm512_mask_storeu_ps(U + xi * us + kc0, k, u[xi]);
        return;
    }
#endif
    for (index_t kc = kc0; kc < kc0 + n; ++kc) {
        T g[9], u[aa];
        for (int e = 0; e < 9; ++e) g[e] = w[kc * 9 + e];
        filter_transform<F, T>(g, u);
        for (int xi = 0; xi < aa; ++xi) U[xi * us + kc] = u[xi];
    }
}

// The input transform of tile row ti of one channel's plane: tile tj's alpha^2 values go to
// v[xi * xs + tj].
template <typename F, typename T>
void input_row(const Shape2d& p, const T* plane, index_t ti, index_t tw, T* v, index_t xs) {
    constexpr int m = F::m, a = F::a;
    for (index_t tj = 0; tj < tw; ++tj) {
        const index_t h0 = ti * m - p.pad_h, w0 = tj * m - p.pad_w;
        T d[a][a], t[a][a];
        for (int i = 0; i < a; ++i) {
            const index_t hi = h0 + i;
            for (int j = 0; j < a; ++j) {
                const index_t wi = w0 + j;
                d[i][j] = hi >= 0 && hi < p.h && wi >= 0 && wi < p.w ? plane[hi * p.w + wi] : T(0);
            }
        }
        for (int j = 0; j < a; ++j) {
            T col[a], r[a];
            for (int l = 0; l < a; ++l) col[l] = d[l][j];
            F::template bt<T>(col, r);
            for (int i = 0; i < a; ++i) t[i][j] = r[i];
        }
        for (int i = 0; i < a; ++i) {
            T r[a];
            F::template bt<T>(t[i], r);
            for (int j = 0; j < a; ++j) v[(i * a + j) * xs + tj] = r[j];
        }
    }
}

// The output-gradient transform of tile row ti for one output channel (backward-weights): tile
// tj's m x m values of dyk (the plane {oh, ow}, zero past its edges) become A dY A^T, written to
// v[xi * xs + tj].
template <typename F, typename T>
void gradient_row(index_t oh, index_t ow, const T* dyk, index_t ti, index_t tw, T* v, index_t xs) {
    constexpr int m = F::m, a = F::a;
    for (index_t tj = 0; tj < tw; ++tj) {
        T t[a][m];
        for (int j = 0; j < m; ++j) {
            const index_t wj = tj * m + j;
            T col[m], r[a];
            for (int i = 0; i < m; ++i) {
                const index_t hi = ti * m + i;
                col[i] = hi < oh && wj < ow ? dyk[hi * ow + wj] : T(0);
            }
            F::template ag<T>(col, r);
            for (int i = 0; i < a; ++i) t[i][j] = r[i];
        }
        for (int i = 0; i < a; ++i) {
            T r[a];
            F::template ag<T>(t[i], r);
            for (int j = 0; j < a; ++j) v[(i * a + j) * xs + tj] = r[j];
        }
    }
}

// The output transform of tile row ti for one output channel: tile tj's alpha^2 values are
// mk[xi * xs + tj]; yk is the output plane {oh, ow}.
template <typename F, typename T>
void output_row(index_t oh, index_t ow, const T* mk, index_t xs, index_t ti, index_t tw, T* yk) {
    constexpr int m = F::m, a = F::a;
    for (index_t tj = 0; tj < tw; ++tj) {
        T t[m][a];
        for (int j = 0; j < a; ++j) {
            T col[a], r[m];
            for (int l = 0; l < a; ++l) col[l] = mk[(l * a + j) * xs + tj];
            F::template at<T>(col, r);
            for (int i = 0; i < m; ++i) t[i][j] = r[i];
        }
        for (int i = 0; i < m && ti * m + i < oh; ++i) {
            T r[m];
            F::template at<T>(t[i], r);
            T* out = yk + (ti * m + i) * ow;
            for (int j = 0; j < m && tj * m + j < ow; ++j) out[tj * m + j] = r[j];
        }
    }
}

#if defined(MAGMADNN_ISA_AVX512)
// d[j] lane t = element m t + j of the m vectors x, j < m: the m columns of 16 consecutive tiles.
template <int m>
inline void split(const __m512 (&x)[m], __m512* d) {
    if constexpr (m == 2) {
        const __m512i even =
            _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        const __m512i odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
        d[0] = _mm512_permutex2var_ps(x[0], even, x[1]);
        d[1] = _mm512_permutex2var_ps(x[0], odd, x[1]);
    } else {
        // every 4th of 32 elements, into lanes 0-7 from the first 32 and 8-15 from the next 32
        const __m512i q =
            _mm512_setr_epi32(0, 4, 8, 12, 16, 20, 24, 28, 0, 4, 8, 12, 16, 20, 24, 28);
        for (int j = 0; j < m; ++j) {
            const __m512i qj = _mm512_add_epi32(q, _mm512_set1_epi32(j));
            d[j] = _mm512_mask_blend_ps(0xff00, _mm512_permutex2var_ps(x[0], qj, x[1]),
                                        _mm512_permutex2var_ps(x[2], qj, x[3]));
        }
    }
}

// d[j] lane t = s[m t + j], j < alpha: the alpha columns of 16 consecutive tiles, from the m + 1
// vectors at s (whole vectors at the offsets the row was stored at, so the loads are forwarded
// from those stores).
template <int m, int a>
inline void deinterleave(const float* s, __m512 (&d)[a]) {
    // columns m and m + 1 of tile t are columns 0 and 1 of tile t + 1
    const __m512i next0 = _mm512_setr_epi32(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
    const __m512i next1 = _mm512_setr_epi32(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 17);
    const __m512 last = _mm512_loadu_ps(s + 16 * m);
    __m512 x[m];
    for (int q = 0; q < m; ++q) x[q] = _mm512_loadu_ps(s + 16 * q);
    split<m>(x, d);
    d[m] = _mm512_permutex2var_ps(d[0], next0, last);
    d[m + 1] = _mm512_permutex2var_ps(d[1], next1, last);
}

// The inverse for the m output columns: o[v] lane l = y[l % m] lane 16 v / m + l / m.
template <int m>
inline void interleave(const __m512 (&y)[m], __m512 (&o)[m]) {
    const __m512i lo = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    const __m512i hi = _mm512_add_epi32(lo, _mm512_set1_epi32(8));
    if constexpr (m == 2) {
        o[0] = _mm512_permutex2var_ps(y[0], lo, y[1]);
        o[1] = _mm512_permutex2var_ps(y[0], hi, y[1]);
    } else {
        const __m512 a0 = _mm512_permutex2var_ps(y[0], lo, y[2]);
        const __m512 a1 = _mm512_permutex2var_ps(y[0], hi, y[2]);
        const __m512 b0 = _mm512_permutex2var_ps(y[1], lo, y[3]);
        const __m512 b1 = _mm512_permutex2var_ps(y[1], hi, y[3]);
        o[0] = _mm512_permutex2var_ps(a0, lo, b0);
        o[1] = _mm512_permutex2var_ps(a0, hi, b0);
        o[2] = _mm512_permutex2var_ps(a1, lo, b1);
        o[3] = _mm512_permutex2var_ps(a1, hi, b1);
    }
}

// input_row for f32, 16 tiles at a time. rows: alpha rows of wb floats (column j of the padded
// input at j, zero past the input); zero: p.w zeros, read in place of the rows above and below
// the plane.
template <typename F>
void input_row_avx512(const Shape2d& p, const float* plane, index_t ti, index_t tw, float* v,
                      index_t xs, float* rows, index_t wb, const float* zero) {
    constexpr int m = F::m, a = F::a;
    const float* src[a];
    for (int l = 0; l < a; ++l) {
        const index_t hi = ti * m - p.pad_h + l;
        src[l] = hi >= 0 && hi < p.h ? plane + hi * p.w : zero;
    }
    // Whole vectors of the padded row, up to the last input column (the rest stays zero): the
    // loads mask the padding, so the first vector's address may start before the row.
    for (index_t c0 = 0; c0 < p.pad_w + p.w; c0 += 16) {
        const auto k = static_cast<__mmask16>(lanes(p.pad_w + p.w - c0) & ~lanes(p.pad_w - c0));
        __m512 d[a], r[a];
        for (int l = 0; l < a; ++l) d[l] = _mm512_maskz_loadu_ps(k, src[l] + c0 - p.pad_w);
        F::template bt<float>(d, r);
        for (int i = 0; i < a; ++i) _mm512_storeu_ps(rows + i * wb + c0, r[i]);
    }
    for (index_t t = 0; t < tw; t += 16) {
        const __mmask16 k = lanes(tw - t);
        for (int i = 0; i < a; ++i) {
            __m512 d[a], r[a];
            deinterleave<m, a>(rows + i * wb + t * m, d);
            F::template bt<float>(d, r);
            for (int j = 0; j < a; ++j) _mm512_mask_storeu_ps(v + (i * a + j) * xs + t, k, r[j]);
        }
    }
}

// gradient_row for f32, 16 tiles at a time: the m rows of 16 m output-gradient columns are
// split into each tile's columns (lanes past the plane load as zeros).
template <typename F>
void gradient_row_avx512(index_t oh, index_t ow, const float* dyk, index_t ti, index_t tw, float* v,
                         index_t xs) {
    constexpr int m = F::m, a = F::a;
    for (index_t t = 0; t < tw; t += 16) {
        const __mmask16 k = lanes(tw - t);
        const index_t x0 = t * m;
        __m512 g[m][m];  // g[i][j] lane l: row i, column j of tile t + l
        for (int i = 0; i < m; ++i) {
            if (ti * m + i < oh) {
                const float* row = dyk + (ti * m + i) * ow + x0;
                __m512 x[m];
                for (int q = 0; q < m; ++q)
                    x[q] = _mm512_maskz_loadu_ps(lanes(ow - x0 - 16 * q), row + 16 * q);
                split<m>(x, g[i]);
            } else {
                for (int j = 0; j < m; ++j) g[i][j] = _mm512_setzero_ps();
            }
        }
        __m512 tmp[a][m];
        for (int j = 0; j < m; ++j) {
            __m512 col[m], r[a];
            for (int i = 0; i < m; ++i) col[i] = g[i][j];
            F::template ag<float>(col, r);
            for (int i = 0; i < a; ++i) tmp[i][j] = r[i];
        }
        for (int i = 0; i < a; ++i) {
            __m512 r[a];
            F::template ag<float>(tmp[i], r);
            for (int j = 0; j < a; ++j) _mm512_mask_storeu_ps(v + (i * a + j) * xs + t, k, r[j]);
        }
    }
}

// output_row for f32, 16 tiles at a time.
template <typename F>
void output_row_avx512(index_t oh, index_t ow, const float* mk, index_t xs, index_t ti, index_t tw,
                       float* yk) {
    constexpr int m = F::m, a = F::a;
    for (index_t t = 0; t < tw; t += 16) {
        const __mmask16 k = lanes(tw - t);
        __m512 tmp[m][a];
        for (int j = 0; j < a; ++j) {
            __m512 col[a], r[m];
            for (int l = 0; l < a; ++l)
                col[l] = _mm512_maskz_loadu_ps(k, mk + (l * a + j) * xs + t);
            F::template at<float>(col, r);
            for (int i = 0; i < m; ++i) tmp[i][j] = r[i];
        }
        const index_t x0 = t * m;
        for (int i = 0; i < m && ti * m + i < oh; ++i) {
            __m512 r[m], o[m];
            F::template at<float>(tmp[i], r);
            interleave<m>(r, o);
            float* out = yk + (ti * m + i) * ow + x0;
            for (int q = 0; q < m; ++q)
                _mm512_mask_storeu_ps(out + 16 * q, lanes(ow - x0 - 16 * q), o[q]);
        }
    }
}

// One xi's GEMM, f32: Mx{K, N} = Ux{K, C} Vx{C, N} (leading dimensions lda, ld, ld), or with Acc
// Mx += Ux Vx, in tiles of R rows by NV vectors of 16 tiles whose accumulators stay in registers
// while c runs: the rows of V are already contiguous runs of tiles, so nothing is packed. ld is a
// multiple of 16, so the last vector of a row may run past N inside the row's padding (never read
// afterwards).
template <int R, int NV, bool Acc>
void gemm_tile(const float* A, index_t lda, index_t C, const float* B, index_t ld, float* out) {
    __m512 acc[R][NV];
    for (int r = 0; r < R; ++r) {
        for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_setzero_ps();
    }
#pragma GCC unroll 2
    for (index_t c = 0; c < C; ++c) {
        __m512 b[NV];
        for (int v = 0; v < NV; ++v) b[v] = _mm512_loadu_ps(B + c * ld + 16 * v);
        for (int r = 0; r < R; ++r) {
            const __m512 a = _mm512_set1_ps(A[r * lda + c]);
            for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_fmadd_ps(a, b[v], acc[r][v]);
        }
    }
    for (int r = 0; r < R; ++r) {
        for (int v = 0; v < NV; ++v) {
            float* o = out + r * ld + 16 * v;
            _mm512_storeu_ps(o, Acc ? _mm512_add_ps(_mm512_loadu_ps(o), acc[r][v]) : acc[r][v]);
        }
    }
}

// Rows per tile for NV vectors: at most 24 accumulators (with the V rows and a broadcast, no
// spills), and at least 12 FMAs per row of V loaded.
constexpr int tile_rows(int nv) { return nv == 1 ? 12 : nv == 2 ? 12 : nv == 3 ? 8 : 6; }

template <int NV, bool Acc, std::size_t... R>
constexpr auto short_tiles(std::index_sequence<R...>) {
    return std::array{&gemm_tile<int(R) + 1, NV, Acc>...};
}

// Ragged N: the last panel takes 1-3 vectors.
template <int NV, bool Acc>
void gemm_panel(index_t K, index_t C, const float* A, index_t lda, const float* B, index_t ld,
                float* out) {
    constexpr int R = tile_rows(NV);
    index_t k0 = 0;
    for (; k0 + R <= K; k0 += R) gemm_tile<R, NV, Acc>(A + k0 * lda, lda, C, B, ld, out + k0 * ld);
    if (k0 < K) {
        static constexpr auto rest = short_tiles<NV, Acc>(std::make_index_sequence<R - 1>());
        rest[static_cast<std::size_t>(K - k0 - 1)](A + k0 * lda, lda, C, B, ld, out + k0 * ld);
    }
}

template <bool Acc = false>
void gemm_avx512(index_t K, index_t N, index_t C, const float* A, index_t lda, const float* B,
                 index_t ld, float* out) {
    for (index_t n0 = 0; n0 < N; n0 += 64) {
        switch (std::min<index_t>(4, (N - n0 + 15) / 16)) {
            case 1:
                gemm_panel<1, Acc>(K, C, A, lda, B + n0, ld, out + n0);
                break;
            case 2:
                gemm_panel<2, Acc>(K, C, A, lda, B + n0, ld, out + n0);
                break;
            case 3:
                gemm_panel<3, Acc>(K, C, A, lda, B + n0, ld, out + n0);
                break;
            default:
                gemm_panel<4, Acc>(K, C, A, lda, B + n0, ld, out + n0);
                break;
        }
    }
}

// The 16 x 16 transpose of r in four butterfly steps: step b swaps bit b of the row and lane
// indices, one two-source permute per output row.
constexpr std::array<std::array<std::array<int, 16>, 2>, 4> transpose_steps() {
    std::array<std::array<std::array<int, 16>, 2>, 4> idx{};
    for (int b = 0; b < 4; ++b) {
        const int d = 1 << b;
        for (int l = 0; l < 16; ++l) {
            idx[b][0][l] = (l & d) != 0 ? 16 + l - d : l;
            idx[b][1][l] = (l & d) != 0 ? 16 + l : l + d;
        }
    }
    return idx;
}

inline void transpose16(__m512 (&r)[16]) {
    static constexpr auto steps = transpose_steps();
    for (int b = 0; b < 4; ++b) {
        const int d = 1 << b;
        const __m512i lo = _mm512_loadu_si512(steps[b][0].data());
        const __m512i hi = _mm512_loadu_si512(steps[b][1].data());
        for (int i = 0; i < 16; ++i) {
            if ((i & d) != 0) continue;
            const __m512 x = r[i], y = r[i + d];
            r[i] = _mm512_permutex2var_ps(x, lo, y);
            r[i + d] = _mm512_permutex2var_ps(x, hi, y);
        }
    }
}

// vt{N, cp} = v{C, N}^T (rows of v ld apart; columns C..cp of vt zero).
void transpose_tiles(index_t C, index_t N, const float* v, index_t ld, float* vt, index_t cp) {
    for (index_t n0 = 0; n0 < N; n0 += 16) {
        const __mmask16 k = lanes(N - n0);
        const index_t rows = std::min<index_t>(16, N - n0);
        for (index_t c0 = 0; c0 < cp; c0 += 16) {
            __m512 r[16];
            for (int i = 0; i < 16; ++i) {
                r[i] = c0 + i < C ? _mm512_maskz_loadu_ps(k, v + (c0 + i) * ld + n0)
                                  : _mm512_setzero_ps();
            }
            transpose16(r);
            for (index_t i = 0; i < rows; ++i) _mm512_storeu_ps(vt + (n0 + i) * cp + c0, r[i]);
        }
    }
}
#endif

// A chunk's V and M together stay under this many bytes, unless one tile row is larger. Larger
// chunks give the GEMMs longer rows, smaller ones keep the transforms' traffic closer to the core
// (1 MB of L2 per core here); 1-3 MB measured within a few percent of each other on the VGG
// layers.
constexpr index_t chunk_bytes = index_t(2) << 20;

// V for tile rows [r0, r1) (row r: image r / th, tile row r % th) of every input channel;
// channel c's tiles start at V + c ld, the alpha^2 slices are vs apart. row_buf, wb and zero are
// the vectorised transform's scratch (see input_row_avx512; unused for f64).
template <typename F, typename T>
void input_rows(const Shape2d& p, const T* x, index_t th, index_t tw, index_t r0, index_t r1, T* V,
                index_t ld, index_t vs, [[maybe_unused]] T* row_buf, [[maybe_unused]] index_t wb,
                [[maybe_unused]] const T* zero) {
    const index_t C = p.c;
    for (index_t c = 0; c < C; ++c) {
        for (index_t r = r0; r < r1; ++r) {
            const T* plane = x + ((r / th) * C + c) * p.h * p.w;
            T* v = V + c * ld + (r - r0) * tw;
#if defined(MAGMADNN_ISA_AVX512)
            if constexpr (std::is_same_v<T, float>) {
                input_row_avx512<F>(p, plane, r % th, tw, v, vs, row_buf, wb, zero);
                continue;
            }
#endif
            input_row<F>(p, plane, r % th, tw, v, vs);
        }
    }
}

template <typename T>
T* workspace(std::vector<T>& v, index_t n) {
    if (v.size() < static_cast<std::size_t>(n)) v.resize(static_cast<std::size_t>(n));
    return v.data();
}

template <typename F, typename T>
void run(const Shape2d& p, const T* x, const T* w, T* y) {
    constexpr int m = F::m, a = F::a, aa = a * a;
    const index_t oh = p.out_h(), ow = p.out_w();
    const index_t th = (oh + m - 1) / m, tw = (ow + m - 1) / m, rows = p.n * th;
    const index_t C = p.c, K = p.k, KC = K * C;

    // Each thread takes an even share of the n * th tile rows and runs it in chunks of whole
    // tile rows, as large as fit the budget, of equal sizes.
    const index_t row_bytes = aa * (C + K) * tw * static_cast<index_t>(sizeof(T));
    const index_t fit = std::max<index_t>(1, chunk_bytes / row_bytes);
    const index_t us = KC + 16;                       // see vs below
    const index_t wb = (tw + 15) / 16 * 16 * m + 16;  // rows of the vectorised input transform

    // Kept between calls (as the per-thread buffers below): fresh ones would cost page faults
    // and zeroing on every call. All threads fill U; the loop's barrier precedes its use.
    thread_local std::vector<T> filter_buf;
    T* const U = workspace(filter_buf, aa * us);

#pragma omp parallel
    {
#pragma omp for schedule(static)
        for (index_t kc = 0; kc < KC; kc += 16) {
            filters<F>(w, kc, std::min<index_t>(16, KC - kc), U, us);
        }

        const index_t nth = omp_get_num_threads(), id = omp_get_thread_num();
        const index_t mine0 = id * rows / nth, mine = (id + 1) * rows / nth - mine0;
        const index_t chunks = (mine + fit - 1) / fit;
        // ld: the tile stride of V and M, whole vectors. V[xi] and M[xi] are one cache line
        // past a multiple of ld apart: the transforms touch all alpha^2 of them at once, and
        // power-of-two strides would put them in the same cache sets.
        const index_t ld = chunks == 0 ? 16 : ((mine + chunks - 1) / chunks * tw + 15) / 16 * 16;
        const index_t vs = C * ld + 16, ms = K * ld + 16;
        thread_local std::vector<T> chunk_buf;
        T* const V = workspace(chunk_buf, aa * (vs + ms) + a * wb + p.w + 16);
        T* const M = V + aa * vs;
        // on a cache-line boundary: the input transform stores and reloads whole vectors of it
        [[maybe_unused]] T* const row_buf =
            M + aa * ms +
            (16 - reinterpret_cast<std::uintptr_t>(M + aa * ms) / sizeof(T) % 16) % 16;
        [[maybe_unused]] const T* const zero = row_buf + a * wb;
        std::fill(row_buf, row_buf + a * wb + p.w, T(0));

        for (index_t ch = 0; ch < chunks; ++ch) {
            const index_t r0 = mine0 + ch * mine / chunks, r1 = mine0 + (ch + 1) * mine / chunks;
            input_rows<F>(p, x, th, tw, r0, r1, V, ld, vs, row_buf, wb, zero);
            for (int xi = 0; xi < aa; ++xi) {
#if defined(MAGMADNN_ISA_AVX512)
                if constexpr (std::is_same_v<T, float>) {
                    gemm_avx512(K, (r1 - r0) * tw, C, U + xi * us, C, V + xi * vs, ld, M + xi * ms);
                    continue;
                }
#endif
                math::cpu::gemm(false, false, K, (r1 - r0) * tw, C, T(1), U + xi * us, C,
                                V + xi * vs, ld, T(0), M + xi * ms, ld);
            }
            for (index_t k = 0; k < K; ++k) {
                for (index_t r = r0; r < r1; ++r) {
                    T* yk = y + ((r / th) * K + k) * oh * ow;
                    const T* mk = M + k * ld + (r - r0) * tw;
#if defined(MAGMADNN_ISA_AVX512)
                    if constexpr (std::is_same_v<T, float>) {
                        output_row_avx512<F>(oh, ow, mk, ms, r % th, tw, yk);
                        continue;
                    }
#endif
                    output_row<F>(oh, ow, mk, ms, r % th, tw, yk);
                }
            }
        }
    }
}

// Backward-weights: dW[k][c] = G^T (sum over tiles of (A dY A^T) . (B^T d B)) G. The same chunks
// of tile rows as run(): per chunk the input transform into V[xi] {c, tiles}, the output-gradient
// transform into D[xi] {k, tiles}, and the alpha^2 GEMMs over the tile axis, D[xi] V[xi]^T,
// accumulated into the thread's own sums {xi, k, c} (rows cp apart); then the threads' sums are
// added and each filter's alpha x alpha sum goes through G^T . G. With AVX-512 the f32 GEMMs are
// the forward's kernel on each V[xi] transposed to {tiles, c} just before its GEMM (a small,
// cache-resident copy), so that the k rows of D[xi] are broadcast and the c columns vectorised.
template <typename F, typename T>
void run_weights(const Shape2d& p, const T* x, const T* dy, T* dw) {
    constexpr int m = F::m, a = F::a, aa = a * a;
    const index_t oh = p.out_h(), ow = p.out_w();
    const index_t th = (oh + m - 1) / m, tw = (ow + m - 1) / m, rows = p.n * th;
    const index_t C = p.c, K = p.k, KC = K * C, cp = (C + 15) / 16 * 16, ss = K * cp;
    const index_t row_bytes = aa * (C + K) * tw * static_cast<index_t>(sizeof(T));
    const index_t fit = std::max<index_t>(1, chunk_bytes / row_bytes);
    const index_t wb = (tw + 15) / 16 * 16 * m + 16;

    thread_local std::vector<T> sum_buf;
    T* const sums = workspace(sum_buf, index_t(omp_get_max_threads()) * aa * ss);

#pragma omp parallel
    {
        const index_t nth = omp_get_num_threads(), id = omp_get_thread_num();
        const index_t mine0 = id * rows / nth, mine = (id + 1) * rows / nth - mine0;
        const index_t chunks = (mine + fit - 1) / fit;
        const index_t ld = chunks == 0 ? 16 : ((mine + chunks - 1) / chunks * tw + 15) / 16 * 16;
        const index_t vs = C * ld + 16, ds = K * ld + 16;
        thread_local std::vector<T> chunk_buf;
        T* const V = workspace(chunk_buf, aa * (vs + ds) + a * wb + p.w + 16 + ld * cp);
        T* const D = V + aa * vs;
        [[maybe_unused]] T* const row_buf =
            D + aa * ds +
            (16 - reinterpret_cast<std::uintptr_t>(D + aa * ds) / sizeof(T) % 16) % 16;
        [[maybe_unused]] const T* const zero = row_buf + a * wb;
        [[maybe_unused]] T* const vt = row_buf + a * wb + p.w;
        std::fill(row_buf, row_buf + a * wb + p.w, T(0));
        T* const sum = sums + id * aa * ss;  // the first chunk's GEMMs overwrite it
        if (chunks == 0) std::fill(sum, sum + aa * ss, T(0));

        for (index_t ch = 0; ch < chunks; ++ch) {
            const index_t r0 = mine0 + ch * mine / chunks, r1 = mine0 + (ch + 1) * mine / chunks;
            const index_t N = (r1 - r0) * tw;
            input_rows<F>(p, x, th, tw, r0, r1, V, ld, vs, row_buf, wb, zero);
            for (index_t k = 0; k < K; ++k) {
                for (index_t r = r0; r < r1; ++r) {
                    const T* dyk = dy + ((r / th) * K + k) * oh * ow;
                    T* d = D + k * ld + (r - r0) * tw;
#if defined(MAGMADNN_ISA_AVX512)
                    if constexpr (std::is_same_v<T, float>) {
                        gradient_row_avx512<F>(oh, ow, dyk, r % th, tw, d, ds);
                        continue;
                    }
#endif
                    gradient_row<F>(oh, ow, dyk, r % th, tw, d, ds);
                }
            }
            for (int xi = 0; xi < aa; ++xi) {
#if defined(MAGMADNN_ISA_AVX512)
                if constexpr (std::is_same_v<T, float>) {
                    transpose_tiles(C, N, V + xi * vs, ld, vt, cp);
                    if (ch == 0) {
                        gemm_avx512<false>(K, cp, N, D + xi * ds, ld, vt, cp, sum + xi * ss);
                    } else {
                        gemm_avx512<true>(K, cp, N, D + xi * ds, ld, vt, cp, sum + xi * ss);
                    }
                    continue;
                }
#endif
                math::cpu::gemm(false, true, K, C, N, T(1), D + xi * ds, ld, V + xi * vs, ld,
                                T(ch == 0 ? 0 : 1), sum + xi * ss, cp);
            }
        }

#pragma omp barrier
#pragma omp for schedule(static)
        for (index_t kc = 0; kc < KC; ++kc) {
            const index_t at = kc / C * cp + kc % C;
            T u[aa];
            for (int xi = 0; xi < aa; ++xi) {
                T s = sums[xi * ss + at];
                for (index_t t = 1; t < nth; ++t) s += sums[(t * aa + xi) * ss + at];
                u[xi] = s;
            }
            filter_gradient<F>(u, dw + kc * 9);
        }
    }
}

}  // namespace

template <typename T>
void winograd_forward(int m, const Shape2d& p, const T* x, const T* w, T* y) {
    if (m == 2) {
        run<F2>(p, x, w, y);
    } else {
        run<F4>(p, x, w, y);
    }
}

template <typename T>
void winograd_backward_data(int m, const Shape2d& p, const T* dy, const T* w, T* dx) {
    // dx = dy (padded by 2 - pad) correlated with the filter rotated by 180 degrees, in and out
    // channels swapped.
    Shape2d q = p;
    q.c = p.k;
    q.k = p.c;
    q.h = p.out_h();
    q.w = p.out_w();
    q.pad_h = 2 - p.pad_h;
    q.pad_w = 2 - p.pad_w;
    std::vector<T> wr(static_cast<std::size_t>(p.k * p.c * 9));
    for (index_t k = 0; k < p.k; ++k)
        for (index_t c = 0; c < p.c; ++c)
            for (int e = 0; e < 9; ++e) wr[(c * p.k + k) * 9 + e] = w[(k * p.c + c) * 9 + 8 - e];
    winograd_forward(m, q, dy, wr.data(), dx);
}

template <typename T>
void winograd_backward_weights(int m, const Shape2d& p, const T* x, const T* dy, T* dw) {
    if (m == 2) {
        run_weights<F2>(p, x, dy, dw);
    } else {
        run_weights<F4>(p, x, dy, dw);
    }
}

#define MAGMADNN_INSTANTIATE(T)                                                           \
    template void winograd_forward<T>(int, const Shape2d&, const T*, const T*, T*);       \
    template void winograd_backward_data<T>(int, const Shape2d&, const T*, const T*, T*); \
    template void winograd_backward_weights<T>(int, const Shape2d&, const T*, const T*, T*);
MAGMADNN_INSTANTIATE(float)
MAGMADNN_INSTANTIATE(double)
#undef MAGMADNN_INSTANTIATE

}  // namespace magmadnn::conv::cpu::MAGMADNN_ISA_NS

#include "backend/cpu/isa/end.h"
