// Private, no include guard: the AVX2 input transform of conv2d_winograd_kernels.cpp, 8
// consecutive tiles of a tile row at once, included once by it after backend/cpu/isa/begin.h and
// conv2d_winograd_transforms.h; empty for the other targets. The output transform and the GEMMs
// stay the portable loops and oneDNN's GEMM on this target.
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
        const __m256i k = lanes8(n);
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

}  // namespace
}  // namespace magmadnn::conv::cpu::MAGMADNN_ISA_NS
#endif
