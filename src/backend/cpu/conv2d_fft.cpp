// FFT convolution by overlap-save tiles. The zero-padded input is cut into th x tw windows that
// step by the output tile (mh = th - r + 1, mw = tw - s + 1); each window's real 2-D FFT (FFTW)
// has nf = th * (tw / 2 + 1) frequencies. Per frequency the three passes are complex GEMMs over
// tiles x in-channels x out-channels:
//   forward          Y[f]{tiles, k} = X[f]{tiles, c} conj(W[f])^T   (cross-correlation)
//   backward-data    dX[f]{tiles, c} = dY[f]{tiles, k} W[f]         (the windows overlap-add)
//   backward-weights dW[f]{k, c} = sum over tiles of conj(dY[f]) X[f]
// A window is large enough that none of the three wraps around: forward and backward-weights
// read i + u <= th - 1, and backward-data's wrapped indices land on dY's zero rows (>= mh).
//
// A complex GEMM runs as one real GEMM on interleaved (re, im) columns with the filter spectrum
// expanded into 2 x 2 real blocks [[wr, -wi], [wi, wr]] (2c x 2k per frequency, the 1 / (th tw)
// of the inverse FFT folded in), so the small-GEMM kernel of each CPU target does the work.
// The spectra are frequency-major ([f][tile][channel]), built a chunk of tiles at a time so
// they stay in cache. The filter side (conv2d_fft_filters.cpp) transforms the filters by small
// DFT GEMMs and keeps their blocks while the weights are unchanged (forward and backward-data of
// a training step share them; inference reuses them).
//
// The window size is chosen per problem by a cost model: small windows for many channels and
// small filters (fewer wasted frequencies per output), large ones for few channels (fewer FFTs).
#include "conv2d_fft.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstring>
#include <memory>
#include <vector>

#include "fft/cpu/fftw_plans.h"

namespace magmadnn::conv::cpu {

using namespace fft_conv;

namespace {

using fft::cpu::c2r;
using fft::cpu::r2c;

template <typename T>
std::complex<T>* as_complex(T* p) {
    return reinterpret_cast<std::complex<T>*>(p);
}

// FFT sizes FFTW transforms fast (factors 2, 3, 5, 7), even so that tw / 2 + 1 halves the work.
constexpr index_t kSizes[] = {4,  6,  8,  10, 12, 14, 16,  20,  24,  28,  32,  36,  40,
                              48, 56, 64, 72, 80, 96, 112, 128, 140, 160, 192, 224, 256};

// Estimated nanoseconds of one pass with th x tw windows, on one core: GEMM flops at ~50
// flop/ns, FFT flops (2.5 N log2 N per real transform) at ~8 flop/ns, spectrum traffic at
// ~10 B/ns, and the k c filters' transforms (two small DFT GEMMs each, and their 2 x 2 blocks
// written at ~6 B/ns) once per call.
double tiling_cost(const Shape2d& p, index_t th, index_t tw) {
    const double mh = double(th - p.r + 1), mw = double(tw - p.s + 1);
    const double tiles =
        double(p.n) * std::ceil(double(p.out_h()) / mh) * std::ceil(double(p.out_w()) / mw);
    const double nfw = double(tw / 2 + 1), nf = double(th) * nfw;
    const double fft = 2.5 * double(th * tw) * std::log2(double(th * tw));
    const double c = double(p.c), k = double(p.k);
    const double per_tile = 8 * nf * c * k / 50 + (c + k) * fft / 8 + (c + k) * nf * 8 * 3 / 10;
    const double dft = 4 * nfw * double(p.r) * double(p.s + 2 * th);
    const double filters = c * k * (dft / 50 + nf * 16 / 6);
    return tiles * per_tile + filters;
}

// One extent's candidate sizes: at least the filter + 1 and 2 (filter - 1), so that windows two
// tiles apart never overlap (backward-data adds neighbouring windows in four non-overlapping
// colours); at most the first size that covers the padded extent in one window.
std::vector<index_t> candidate_sizes(index_t filter, index_t padded) {
    std::vector<index_t> out;
    const index_t least = std::max(filter + 1, 2 * filter - 2);
    for (index_t t : kSizes) {
        if (t < least) continue;
        out.push_back(t);
        if (t >= padded) return out;
    }
    if (out.empty()) out.push_back(least + (least & 1));  // a filter beyond the table
    return out;
}

Tiling choose_tiling(const Shape2d& p) {
    Tiling best;
    double best_cost = 0;
    for (index_t th : candidate_sizes(p.r, p.h + 2 * p.pad_h)) {
        for (index_t tw : candidate_sizes(p.s, p.w + 2 * p.pad_w)) {
            const double cost = tiling_cost(p, th, tw);
            if (best.th == 0 || cost < best_cost) {
                best_cost = cost;
                best.th = th, best.tw = tw;
            }
        }
    }
    best.mh = best.th - p.r + 1;
    best.mw = best.tw - p.s + 1;
    best.tiles_h = (p.out_h() + best.mh - 1) / best.mh;
    best.tiles_w = (p.out_w() + best.mw - 1) / best.mw;
    return best;
}

// Tiles per chunk: the chunk's spectra (`planes` complex values per tile and frequency) within
// ~4 MB, and at least a few tiles per thread so the transforms spread over the threads.
index_t chunk_tiles(const Tiling& t, index_t planes, index_t total, std::size_t elem) {
    const double row = double(planes) * double(t.freqs()) * 2 * double(elem);
    const auto fit = static_cast<index_t>((4.0 * 1024 * 1024) / row);
    const index_t least = 4 * omp_get_max_threads();
    return std::clamp(fit, std::min(least, total), total);
}

// Copies the rows x cols window of an h x w plane whose top-left is (y0, x0) (either may be
// negative, and the window may run past the plane: zeros there) into a th x tw array, zero
// beyond the window.
template <typename T>
void load_window(const T* plane, index_t h, index_t w, index_t y0, index_t x0, index_t rows,
                 index_t cols, T* dst, index_t th, index_t tw) {
    std::fill(dst, dst + th * tw, T(0));
    const index_t i0 = std::max<index_t>(0, -y0), i1 = std::min(rows, h - y0);
    const index_t j0 = std::max<index_t>(0, -x0), j1 = std::min(cols, w - x0);
    if (j1 <= j0) return;
    for (index_t i = i0; i < i1; ++i) {
        std::memcpy(dst + i * tw + j0, plane + (y0 + i) * w + x0 + j0,
                    static_cast<std::size_t>(j1 - j0) * sizeof(T));
    }
}

// Adds a th x tw window into an h x w plane at (y0, x0), dropping what falls outside the plane.
template <typename T>
void add_window(const T* src, index_t th, index_t tw, T* plane, index_t h, index_t w, index_t y0,
                index_t x0) {
    const index_t i0 = std::max<index_t>(0, -y0), i1 = std::min(th, h - y0);
    const index_t j0 = std::max<index_t>(0, -x0), j1 = std::min(tw, w - x0);
    for (index_t i = i0; i < i1; ++i) {
        T* out = plane + (y0 + i) * w + x0;
        const T* in = src + i * tw;
        for (index_t j = j0; j < j1; ++j) out[j] += in[j];
    }
}

// spec[plane][f] (one tile's spectra) -> S[f][q][plane] of a chunk of `rows` tiles.
template <typename T>
void to_frequency_major(const T* spec, index_t planes, index_t nf, T* S, index_t rows, index_t q) {
    for (index_t f = 0; f < nf; ++f) {
        T* dst = S + 2 * ((f * rows + q) * planes);
        for (index_t c = 0; c < planes; ++c) {
            dst[2 * c] = spec[2 * (c * nf + f)];
            dst[2 * c + 1] = spec[2 * (c * nf + f) + 1];
        }
    }
}

// The inverse: S[f][q][plane] -> spec[plane][f].
template <typename T>
void from_frequency_major(const T* S, index_t planes, index_t nf, index_t rows, index_t q,
                          T* spec) {
    for (index_t f = 0; f < nf; ++f) {
        const T* src = S + 2 * ((f * rows + q) * planes);
        for (index_t c = 0; c < planes; ++c) {
            spec[2 * (c * nf + f)] = src[2 * c];
            spec[2 * (c * nf + f) + 1] = src[2 * c + 1];
        }
    }
}

// Where tile `tile` of an image sits: its window's top-left in padded coordinates.
struct TilePos {
    index_t n, y, x;
    int colour;  // (row parity, column parity): windows of one colour never overlap
};
TilePos tile_pos(const Tiling& t, index_t tile) {
    const index_t n = tile / t.per_image(), in_image = tile % t.per_image();
    const index_t ti = in_image / t.tiles_w, tj = in_image % t.tiles_w;
    return {n, ti * t.mh, tj * t.mw, int(2 * (ti & 1) + (tj & 1))};
}

// The input windows of tile `tile` (c planes), transformed into row q of the chunk's
// frequency-major spectra S{nf, rows, c}. `window` and `spec` are the thread's scratch.
template <typename T>
void input_spectra(const Shape2d& p, const Tiling& t, const T* x, index_t tile, T* S, index_t rows,
                   index_t q, T* window, T* spec) {
    const TilePos at = tile_pos(t, tile);
    const index_t win = t.th * t.tw;
    for (index_t c = 0; c < p.c; ++c) {
        load_window(x + (at.n * p.c + c) * p.h * p.w, p.h, p.w, at.y - p.pad_h, at.x - p.pad_w,
                    t.th, t.tw, window + c * win, t.th, t.tw);
    }
    r2c<T>({int(t.th), int(t.tw)}, int(p.c), window, as_complex(spec));
    to_frequency_major(spec, p.c, t.freqs(), S, rows, q);
}

// The same for the output gradient's mh x mw tile (k planes), zero past it.
template <typename T>
void output_grad_spectra(const Shape2d& p, const Tiling& t, const T* dy, index_t tile, T* S,
                         index_t rows, index_t q, T* window, T* spec) {
    const TilePos at = tile_pos(t, tile);
    const index_t win = t.th * t.tw, oh = p.out_h(), ow = p.out_w();
    for (index_t k = 0; k < p.k; ++k) {
        load_window(dy + (at.n * p.k + k) * oh * ow, oh, ow, at.y, at.x, t.mh, t.mw,
                    window + k * win, t.th, t.tw);
    }
    r2c<T>({int(t.th), int(t.tw)}, int(p.k), window, as_complex(spec));
    to_frequency_major(spec, p.k, t.freqs(), S, rows, q);
}

// A thread's scratch for one tile's windows (th x tw each) and spectra (nf complex each), for
// as many planes as the wider side of the layer.
template <typename T>
struct TileBuffers {
    std::unique_ptr<T[]> window, spec;
    TileBuffers(const Shape2d& p, const Tiling& t)
        : window(scratch<T>(std::max(p.c, p.k) * t.th * t.tw)),
          spec(scratch<T>(2 * std::max(p.c, p.k) * t.freqs())) {}
};

}  // namespace

template <typename T>
void fft_forward(const Shape2d& p, const T* x, const T* w, T* y) {
    const Tiling t = choose_tiling(p);
    const auto fb = filter_blocks(p, t, w);
    const T* blocks = fb->blocks.get();
    const index_t nf = t.freqs(), win = t.th * t.tw, total = p.n * t.per_image();
    const index_t oh = p.out_h(), ow = p.out_w();
    const index_t rows = chunk_tiles(t, p.c + p.k, total, sizeof(T));
    auto X = scratch<T>(2 * nf * rows * p.c);
    auto Y = scratch<T>(2 * nf * rows * p.k);
#pragma omp parallel
    {
        const TileBuffers<T> buf(p, t);
        for (index_t first = 0; first < total; first += rows) {
            const index_t count = std::min(rows, total - first);
#pragma omp for schedule(static)
            for (index_t q = 0; q < count; ++q) {
                input_spectra(p, t, x, first + q, X.get(), count, q, buf.window.get(),
                              buf.spec.get());
            }
#pragma omp for schedule(static)
            for (index_t f = 0; f < nf; ++f) {
                thread_gemm(false, false, count, 2 * p.k, 2 * p.c, X.get() + 2 * f * count * p.c,
                            2 * p.c, blocks + f * 4 * p.c * p.k, 2 * p.k, T(0),
                            Y.get() + 2 * f * count * p.k, 2 * p.k);
            }
#pragma omp for schedule(static)
            for (index_t q = 0; q < count; ++q) {
                from_frequency_major(Y.get(), p.k, nf, count, q, buf.spec.get());
                c2r<T>({int(t.th), int(t.tw)}, int(p.k), as_complex(buf.spec.get()),
                       buf.window.get());
                const TilePos at = tile_pos(t, first + q);
                const index_t rows_out = std::min(t.mh, oh - at.y);
                const index_t cols_out = std::min(t.mw, ow - at.x);
                for (index_t k = 0; k < p.k; ++k) {
                    T* out = y + ((at.n * p.k + k) * oh + at.y) * ow + at.x;
                    const T* in = buf.window.get() + k * win;
                    for (index_t i = 0; i < rows_out; ++i) {
                        std::memcpy(out + i * ow, in + i * t.tw,
                                    static_cast<std::size_t>(cols_out) * sizeof(T));
                    }
                }
            }
        }
    }
}

template <typename T>
void fft_backward_data(const Shape2d& p, const T* dy, const T* w, T* dx) {
    const Tiling t = choose_tiling(p);
    const auto fb = filter_blocks(p, t, w);
    const T* blocks_t = fb->transposed();
    const index_t nf = t.freqs(), win = t.th * t.tw, total = p.n * t.per_image();
    const index_t rows = chunk_tiles(t, p.c + p.k, total, sizeof(T));
    auto DY = scratch<T>(2 * nf * rows * p.k);
    auto DX = scratch<T>(2 * nf * rows * p.c);
    std::fill(dx, dx + p.n * p.c * p.h * p.w, T(0));
#pragma omp parallel
    {
        const TileBuffers<T> buf(p, t);
        for (index_t first = 0; first < total; first += rows) {
            const index_t count = std::min(rows, total - first);
#pragma omp for schedule(static)
            for (index_t q = 0; q < count; ++q) {
                output_grad_spectra(p, t, dy, first + q, DY.get(), count, q, buf.window.get(),
                                    buf.spec.get());
            }
#pragma omp for schedule(static)
            for (index_t f = 0; f < nf; ++f) {
                thread_gemm(false, false, count, 2 * p.c, 2 * p.k, DY.get() + 2 * f * count * p.k,
                            2 * p.k, blocks_t + f * 4 * p.c * p.k, 2 * p.c, T(0),
                            DX.get() + 2 * f * count * p.c, 2 * p.c);
            }
            for (int colour = 0; colour < 4; ++colour) {  // neighbouring windows overlap
#pragma omp for schedule(static)
                for (index_t q = 0; q < count; ++q) {
                    const TilePos at = tile_pos(t, first + q);
                    if (at.colour != colour) continue;
                    from_frequency_major(DX.get(), p.c, nf, count, q, buf.spec.get());
                    c2r<T>({int(t.th), int(t.tw)}, int(p.c), as_complex(buf.spec.get()),
                           buf.window.get());
                    for (index_t c = 0; c < p.c; ++c) {
                        add_window(buf.window.get() + c * win, t.th, t.tw,
                                   dx + (at.n * p.c + c) * p.h * p.w, p.h, p.w, at.y - p.pad_h,
                                   at.x - p.pad_w);
                    }
                }
            }
        }
    }
}

template <typename T>
void fft_backward_weights(const Shape2d& p, const T* x, const T* dy, T* dw) {
    const Tiling t = choose_tiling(p);
    const index_t nf = t.freqs(), total = p.n * t.per_image();
    const index_t rows = chunk_tiles(t, p.c + p.k, total, sizeof(T));
    auto X = scratch<T>(2 * nf * rows * p.c);
    auto DY = scratch<T>(2 * nf * rows * p.k);
    auto M = scratch<T>(4 * nf * p.k * p.c);  // [f][2k][2c]: sum over tiles of DY^T X
#pragma omp parallel
    {
        const TileBuffers<T> buf(p, t);
        for (index_t first = 0; first < total; first += rows) {
            const index_t count = std::min(rows, total - first);
#pragma omp for schedule(static)
            for (index_t q = 0; q < count; ++q) {
                input_spectra(p, t, x, first + q, X.get(), count, q, buf.window.get(),
                              buf.spec.get());
                output_grad_spectra(p, t, dy, first + q, DY.get(), count, q, buf.window.get(),
                                    buf.spec.get());
            }
#pragma omp for schedule(static)
            for (index_t f = 0; f < nf; ++f) {
                thread_gemm(true, false, 2 * p.k, 2 * p.c, count, DY.get() + 2 * f * count * p.k,
                            2 * p.k, X.get() + 2 * f * count * p.c, 2 * p.c,
                            first == 0 ? T(0) : T(1), M.get() + f * 4 * p.k * p.c, 2 * p.c);
            }
        }
    }
    filter_gradient(p, t, M.get(), dw);
}

#define MAGMADNN_INSTANTIATE(T)                                                 \
    template void fft_forward<T>(const Shape2d&, const T*, const T*, T*);       \
    template void fft_backward_data<T>(const Shape2d&, const T*, const T*, T*); \
    template void fft_backward_weights<T>(const Shape2d&, const T*, const T*, T*);
MAGMADNN_INSTANTIATE(float)
MAGMADNN_INSTANTIATE(double)
#undef MAGMADNN_INSTANTIATE

}  // namespace magmadnn::conv::cpu

namespace magmadnn::conv {

std::array<index_t, 2> fft_window(const Shape2d& p) {
    p.validate("conv::fft_window");
    const cpu::fft_conv::Tiling t = cpu::choose_tiling(p);
    return {t.th, t.tw};
}

}  // namespace magmadnn::conv
