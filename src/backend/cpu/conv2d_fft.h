#pragma once
// Private: the parts of the FFT convolution (conv2d_fft.cpp) that work on filters, in
// conv2d_fft_filters.cpp: the filters' spectra, cached while the weights are unchanged, and the
// weight gradient's way back from its spectra.
#include <algorithm>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "conv2d.h"

namespace magmadnn::conv::cpu::fft_conv {

template <typename T>
std::unique_ptr<T[]> scratch(index_t n) {
    return std::make_unique_for_overwrite<T[]>(static_cast<std::size_t>(std::max<index_t>(n, 1)));
}

struct Tiling {
    index_t th = 0, tw = 0;            // window (FFT) size
    index_t mh = 0, mw = 0;            // output tile: th - r + 1, tw - s + 1
    index_t tiles_h = 0, tiles_w = 0;  // tiles per image
    index_t freqs() const { return th * (tw / 2 + 1); }
    index_t per_image() const { return tiles_h * tiles_w; }
};

// Row-major C{m, n} = op(A) op(B) + beta C on one thread: the small-GEMM kernel of the active CPU
// target on blocks of at most its largest extent, or the library GEMM when every extent is large.
template <typename T>
void thread_gemm(bool ta, bool tb, index_t m, index_t n, index_t k, const T* A, index_t lda,
                 const T* B, index_t ldb, T beta, T* C, index_t ldc);

// The filter spectra as 2 x 2 real blocks {nf, 2c, 2k}: [[wr, -wi], [wi, wr]] for filter (k, c),
// scaled by 1 / (th tw).
template <typename T>
struct FilterBlocks {
    index_t k = 0, c = 0, r = 0, s = 0, th = 0, tw = 0;
    std::vector<T> weights;  // the filter these blocks were made from
    std::unique_ptr<T[]> blocks;
    std::size_t bytes = 0;

    // The blocks transposed, {nf, 2k, 2c}, made on first use (backward-data multiplies by them;
    // a GEMM kernel would otherwise transpose them again on every call).
    const T* transposed() const;

    mutable std::mutex transpose_mutex;
    mutable std::unique_ptr<T[]> blocks_t;
    mutable bool transposed_ready = false;
};

// The blocks of filter w {k, c, r, s} for windows t: the last few filters' blocks are kept and
// returned while the weights are bitwise the same.
template <typename T>
std::shared_ptr<const FilterBlocks<T>> filter_blocks(const Shape2d& p, const Tiling& t, const T* w);

// The weight gradient from its spectra: M {nf, 2k, 2c} holds, per frequency, the sum over tiles
// of dY^T X on interleaved (re, im) columns; dw {k, c, r, s} gets the inverse transforms' r x s
// corners.
template <typename T>
void filter_gradient(const Shape2d& p, const Tiling& t, const T* M, T* dw);

}  // namespace magmadnn::conv::cpu::fft_conv
