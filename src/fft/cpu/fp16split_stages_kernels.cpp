// The FP16-split stages for one CPU target (compiled once per target, cmake/isa.cmake);
// fp16split_stages.cpp holds the entry point. Every target rounds the same way (IEEE round to
// nearest even), so the result does not depend on the target.
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

#include "fp16split_stages.h"
#include "magmadnn/core/half.h"

// clang-format off
#include "backend/cpu/isa/begin.h"
// clang-format on

namespace magmadnn::fft::cpu::MAGMADNN_ISA_NS {

namespace {

using cf = std::complex<float>;

struct Stage {
    int radix;
    index_t ns;               // length of the sub-transforms already done
    std::vector<cf> twiddle;  // [r * ns + k] = exp(-2 pi i r k / (ns radix)), rounded from f64
};

std::vector<Stage> make_stages(index_t n) {
    std::vector<Stage> stages;
    index_t ns = 1;
    while (ns < n) {
        const int radix = (n / ns) % 4 == 0 ? 4 : 2;
        Stage s{radix, ns, std::vector<cf>(static_cast<std::size_t>(radix * ns))};
        for (int r = 0; r < radix; ++r) {
            for (index_t k = 0; k < ns; ++k) {
                const double a = -2.0 * std::numbers::pi * r * static_cast<double>(k) /
                                 static_cast<double>(ns * radix);
                s.twiddle[r * ns + k] =
                    cf(static_cast<float>(std::cos(a)), static_cast<float>(std::sin(a)));
            }
        }
        stages.push_back(std::move(s));
        ns *= radix;
    }
    return stages;
}

// The R-point DFT as a real {2R, 2R} matrix on [Re v; Im v]; entries 0 and +-1, exact in FP16.
std::vector<float> dft_matrix(int R) {
    std::vector<float> F(static_cast<std::size_t>(4 * R * R), 0.0f);
    const int m = 2 * R;
    for (int k = 0; k < R; ++k) {
        for (int r = 0; r < R; ++r) {
            const int q = (k * r) % R;  // exp(-2 pi i q / R) for R = 2, 4 is one of 1, -i, -1, i
            const int turns = R == 4 ? q : 2 * q;
            const float re = turns == 0 ? 1.0f : turns == 2 ? -1.0f : 0.0f;
            const float im = turns == 1 ? -1.0f : turns == 3 ? 1.0f : 0.0f;
            F[k * m + r] = re;            // Re y += re Re v
            F[k * m + R + r] = -im;       // Re y -= im Im v
            F[(R + k) * m + r] = im;      // Im y += im Re v
            F[(R + k) * m + R + r] = re;  // Im y += re Im v
        }
    }
    return F;
}

float round_f16(float x) {
#if defined(MAGMADNN_ISA_AVX2)
    // IEEE round to nearest even (the vector forms: clang's _cvtss_sh is a C99 compound literal)
    return _mm_cvtss_f32(_mm_cvtph_ps(_mm_cvtps_ph(_mm_set_ss(x), _MM_FROUND_TO_NEAREST_INT)));
#else
    return static_cast<float>(f16(x));
#endif
}

// out[i] = fp16(in[i] / s), 16 at a time with AVX-512 (the same IEEE rounding as round_f16).
void divide_round_f16(const float* in, float s, float* out, index_t n) {
    index_t i = 0;
#if defined(MAGMADNN_ISA_AVX512)
    const __m512 vs = _mm512_set1_ps(s);
    for (; i + 16 <= n; i += 16) {
        const __m512 q = _mm512_div_ps(_mm512_loadu_ps(in + i), vs);
        // the zero-masked forms: GCC 12 reports the plain forms' pass-through as uninitialized
        const __m256i h = _mm512_maskz_cvtps_ph(0xffff, q, _MM_FROUND_TO_NEAREST_INT);
        _mm512_storeu_ps(out + i, _mm512_maskz_cvtph_ps(0xffff, h));
    }
#endif
    for (; i < n; ++i) out[i] = round_f16(in[i] / s);
}

// Y = F P for the {2R, 2R} DFT matrix (entries 0, +-1) and P {2R, cols}: the products are exact,
// so each row of Y is a signed sum of P's rows, added in the order a sequential GEMM adds them.
// Rows have stride ld; `count` columns are computed.
void butterflies(int R, const std::vector<float>& F, const float* P, index_t ld, index_t count,
                 float* Y) {
    const int m = 2 * R;
    for (int k = 0; k < m; ++k) {
        float* y = Y + k * ld;
        std::fill_n(y, count, 0.0f);
        for (int j = 0; j < m; ++j) {
            const float f = F[k * m + j];
            if (f == 0.0f) continue;
            const float* p = P + j * ld;
            if (f > 0.0f) {
#pragma omp simd
                for (index_t c = 0; c < count; ++c) y[c] += p[c];
            } else {
#pragma omp simd
                for (index_t c = 0; c < count; ++c) y[c] -= p[c];
            }
        }
    }
}

// v w with each product rounded on its own, then added: what every CPU target and the GPU kernel
// compute (the file is compiled without FMA contraction, cmake/isa.cmake).
inline cf twiddled(cf v, cf w) {
    const float rr = v.real() * w.real(), ii = v.imag() * w.imag();
    const float ri = v.real() * w.imag(), ir = v.imag() * w.real();
    return cf(rr - ii, ri + ir);
}

// 2^(e - 14) for the largest e with 2^e <= m: maps m below 2^15, an exact power-of-two scale;
// at least 2^-126, since below that the power underflows to 0 for rows under 2^-112.
float scale_for(float m) {
    if (!(m > 0.0f) || !std::isfinite(m)) return 1.0f;
    return std::ldexp(1.0f, std::max(std::ilogb(m) - 14, -126));
}

}  // namespace

void fft_rows_fp16(index_t rows, index_t n, cf* data, bool split) {
    if (rows == 0 || n <= 1) {
        if (!split) {
            for (index_t i = 0; i < rows * n; ++i) {
                data[i] = cf(round_f16(data[i].real()), round_f16(data[i].imag()));
            }
        }
        return;
    }
    const std::vector<Stage> stages = make_stages(n);
    std::vector<cf> other(static_cast<std::size_t>(rows * n));
    cf* src = data;
    cf* dst = other.data();
    if (!split) {  // plain FP16 storage from the start
        for (index_t i = 0; i < rows * n; ++i)
            src[i] = cf(round_f16(src[i].real()), round_f16(src[i].imag()));
    }
    // The GEMM operands and results ({2R, rows n / R}: 2 rows n floats at every stage) and the
    // row scales, allocated once: fresh pages are slow to touch on this project's VMs.
    const auto operand = static_cast<std::size_t>(2 * rows * n);
    std::vector<float> P1(operand), P2(split ? operand : 0), Y1(operand), Y2(P2.size());
    std::vector<float> s1(static_cast<std::size_t>(rows), 1.0f), s2(s1.size(), 1.0f);
    for (const Stage& st : stages) {
        const int R = st.radix;
        const index_t per = n / R;        // butterflies per row
        const index_t cols = rows * per;  // GEMM columns
        const std::vector<float> F = dft_matrix(R);
        // the twiddled row, real and imaginary parts apart so the splits run on plain rows
        std::vector<float> tre(static_cast<std::size_t>(R * per)), tim(tre.size());
#pragma omp parallel for schedule(static) firstprivate(tre, tim)
        for (index_t b = 0; b < rows; ++b) {
            const cf* v = src + b * n;
            float m = 0.0f;
            for (int r = 0; r < R; ++r) {  // twiddles in f32
                for (index_t j = 0; j < per; ++j) {
                    const cf x = twiddled(v[r * per + j], st.twiddle[r * st.ns + j % st.ns]);
                    tre[r * per + j] = x.real();
                    tim[r * per + j] = x.imag();
                    m = std::max({m, std::abs(x.real()), std::abs(x.imag())});
                }
            }
            const float a = split ? scale_for(m) : 1.0f;
            for (int r = 0; r < R; ++r) {  // X1 = fp16(X / s1)
                divide_round_f16(tre.data() + r * per, a, P1.data() + r * cols + b * per, per);
                divide_round_f16(tim.data() + r * per, a, P1.data() + (R + r) * cols + b * per,
                                 per);
            }
            if (!split) continue;
            float m2 = 0.0f;
            for (int r = 0; r < 2 * R; ++r) {  // X / s1 - X1: exact, both within a factor 2
                const float* x = (r < R ? tre.data() + r * per : tim.data() + (r - R) * per);
                const float* hi = P1.data() + r * cols + b * per;
                float* lo = P2.data() + r * cols + b * per;
                for (index_t j = 0; j < per; ++j) {
                    lo[j] = x[j] / a - hi[j];
                    m2 = std::max(m2, std::abs(lo[j]));
                }
            }
            const float a2 = scale_for(m2);
            for (int r = 0; r < 2 * R; ++r) {  // X2 = fp16((X / s1 - X1) / s2')
                float* lo = P2.data() + r * cols + b * per;
                divide_round_f16(lo, a2, lo, per);
            }
            s1[b] = a;
            s2[b] = a * a2;
        }
        // The butterflies: Y = F P, FP16-exact operands, f32 accumulation.
        constexpr index_t chunk = 2048;  // columns per task
#pragma omp parallel for schedule(static)
        for (index_t c0 = 0; c0 < cols; c0 += chunk) {
            const index_t nc = std::min(chunk, cols - c0);
            butterflies(R, F, P1.data() + c0, cols, nc, Y1.data() + c0);
            if (split) butterflies(R, F, P2.data() + c0, cols, nc, Y2.data() + c0);
        }
#pragma omp parallel for schedule(static)
        for (index_t b = 0; b < rows; ++b) {
            cf* out = dst + b * n;
            for (index_t j = 0; j < per; ++j) {
                const index_t c = b * per + j;
                const index_t base = (j / st.ns) * st.ns * R + j % st.ns;
                for (int k = 0; k < R; ++k) {
                    float re = Y1[k * cols + c];
                    float im = Y1[(R + k) * cols + c];
                    if (split) {
                        re = s1[b] * re + s2[b] * Y2[k * cols + c];
                        im = s1[b] * im + s2[b] * Y2[(R + k) * cols + c];
                    } else {
                        re = round_f16(re);
                        im = round_f16(im);
                    }
                    out[base + k * st.ns] = cf(re, im);
                }
            }
        }
        std::swap(src, dst);
    }
    if (src != data) std::copy(src, src + rows * n, data);
}

}  // namespace magmadnn::fft::cpu::MAGMADNN_ISA_NS

#include "backend/cpu/isa/end.h"
