// Private, no include guard: the Winograd transforms of conv2d_winograd_kernels.cpp, included
// once by it after backend/cpu/isa/begin.h, so they are compiled for its target (internal
// linkage). The 1-D transforms F2 / F4 on scalars or vectors, the filter transform and its
// gradient, and the per-tile input, output-gradient and output transforms every target runs.
#if !defined(MAGMADNN_ISA_NS)
#error "include this file from conv2d_winograd_kernels.cpp, after backend/cpu/isa/begin.h"
#endif

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
#elif defined(MAGMADNN_ISA_AVX2)
inline __m256 madd(float s, __m256 a, __m256 b) { return _mm256_fmadd_ps(_mm256_set1_ps(s), a, b); }
inline __m256 nmadd(float s, __m256 a, __m256 b) {
    return _mm256_fnmadd_ps(_mm256_set1_ps(s), a, b);
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
#elif defined(MAGMADNN_ISA_AVX2)
    if constexpr (std::is_same_v<T, float>) {
        const __m256i idx =
            _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32(9));
        for (index_t h0 = 0; h0 < n; h0 += 8) {
            const __m256i k = cpu_rows::lanes8(n - h0);
            __m256 g[9], u[aa];
            for (int e = 0; e < 9; ++e) {
                g[e] = _mm256_mask_i32gather_ps(_mm256_setzero_ps(), w + (kc0 + h0) * 9 + e, idx,
                                                _mm256_castsi256_ps(k), 4);
            }
            filter_transform<F, float>(g, u);
            for (int xi = 0; xi < aa; ++xi) _mm256_maskstore_ps(U + xi * us + kc0 + h0, k, u[xi]);
        }
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

}  // namespace
}  // namespace magmadnn::conv::cpu::MAGMADNN_ISA_NS
