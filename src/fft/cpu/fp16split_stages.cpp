#include "fp16split_stages.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

#include "backend/kernels.h"
#include "magmadnn/core/half.h"

namespace magmadnn::fft::cpu {

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

float round_f16(float x) { return static_cast<float>(f16(x)); }

// 2^(e - 14) for the largest e with 2^e <= m: maps m below 2^15, an exact power-of-two scale.
float scale_for(float m) {
    if (!(m > 0.0f) || !std::isfinite(m)) return 1.0f;
    return std::ldexp(1.0f, std::ilogb(m) - 14);
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
    for (const Stage& st : stages) {
        const int R = st.radix;
        const index_t per = n / R;        // butterflies per row
        const index_t cols = rows * per;  // GEMM columns
        const std::vector<float> F = dft_matrix(R);
        std::vector<float> P1(static_cast<std::size_t>(2 * R * cols));
        std::vector<float> P2(split ? P1.size() : 0);
        std::vector<float> s1(static_cast<std::size_t>(rows), 1.0f),
            s2(static_cast<std::size_t>(rows), 1.0f);
        std::vector<cf> t(static_cast<std::size_t>(R * per));
#pragma omp parallel for schedule(static) firstprivate(t)
        for (index_t b = 0; b < rows; ++b) {
            const cf* v = src + b * n;
            float m = 0.0f;
            for (int r = 0; r < R; ++r) {  // twiddles in f32
                for (index_t j = 0; j < per; ++j) {
                    const cf x = v[r * per + j] * st.twiddle[r * st.ns + j % st.ns];
                    t[r * per + j] = x;
                    m = std::max({m, std::abs(x.real()), std::abs(x.imag())});
                }
            }
            if (!split) {
                for (int r = 0; r < R; ++r) {
                    for (index_t j = 0; j < per; ++j) {
                        const index_t c = b * per + j;
                        P1[r * cols + c] = round_f16(t[r * per + j].real());
                        P1[(R + r) * cols + c] = round_f16(t[r * per + j].imag());
                    }
                }
                continue;
            }
            const float a = scale_for(m);
            float m2 = 0.0f;
            for (int r = 0; r < R; ++r) {
                for (index_t j = 0; j < per; ++j) {
                    const index_t c = b * per + j;
                    const float re = t[r * per + j].real() / a;
                    const float im = t[r * per + j].imag() / a;
                    P1[r * cols + c] = round_f16(re);
                    P1[(R + r) * cols + c] = round_f16(im);
                    P2[r * cols + c] = re - P1[r * cols + c];  // exact: both within a factor 2
                    P2[(R + r) * cols + c] = im - P1[(R + r) * cols + c];
                    m2 = std::max(
                        {m2, std::abs(P2[r * cols + c]), std::abs(P2[(R + r) * cols + c])});
                }
            }
            const float a2 = scale_for(m2);
            for (int r = 0; r < 2 * R; ++r) {
                for (index_t j = 0; j < per; ++j) {
                    float& p = P2[r * cols + b * per + j];
                    p = round_f16(p / a2);
                }
            }
            s1[b] = a;
            s2[b] = a * a2;
        }
        // The butterflies: Y = F P, FP16-exact operands, f32 accumulation.
        std::vector<float> Y1(P1.size()), Y2(P2.size());
        math::cpu::gemm<float>(false, false, 2 * R, cols, 2 * R, 1.0f, F.data(), 2 * R, P1.data(),
                               cols, 0.0f, Y1.data(), cols);
        if (split) {
            math::cpu::gemm<float>(false, false, 2 * R, cols, 2 * R, 1.0f, F.data(), 2 * R,
                                   P2.data(), cols, 0.0f, Y2.data(), cols);
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

}  // namespace magmadnn::fft::cpu
