// Private, no include guard: the AVX2 input and output transforms of
// conv2d_winograd_kernels.cpp, 8 consecutive tiles of a tile row at once, included once by it
// after backend/cpu/isa/begin.h and conv2d_winograd_transforms.h; empty for the other targets.
// The GEMMs stay oneDNN's on this target.
#if !defined(MAGMADNN_ISA_NS)
#error "include this file from conv2d_winograd_kernels.cpp, after backend/cpu/isa/begin.h"
#endif

#if defined(MAGMADNN_ISA_AVX2) && !defined(MAGMADNN_ISA_AVX512)
namespace magmadnn::conv::cpu::MAGMADNN_ISA_NS {
namespace {

// input_row for f32, 8 tiles at a time: the alpha input rows are first copied into zero-padded
// rows (column j of the padded input at j), then each of the alpha^2 window positions is one
// 8-lane gather at stride m; both 1-D transforms run on vectors of 8 tiles and each result is 8
// consecutive values of V. rows: alpha rows of wb floats, wb >= (tw rounded up to 8) m + alpha.
template <typename F>
void input_row_avx2(const Shape2d& p, const float* plane, index_t ti, index_t tw, float* v,
                    index_t xs, float* rows, index_t wb) {
    constexpr int m = F::m, a = F::a;
    for (int l = 0; l < a; ++l) {
        float* row = rows + l * wb;
        std::fill(row, row + wb, 0.0f);
        const index_t hi = ti * m - p.pad_h + l;
        if (hi >= 0 && hi < p.h) std::copy(plane + hi * p.w, plane + (hi + 1) * p.w, row + p.pad_w);
    }
    const __m256i idx =
        _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32(m));
    for (index_t tj0 = 0; tj0 < tw; tj0 += 8) {
        __m256 t[a][a];
        for (int j = 0; j < a; ++j) {  // B^T down the columns
            __m256 col[a], r[a];
            for (int l = 0; l < a; ++l) {
                col[l] = _mm256_i32gather_ps(rows + l * wb + tj0 * m + j, idx, 4);
            }
            F::template bt<float>(col, r);
            for (int i = 0; i < a; ++i) t[i][j] = r[i];
        }
        const index_t n = std::min<index_t>(8, tw - tj0);
        const __m256i k = cpu_rows::lanes8(n);
        for (int i = 0; i < a; ++i) {  // then along the rows
            __m256 r[a];
            F::template bt<float>(t[i], r);
            for (int j = 0; j < a; ++j) {
                float* out = v + (i * a + j) * xs + tj0;
                if (n == 8) {
                    _mm256_storeu_ps(out, r[j]);
                } else {
                    _mm256_maskstore_ps(out, k, r[j]);
                }
            }
        }
    }
}

// o = the m vectors y interleaved (o[q] lane l = y[l % m] lane (8 q + l) / m): the m output
// columns of 8 tiles as 8 m consecutive floats.
template <int m>
inline void interleave8(const __m256 (&y)[m], __m256 (&o)[m]) {
    if constexpr (m == 2) {
        const __m256 t0 = _mm256_unpacklo_ps(y[0], y[1]), t1 = _mm256_unpackhi_ps(y[0], y[1]);
        o[0] = _mm256_permute2f128_ps(t0, t1, 0x20);
        o[1] = _mm256_permute2f128_ps(t0, t1, 0x31);
    } else {
        const __m256 t0 = _mm256_unpacklo_ps(y[0], y[1]), t1 = _mm256_unpackhi_ps(y[0], y[1]);
        const __m256 t2 = _mm256_unpacklo_ps(y[2], y[3]), t3 = _mm256_unpackhi_ps(y[2], y[3]);
        const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
        const __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
        o[0] = _mm256_permute2f128_ps(u0, u1, 0x20);
        o[1] = _mm256_permute2f128_ps(u2, u3, 0x20);
        o[2] = _mm256_permute2f128_ps(u0, u1, 0x31);
        o[3] = _mm256_permute2f128_ps(u2, u3, 0x31);
    }
}

// output_row for f32, 8 tiles at a time: A^T down the columns and along the rows on vectors of
// 8 tiles, then each output row's 8 m columns interleaved and stored at once (the last group
// through a small buffer, clipped to the plane).
template <typename F>
void output_row_avx2(index_t oh, index_t ow, const float* mk, index_t xs, index_t ti, index_t tw,
                     float* yk) {
    constexpr int m = F::m, a = F::a;
    for (index_t tj0 = 0; tj0 < tw; tj0 += 8) {
        const index_t n = std::min<index_t>(8, tw - tj0);
        const __m256i k = cpu_rows::lanes8(n);
        __m256 t[m][a];
        for (int j = 0; j < a; ++j) {
            __m256 col[a], r[m];
            for (int l = 0; l < a; ++l) {
                const float* src = mk + (l * a + j) * xs + tj0;
                col[l] = n == 8 ? _mm256_loadu_ps(src) : _mm256_maskload_ps(src, k);
            }
            F::template at<float>(col, r);
            for (int i = 0; i < m; ++i) t[i][j] = r[i];
        }
        const index_t c0 = tj0 * m, cols = std::min<index_t>(8 * m, ow - c0);
        for (int i = 0; i < m && ti * m + i < oh; ++i) {
            __m256 r[m], o[m];
            F::template at<float>(t[i], r);
            interleave8<m>(r, o);
            float* out = yk + (ti * m + i) * ow + c0;
            if (cols == 8 * m) {
                for (int q = 0; q < m; ++q) _mm256_storeu_ps(out + 8 * q, o[q]);
            } else {
                alignas(32) float buf[8 * m];
                for (int q = 0; q < m; ++q) _mm256_store_ps(buf + 8 * q, o[q]);
                std::copy(buf, buf + cols, out);
            }
        }
    }
}

}  // namespace
}  // namespace magmadnn::conv::cpu::MAGMADNN_ISA_NS
#endif
