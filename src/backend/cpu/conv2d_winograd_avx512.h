// Private, no include guard: the AVX-512 parts of conv2d_winograd_kernels.cpp (the f32
// transforms on 16 consecutive tiles, the register-tiled GEMM over V's rows, the 16 x 16
// transpose of backward-weights), included once by it after backend/cpu/isa/begin.h and
// conv2d_winograd_transforms.h; empty for the other targets.
#if !defined(MAGMADNN_ISA_NS)
#error "include this file from conv2d_winograd_kernels.cpp, after backend/cpu/isa/begin.h"
#endif

#if defined(MAGMADNN_ISA_AVX512)
namespace magmadnn::conv::cpu::MAGMADNN_ISA_NS {
namespace {

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

}  // namespace
}  // namespace magmadnn::conv::cpu::MAGMADNN_ISA_NS
#endif
