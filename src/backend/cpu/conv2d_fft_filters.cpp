// The FFT convolution's filter side (see conv2d_fft.h): the filters' spectra as the per-frequency
// GEMMs want them, computed by small DFT GEMMs and cached while the weights are unchanged, and
// the weight gradient's inverse transforms.
#include <omp.h>

#include <cmath>
#include <cstring>
#include <list>
#include <mutex>

#include "../kernels.h"
#include "conv2d_fft.h"
#include "linalg/cpu/small_gemm.h"

namespace magmadnn::conv::cpu::fft_conv {

// Row-major C{m, n} = op(A) op(B) + beta C on one thread: the small-GEMM kernel of the active CPU
// target on blocks of at most its largest extent, or the library GEMM when every extent is large.
template <typename T>
void thread_gemm(bool ta, bool tb, index_t m, index_t n, index_t k, const T* A, index_t lda,
                 const T* B, index_t ldb, T beta, T* C, index_t ldc) {
    constexpr index_t most = linalg::cpu::small_gemm_max;
    if (m > 2 * most && n > 2 * most && k > 2 * most) {
        math::cpu::gemm(ta, tb, m, n, k, T(1), A, lda, B, ldb, beta, C, ldc);
        return;
    }
    for (index_t i = 0; i < m; i += most) {
        for (index_t j = 0; j < n; j += most) {
            for (index_t l = 0; l < k; l += most) {
                const T* a = ta ? A + l * lda + i : A + i * lda + l;
                const T* b = tb ? B + j * ldb + l : B + l * ldb + j;
                linalg::cpu::small_gemm(ta, tb, std::min(most, m - i), std::min(most, n - j),
                                        std::min(most, k - l), T(1), a, lda, b, ldb,
                                        l == 0 ? beta : T(1), C + i * ldc + j, ldc);
            }
        }
    }
}

namespace {

// The DFTs between the r x s filters and the half spectra of their th x tw windows (th x nfw,
// nfw = tw / 2 + 1), as matrices: a filter fills a few rows and columns of its window, so two
// GEMMs (along the filters' columns, then their rows) do what k c full 2-D FFTs of mostly zero
// windows would, in far fewer operations. Spectra here keep real and imaginary parts as separate
// rows of a channel axis ({.., nfw, 2, channels}), so the last step reads and writes whole rows;
// a complex left factor E = Er + i Ei times such a Z is the real product [Er | Ei] [Z ; i Z],
// with i Z = (-im, re).
template <typename T>
struct FilterDft {
    index_t r, s, th, tw, nfw;
    std::vector<T> along_w;  // {nfw, 2, s}: Re, Im of e^{-2 pi i fw v / tw}
    std::vector<T> along_h;  // {th, 2 r}: [Re | Im] e^{-2 pi i fh u / th}
    std::vector<T> back_h;   // {r, 2 th}: [Re | Im] e^{+2 pi i fh u / th}
    std::vector<T> back_w;   // {nfw, 2, s}: Re, -Im of a e^{+2 pi i fw v / tw} / (th tw), a = 2
                             // for the columns whose mirror image the half spectrum omits

    FilterDft(index_t r_, index_t s_, index_t th_, index_t tw_)
        : r(r_), s(s_), th(th_), tw(tw_), nfw(tw_ / 2 + 1) {
        const double two_pi = 6.283185307179586476925286766559;
        auto angle = [&](index_t f, index_t j, index_t n) {
            return two_pi * double((f * j) % n) / double(n);
        };
        along_w.resize(static_cast<std::size_t>(2 * nfw * s));
        back_w.resize(along_w.size());
        for (index_t fw = 0; fw < nfw; ++fw) {
            const double mirror = (fw == 0 || 2 * fw == tw) ? 1.0 : 2.0;
            for (index_t v = 0; v < s; ++v) {
                const double a = angle(fw, v, tw);
                along_w[(2 * fw) * s + v] = T(std::cos(a));
                along_w[(2 * fw + 1) * s + v] = T(-std::sin(a));
                back_w[(2 * fw) * s + v] = T(mirror * std::cos(a) / double(th * tw));
                back_w[(2 * fw + 1) * s + v] = T(-mirror * std::sin(a) / double(th * tw));
            }
        }
        along_h.resize(static_cast<std::size_t>(th * 2 * r));
        back_h.resize(along_h.size());
        for (index_t fh = 0; fh < th; ++fh) {
            for (index_t u = 0; u < r; ++u) {
                const double a = angle(fh, u, th);
                along_h[fh * 2 * r + u] = T(std::cos(a));
                along_h[fh * 2 * r + r + u] = T(-std::sin(a));
                back_h[u * 2 * th + fh] = T(std::cos(a));
                back_h[u * 2 * th + th + fh] = T(std::sin(a));
            }
        }
    }

    // z {rows, nfw, 2, n} -> i z below it.
    void append_times_i(T* z, index_t rows, index_t n) const {
        T* iz = z + rows * nfw * 2 * n;
        for (index_t e = 0; e < rows * nfw; ++e) {
            const T* re = z + 2 * e * n;
            T* out = iz + 2 * e * n;
            for (index_t j = 0; j < n; ++j) out[j] = -re[n + j], out[n + j] = re[j];
        }
    }

    // Input channel c of the filters w {k, c_all, r, s} (all k) -> spectra {th, nfw, 2, k}.
    // Scratch: 4 r nfw k values.
    void forward(const T* w, index_t c_all, index_t k, index_t c, T* spec, T* work) const {
        const index_t cols = 2 * nfw * k;
        for (index_t u = 0; u < r; ++u) {  // row u of every filter along w: work[u]{nfw, 2, k}
            thread_gemm(false, true, 2 * nfw, k, s, along_w.data(), s, w + c * r * s + u * s,
                        c_all * r * s, T(0), work + u * cols, k);
        }
        append_times_i(work, r, k);
        thread_gemm(false, false, th, cols, 2 * r, along_h.data(), 2 * r, work, cols, T(0), spec,
                    cols);
    }

    // Spectra {th, nfw, 2, c_all} of the filters of output channel k -> the r x s corners of
    // their inverses (scaled by 1 / (th tw)), written to dw {k, c_all, r, s}. `spec` is
    // {2 th, nfw, 2, c_all} (the upper half used as scratch); further scratch: 2 r nfw c_all.
    void inverse(T* spec, index_t c_all, index_t k, T* dw, T* work) const {
        const index_t cols = 2 * nfw * c_all;
        append_times_i(spec, th, c_all);
        thread_gemm(false, false, r, cols, 2 * th, back_h.data(), 2 * th, spec, cols, T(0), work,
                    cols);
        for (index_t u = 0; u < r; ++u) {  // work[u] {nfw, 2, c_all} along w
            thread_gemm(true, false, c_all, s, 2 * nfw, work + u * cols, c_all, back_w.data(), s,
                        T(0), dw + k * c_all * r * s + u * s, r * s);
        }
    }
};

template <typename T>
bool same_problem(const FilterBlocks<T>& e, const Shape2d& p, const Tiling& t) {
    return e.k == p.k && e.c == p.c && e.r == p.r && e.s == p.s && e.th == t.th && e.tw == t.tw;
}

// `fb` is a fresh entry, or one of the same problem nobody else holds (its buffer is reused:
// training changes the weights every step, and a new 4 k c nf buffer each time costs page
// faults).
template <typename T>
void make_filter_blocks(const Shape2d& p, const Tiling& t, const T* w, FilterBlocks<T>& fb) {
    fb.k = p.k, fb.c = p.c, fb.r = p.r, fb.s = p.s, fb.th = t.th, fb.tw = t.tw;
    fb.weights.assign(w, w + p.k * p.c * p.r * p.s);
    const index_t nf = t.freqs(), kc = p.k * p.c;
    const FilterDft<T> dft(p.r, p.s, t.th, t.tw);
    const auto bytes = static_cast<std::size_t>(4 * kc * nf) * sizeof(T);
    if (fb.blocks == nullptr || fb.bytes != bytes) {
        fb.blocks = scratch<T>(4 * kc * nf);
        fb.blocks_t.reset();
    }
    fb.bytes = bytes;
    fb.transposed_ready = false;
    const T scale = T(1) / T(t.th * t.tw);
    T* blocks = fb.blocks.get();
#pragma omp parallel
    {
        auto spec = scratch<T>(2 * nf * p.k);  // {f, 2, k}
        auto work = scratch<T>(4 * p.r * dft.nfw * p.k);
#pragma omp for schedule(static)
        for (index_t c = 0; c < p.c; ++c) {
            dft.forward(w, p.c, p.k, c, spec.get(), work.get());
            for (index_t f = 0; f < nf; ++f) {
                const T* wr = spec.get() + 2 * f * p.k;
                const T* wi = wr + p.k;
                T* re_row = blocks + f * 4 * kc + (2 * c) * 2 * p.k;  // rows 2c, 2c + 1 of {2c, 2k}
                T* im_row = re_row + 2 * p.k;
                for (index_t k = 0; k < p.k; ++k) {
                    re_row[2 * k] = scale * wr[k], re_row[2 * k + 1] = -scale * wi[k];
                    im_row[2 * k] = scale * wi[k], im_row[2 * k + 1] = scale * wr[k];
                }
            }
        }
    }
}

}  // namespace

template <typename T>
const T* FilterBlocks<T>::transposed() const {
    std::lock_guard lock(transpose_mutex);
    if (!transposed_ready) {
        const index_t nf = th * (tw / 2 + 1), rows = 2 * c, cols = 2 * k;
        if (blocks_t == nullptr) blocks_t = scratch<T>(nf * rows * cols);
        const T* in = blocks.get();
        T* out = blocks_t.get();
#pragma omp parallel for schedule(static)
        for (index_t f = 0; f < nf; ++f) {
            math::cpu::transpose(rows, cols, in + f * rows * cols, out + f * rows * cols);
        }
        transposed_ready = true;
    }
    return blocks_t.get();
}

// The last few filters' blocks, reused while the weights are bitwise the same (comparing them
// costs k c r s reads against k c transforms). Entries over 256 MB are not kept.
template <typename T>
std::shared_ptr<const FilterBlocks<T>> filter_blocks(const Shape2d& p, const Tiling& t,
                                                     const T* w) {
    static std::mutex mutex;
    static std::list<std::shared_ptr<FilterBlocks<T>>> recent;
    const auto bytes = static_cast<std::size_t>(p.k * p.c * p.r * p.s) * sizeof(T);
    std::shared_ptr<FilterBlocks<T>> fb;
    {
        std::lock_guard lock(mutex);
        for (auto it = recent.begin(); it != recent.end(); ++it) {
            if (same_problem(**it, p, t) && std::memcmp((*it)->weights.data(), w, bytes) == 0) {
                recent.splice(recent.begin(), recent, it);
                return recent.front();
            }
        }
        for (auto it = recent.begin(); it != recent.end(); ++it) {
            if (same_problem(**it, p, t) && it->use_count() == 1) {  // only this cache holds it
                fb = *it;
                recent.erase(it);
                break;
            }
        }
    }
    if (fb == nullptr) fb = std::make_shared<FilterBlocks<T>>();
    make_filter_blocks(p, t, w, *fb);
    if (fb->bytes <= (std::size_t(256) << 20)) {
        std::lock_guard lock(mutex);
        recent.push_front(fb);
        if (recent.size() > 4) recent.pop_back();
    }
    return fb;
}

template <typename T>
void filter_gradient(const Shape2d& p, const Tiling& t, const T* M, T* dw) {
    const index_t nf = t.freqs();
    const FilterDft<T> dft(p.r, p.s, t.th, t.tw);
#pragma omp parallel
    {
        auto dws = scratch<T>(4 * nf * p.c);  // {2 th, nfw, 2, c}
        auto work = scratch<T>(2 * p.r * dft.nfw * p.c);
#pragma omp for schedule(static)
        for (index_t k = 0; k < p.k; ++k) {
            // dW[k][c] at frequency f: conj(dY) X = (M_rr + M_ii) + i (M_ri - M_ir)
            for (index_t f = 0; f < nf; ++f) {
                const T* re_row = M + f * 4 * p.k * p.c + (2 * k) * 2 * p.c;
                const T* im_row = re_row + 2 * p.c;
                T* zr = dws.get() + 2 * f * p.c;
                T* zi = zr + p.c;
                for (index_t c = 0; c < p.c; ++c) {
                    zr[c] = re_row[2 * c] + im_row[2 * c + 1];
                    zi[c] = re_row[2 * c + 1] - im_row[2 * c];
                }
            }
            dft.inverse(dws.get(), p.c, k, dw, work.get());
        }
    }
}

#define MAGMADNN_INSTANTIATE(T)                                                                \
    template void thread_gemm<T>(bool, bool, index_t, index_t, index_t, const T*, index_t,     \
                                 const T*, index_t, T, T*, index_t);                           \
    template std::shared_ptr<const FilterBlocks<T>> filter_blocks<T>(const Shape2d&,           \
                                                                     const Tiling&, const T*); \
    template void filter_gradient<T>(const Shape2d&, const Tiling&, const T*, T*);
MAGMADNN_INSTANTIATE(float)
MAGMADNN_INSTANTIATE(double)
template struct FilterBlocks<float>;
template struct FilterBlocks<double>;
#undef MAGMADNN_INSTANTIATE

}  // namespace magmadnn::conv::cpu::fft_conv
