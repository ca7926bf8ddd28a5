// im2col + GEMM: each image's receptive fields are unrolled into a {c/g * r * s, oh * ow} matrix,
// so a convolution is one GEMM per image and group (oneDNN sgemm for f32, OpenBLAS for f64).
// Images run in parallel, each thread with its own column buffer and single-threaded GEMMs;
// with fewer images than threads, the GEMMs use the threads instead.
// Compiled once per CPU target (cmake/isa.cmake); conv2d_im2col.cpp holds the entry points.
#include <omp.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <array>
#include <cstring>
#include <type_traits>
#include <vector>

#include "../kernels.h"
#include "conv2d.h"

// clang-format off
#include "backend/cpu/isa/begin.h"
#include "short_rows.h"
// clang-format on

namespace magmadnn::conv::cpu::MAGMADNN_ISA_NS {

namespace {

// col {cg * r * s, oh * ow} for channels [c0, c0 + cg) of one image.
template <typename T>
void im2col(const Shape2d& p, const T* x, index_t c0, index_t cg, T* col) {
    const index_t oh = p.out_h(), ow = p.out_w();
    if (p.stride_h == 1 && p.stride_w == 1 && p.dil_h == 1 && p.dil_w == 1) {
        // one zero-padded plane at a time, then every column row is a run of plain copies
        const index_t hp = p.h + 2 * p.pad_h, wp = p.w + 2 * p.pad_w;
        thread_local std::vector<T> padded;
        padded.assign(static_cast<std::size_t>(hp * wp), T(0));
        T* xp = padded.data();
        for (index_t c = 0; c < cg; ++c) {
            const T* xc = x + (c0 + c) * p.h * p.w;
            for (index_t i = 0; i < p.h; ++i) {
                cpu_rows::copy(xp + (i + p.pad_h) * wp + p.pad_w, xc + i * p.w, p.w);
            }
            for (index_t u = 0; u < p.r; ++u) {
                for (index_t v = 0; v < p.s; ++v) {
                    T* row = col + ((c * p.r + u) * p.s + v) * oh * ow;
                    for (index_t i = 0; i < oh; ++i) {
                        cpu_rows::copy(row + i * ow, xp + (i + u) * wp + v, ow);
                    }
                }
            }
        }
        return;
    }
    for (index_t c = 0; c < cg; ++c) {
        const T* xc = x + (c0 + c) * p.h * p.w;
        for (index_t u = 0; u < p.r; ++u) {
            for (index_t v = 0; v < p.s; ++v) {
                T* row = col + ((c * p.r + u) * p.s + v) * oh * ow;
                for (index_t i = 0; i < oh; ++i) {
                    const index_t hi = i * p.stride_h - p.pad_h + u * p.dil_h;
                    T* out = row + i * ow;
                    if (hi < 0 || hi >= p.h) {
                        for (index_t j = 0; j < ow; ++j) out[j] = T(0);
                        continue;
                    }
                    const T* xr = xc + hi * p.w;
                    const index_t off = v * p.dil_w - p.pad_w;
                    if (p.stride_w == 1) {
                        // the valid range of j is contiguous: copy it, zero the edges
                        const index_t j0 = std::max<index_t>(0, -off);
                        const index_t j1 = std::min<index_t>(ow, p.w - off);
                        cpu_rows::zero(out, std::min(j0, ow));
                        if (j1 > j0) cpu_rows::copy(out + j0, xr + j0 + off, j1 - j0);
                        const index_t jz = std::min(ow, std::max(j1, j0));
                        cpu_rows::zero(out + jz, ow - jz);
                    } else {
                        for (index_t j = 0; j < ow; ++j) {
                            const index_t wi = j * p.stride_w + off;
                            out[j] = wi >= 0 && wi < p.w ? xr[wi] : T(0);
                        }
                    }
                }
            }
        }
    }
}

#if defined(MAGMADNN_ISA_AVX512)
// col2im for stride 1 (f32): each 16-wide chunk of an input row gathers its r * s shifted
// column segments in a register, then is stored once. Adding the segments to memory one after
// the other instead makes every add wait on the misaligned store before it (store forwarding
// fails for overlapping masked stores), which costs several times more.
constexpr index_t kMaxFilterWidth = 32;  // wider filters take the generic loop

void col2im_add_unit_stride(const Shape2d& p, const float* col, index_t c0, index_t cg, float* dx) {
    const index_t oh = p.out_h(), ow = p.out_w(), P = oh * ow;
    // per 16-wide chunk and filter column v: the lanes that column v's segment covers and where
    // the segment starts relative to the chunk (both independent of the row and channel)
    std::array<__mmask16, kMaxFilterWidth> masks{};
    std::array<index_t, kMaxFilterWidth> shifts{};
    for (index_t x0 = 0; x0 < p.w; x0 += 16) {
        const __mmask16 out_mask = cpu_rows::tail16(p.w - x0);
        for (index_t v = 0; v < p.s; ++v) {
            // lane l is input column x0 + l, read by output column j = x0 + l - sh
            const index_t sh = v * p.dil_w - p.pad_w;
            const index_t lo = std::max<index_t>(0, sh - x0);
            const index_t hi_lane = std::min<index_t>(16, ow + sh - x0);
            masks[v] = hi_lane <= lo ? __mmask16(0)
                                     : static_cast<__mmask16>(out_mask & cpu_rows::tail16(hi_lane) &
                                                              ~cpu_rows::tail16(lo));
            shifts[v] = v * P + x0 - sh;
        }
        for (index_t c = 0; c < cg; ++c) {
            float* dxc = dx + (c0 + c) * p.h * p.w;
            for (index_t hi = 0; hi < p.h; ++hi) {
                __m512 acc = _mm512_maskz_loadu_ps(out_mask, dxc + hi * p.w + x0);
                for (index_t u = 0; u < p.r; ++u) {
                    const index_t i = hi + p.pad_h - u * p.dil_h;  // the output row reading hi
                    if (i < 0 || i >= oh) continue;
                    const float* rows = col + (c * p.r + u) * p.s * P + i * ow;
                    __m512 part = _mm512_setzero_ps();  // a fresh chain per filter row
                    for (index_t v = 0; v < p.s; ++v) {
                        part =
                            _mm512_add_ps(part, _mm512_maskz_loadu_ps(masks[v], rows + shifts[v]));
                    }
                    acc = _mm512_add_ps(acc, part);
                }
                _mm512_mask_storeu_ps(dxc + hi * p.w + x0, out_mask, acc);
            }
        }
    }
}
#elif defined(MAGMADNN_ISA_AVX2)
// The same for AVX2, 8-wide chunks: the segments' masked loads gather each chunk in a register,
// stored once.
constexpr index_t kMaxFilterWidth = 32;  // wider filters take the generic loop

void col2im_add_unit_stride(const Shape2d& p, const float* col, index_t c0, index_t cg, float* dx) {
    const index_t oh = p.out_h(), ow = p.out_w(), P = oh * ow;
    __m256i masks[kMaxFilterWidth];
    std::array<index_t, kMaxFilterWidth> shifts{};
    for (index_t x0 = 0; x0 < p.w; x0 += 8) {
        const index_t width = std::min<index_t>(8, p.w - x0);
        const __m256i out_mask = cpu_rows::lanes8(width);
        for (index_t v = 0; v < p.s; ++v) {
            // lane l is input column x0 + l, read by output column j = x0 + l - sh
            const index_t sh = v * p.dil_w - p.pad_w;
            const index_t lo = std::max<index_t>(0, sh - x0);
            const index_t hi_lane = std::min<index_t>(width, ow + sh - x0);
            masks[v] = _mm256_andnot_si256(cpu_rows::lanes8(lo), cpu_rows::lanes8(hi_lane));
            shifts[v] = v * P + x0 - sh;
        }
        for (index_t c = 0; c < cg; ++c) {
            float* dxc = dx + (c0 + c) * p.h * p.w;
            for (index_t hi = 0; hi < p.h; ++hi) {
                float* out = dxc + hi * p.w + x0;
                __m256 acc = width == 8 ? _mm256_loadu_ps(out) : _mm256_maskload_ps(out, out_mask);
                for (index_t u = 0; u < p.r; ++u) {
                    const index_t i = hi + p.pad_h - u * p.dil_h;  // the output row reading hi
                    if (i < 0 || i >= oh) continue;
                    const float* rows = col + (c * p.r + u) * p.s * P + i * ow;
                    __m256 part = _mm256_setzero_ps();  // a fresh chain per filter row
                    for (index_t v = 0; v < p.s; ++v) {
                        part = _mm256_add_ps(part, _mm256_maskload_ps(rows + shifts[v], masks[v]));
                    }
                    acc = _mm256_add_ps(acc, part);
                }
                if (width == 8) {
                    _mm256_storeu_ps(out, acc);
                } else {
                    _mm256_maskstore_ps(out, out_mask, acc);
                }
            }
        }
    }
}
#endif

// dx[c0 .. c0 + cg) += col2im(col).
template <typename T>
void col2im_add(const Shape2d& p, const T* col, index_t c0, index_t cg, T* dx) {
#if defined(MAGMADNN_ISA_AVX2)
    if constexpr (std::is_same_v<T, float>) {
        if (p.stride_h == 1 && p.stride_w == 1 && p.s <= kMaxFilterWidth) {
            col2im_add_unit_stride(p, col, c0, cg, dx);
            return;
        }
    }
#endif
    const index_t oh = p.out_h(), ow = p.out_w();
    for (index_t c = 0; c < cg; ++c) {
        T* dxc = dx + (c0 + c) * p.h * p.w;
        for (index_t u = 0; u < p.r; ++u) {
            for (index_t v = 0; v < p.s; ++v) {
                const T* row = col + ((c * p.r + u) * p.s + v) * oh * ow;
                for (index_t i = 0; i < oh; ++i) {
                    const index_t hi = i * p.stride_h - p.pad_h + u * p.dil_h;
                    if (hi < 0 || hi >= p.h) continue;
                    T* dr = dxc + hi * p.w;
                    const T* cr = row + i * ow;
                    const index_t off = v * p.dil_w - p.pad_w;
                    if (p.stride_w == 1) {  // the valid j form one contiguous range
                        const index_t j0 = std::max<index_t>(0, -off);
                        const index_t j1 = std::min<index_t>(ow, p.w - off);
                        if (j1 > j0) cpu_rows::add(dr + j0 + off, cr + j0, j1 - j0);
                    } else {
                        for (index_t j = 0; j < ow; ++j) {
                            const index_t wi = j * p.stride_w + off;
                            if (wi >= 0 && wi < p.w) dr[wi] += cr[j];
                        }
                    }
                }
            }
        }
    }
}

bool per_image_threads(const Shape2d& p) { return p.n >= omp_get_max_threads(); }

// image(n, col) for every image n, with a column buffer of `count` elements per thread: images in
// parallel where there are enough of them, else in order (the GEMMs then use the threads).
template <typename T, typename Image>
void for_each_image(const Shape2d& p, index_t count, const Image& image) {
    if (per_image_threads(p)) {
#pragma omp parallel
        {
            std::vector<T> col(static_cast<std::size_t>(count));
#pragma omp for schedule(static)
            for (index_t n = 0; n < p.n; ++n) image(n, col.data());
        }
    } else {
        std::vector<T> col(static_cast<std::size_t>(count));
        for (index_t n = 0; n < p.n; ++n) image(n, col.data());
    }
}

}  // namespace

template <typename T>
void im2col_forward(const Shape2d& p, const T* x, const T* w, T* y, T* cols) {
    const index_t P = p.out_h() * p.out_w(), cg = p.c / p.groups, kg = p.k / p.groups;
    const index_t crs = cg * p.r * p.s;
    auto image = [&](index_t n, T* col) {
        for (index_t g = 0; g < p.groups; ++g) {
            if (cols != nullptr) col = cols + (n * p.groups + g) * crs * P;
            im2col(p, x + n * p.c * p.h * p.w, g * cg, cg, col);
            math::cpu::gemm(false, false, kg, P, crs, T(1), w + g * kg * crs, crs, col, P, T(0),
                            y + (n * p.k + g * kg) * P, P);
        }
    };
    for_each_image<T>(p, crs * P, image);
}

template <typename T>
void im2col_backward_data(const Shape2d& p, const T* dy, const T* w, T* dx) {
    const index_t P = p.out_h() * p.out_w(), cg = p.c / p.groups, kg = p.k / p.groups;
    const index_t crs = cg * p.r * p.s, chw = p.c * p.h * p.w;
    auto image = [&](index_t n, T* col) {
        T* dxn = dx + n * chw;
        for (index_t e = 0; e < chw; ++e) dxn[e] = T(0);
        for (index_t g = 0; g < p.groups; ++g) {
            math::cpu::gemm(true, false, crs, P, kg, T(1), w + g * kg * crs, crs,
                            dy + (n * p.k + g * kg) * P, P, T(0), col, P);
            col2im_add(p, col, g * cg, cg, dxn);
        }
    };
    for_each_image<T>(p, crs * P, image);
}

template <typename T>
void im2col_backward_weights(const Shape2d& p, const T* x, const T* dy, T* dw, const T* cols) {
    const index_t P = p.out_h() * p.out_w(), cg = p.c / p.groups, kg = p.k / p.groups;
    const index_t crs = cg * p.r * p.s, total = p.k * crs;
    // dW_g += dy_g {kg, P} col^T {P, crs}
    auto image = [&](index_t n, T* col, T* acc, bool first) {
        for (index_t g = 0; g < p.groups; ++g) {
            const T* c = col;
            if (cols != nullptr) {
                c = cols + (n * p.groups + g) * crs * P;
            } else {
                im2col(p, x + n * p.c * p.h * p.w, g * cg, cg, col);
            }
            math::cpu::gemm(false, true, kg, crs, P, T(1), dy + (n * p.k + g * kg) * P, P, c, P,
                            first ? T(0) : T(1), acc + g * kg * crs, crs);
        }
    };
    if (per_image_threads(p)) {
        const int threads = omp_get_max_threads();
        std::vector<T> partial(static_cast<std::size_t>(total * threads), T(0));
#pragma omp parallel
        {
            std::vector<T> col(static_cast<std::size_t>(crs * P));
            T* acc = partial.data() + omp_get_thread_num() * total;
#pragma omp for schedule(static)
            for (index_t n = 0; n < p.n; ++n) image(n, col.data(), acc, false);
        }
        for (index_t e = 0; e < total; ++e) {
            T s = T(0);
            for (int t = 0; t < threads; ++t) s += partial[t * total + e];
            dw[e] = s;
        }
    } else {
        std::vector<T> col(static_cast<std::size_t>(crs * P));
        for (index_t n = 0; n < p.n; ++n) image(n, col.data(), dw, n == 0);
    }
}

#define MAGMADNN_INSTANTIATE(T)                                                    \
    template void im2col_forward<T>(const Shape2d&, const T*, const T*, T*, T*);   \
    template void im2col_backward_data<T>(const Shape2d&, const T*, const T*, T*); \
    template void im2col_backward_weights<T>(const Shape2d&, const T*, const T*, T*, const T*);
MAGMADNN_INSTANTIATE(float)
MAGMADNN_INSTANTIATE(double)
#undef MAGMADNN_INSTANTIATE

}  // namespace magmadnn::conv::cpu::MAGMADNN_ISA_NS

#include "backend/cpu/isa/end.h"
