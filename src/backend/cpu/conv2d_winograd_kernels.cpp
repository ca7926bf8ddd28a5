// Winograd F(m x m, 3 x 3) for 3x3, stride-1 convolutions (Lavin & Gray 2015), m = 2 or 4.
// Filters become U = G g G^T and input tiles V = B^T d B (alpha x alpha, alpha = m + 2); the
// convolution is then alpha^2 independent GEMMs M[xi] = U[xi] {k, c} x V[xi] {c, tiles}, and each
// output tile is A^T M A. F(2x2) does 16 multiplies per 4 outputs instead of 36; F(4x4) 36 per 16
// instead of 144, at the cost of larger transform constants (about one more digit of rounding
// error, see tests/backend/conv2d_algos_test.cpp).
//
// Each thread takes an even share of the tile rows and runs it in chunks of whole tile rows:
// input transform, the alpha^2 GEMMs, output transform, so that a chunk's V and M stay near the
// core (for a whole VGG layer they are 2-26 MB each). With AVX-512 the f32 path works on 16
// consecutive tiles at once: B^T first combines alpha input rows (contiguous vectors), permutes
// then split the result into the alpha columns of each tile, and V[xi] and M[xi] are {channel,
// tile} rows read and written 16 tiles at a time; its GEMMs are a register-tiled kernel that
// reads V's rows in place (no packing, no per-call overhead: faster than oneDNN's sgemm on these
// small operands). f64 and targets without AVX-512 run the same chunks with per-tile loops and
// math::cpu::gemm. Backward-weights (run_weights) reuses the chunks, the input transform and the
// GEMM kernel: dW = G^T (sum over tiles of (A dY A^T) . V) G.
//
// The transforms are conv2d_winograd_transforms.h, the AVX-512 kernels conv2d_winograd_avx512.h,
// AVX2's input transform conv2d_winograd_avx2.h; this file holds the drivers (chunks, threads)
// and the entry points.
#include <omp.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>
#include <vector>

#include "../kernels.h"
#include "conv2d.h"

// clang-format off
#include "backend/cpu/isa/begin.h"
#include "short_rows.h"
#include "conv2d_winograd_transforms.h"
#include "conv2d_winograd_avx512.h"
#include "conv2d_winograd_avx2.h"
// clang-format on

namespace magmadnn::conv::cpu::MAGMADNN_ISA_NS {

namespace {

// A chunk's V and M together stay under this many bytes, unless one tile row is larger. Larger
// chunks give the GEMMs longer rows, smaller ones keep the transforms' traffic closer to the core
// (1 MB of L2 per core here); 1-3 MB measured within a few percent of each other on the VGG
// layers.
constexpr index_t chunk_bytes = index_t(2) << 20;

// V for tile rows [r0, r1) (row r: image r / th, tile row r % th) of every input channel;
// channel c's tiles start at V + c ld, the alpha^2 slices are vs apart. row_buf, wb and zero are
// the vectorised transform's scratch (see input_row_avx512; unused for f64).
template <typename F, typename T>
void input_rows(const Shape2d& p, const T* x, index_t th, index_t tw, index_t r0, index_t r1, T* V,
                index_t ld, index_t vs, [[maybe_unused]] T* row_buf, [[maybe_unused]] index_t wb,
                [[maybe_unused]] const T* zero) {
    const index_t C = p.c;
    for (index_t c = 0; c < C; ++c) {
        for (index_t r = r0; r < r1; ++r) {
            const T* plane = x + ((r / th) * C + c) * p.h * p.w;
            T* v = V + c * ld + (r - r0) * tw;
#if defined(MAGMADNN_ISA_AVX512)
            if constexpr (std::is_same_v<T, float>) {
                input_row_avx512<F>(p, plane, r % th, tw, v, vs, row_buf, wb, zero);
                continue;
            }
#elif defined(MAGMADNN_ISA_AVX2)
            if constexpr (std::is_same_v<T, float>) {
                input_row_avx2<F>(p, plane, r % th, tw, v, vs, row_buf, wb);
                continue;
            }
#endif
            input_row<F>(p, plane, r % th, tw, v, vs);
        }
    }
}

template <typename T>
T* workspace(std::vector<T>& v, index_t n) {
    if (v.size() < static_cast<std::size_t>(n)) v.resize(static_cast<std::size_t>(n));
    return v.data();
}

template <typename F, typename T>
void run(const Shape2d& p, const T* x, const T* w, T* y) {
    constexpr int m = F::m, a = F::a, aa = a * a;
    const index_t oh = p.out_h(), ow = p.out_w();
    const index_t th = (oh + m - 1) / m, tw = (ow + m - 1) / m, rows = p.n * th;
    const index_t C = p.c, K = p.k, KC = K * C;

    // Each thread takes an even share of the n * th tile rows and runs it in chunks of whole
    // tile rows, as large as fit the budget, of equal sizes.
    const index_t row_bytes = aa * (C + K) * tw * static_cast<index_t>(sizeof(T));
    const index_t fit = std::max<index_t>(1, chunk_bytes / row_bytes);
    const index_t us = KC + 16;                       // see vs below
    const index_t wb = (tw + 15) / 16 * 16 * m + 16;  // rows of the vectorised input transform

    // Kept between calls (as the per-thread buffers below): fresh ones would cost page faults
    // and zeroing on every call. All threads fill U; the loop's barrier precedes its use.
    thread_local std::vector<T> filter_buf;
    T* const U = workspace(filter_buf, aa * us);

#pragma omp parallel
    {
#pragma omp for schedule(static)
        for (index_t kc = 0; kc < KC; kc += 16) {
            filters<F>(w, kc, std::min<index_t>(16, KC - kc), U, us);
        }

        const index_t nth = omp_get_num_threads(), id = omp_get_thread_num();
        const index_t mine0 = id * rows / nth, mine = (id + 1) * rows / nth - mine0;
        const index_t chunks = (mine + fit - 1) / fit;
        // ld: the tile stride of V and M, whole vectors. V[xi] and M[xi] are one cache line
        // past a multiple of ld apart: the transforms touch all alpha^2 of them at once, and
        // power-of-two strides would put them in the same cache sets.
        const index_t ld = chunks == 0 ? 16 : ((mine + chunks - 1) / chunks * tw + 15) / 16 * 16;
        const index_t vs = C * ld + 16, ms = K * ld + 16;
        thread_local std::vector<T> chunk_buf;
        T* const V = workspace(chunk_buf, aa * (vs + ms) + a * wb + p.w + 16);
        T* const M = V + aa * vs;
        // on a cache-line boundary: the input transform stores and reloads whole vectors of it
        [[maybe_unused]] T* const row_buf =
            M + aa * ms +
            (16 - reinterpret_cast<std::uintptr_t>(M + aa * ms) / sizeof(T) % 16) % 16;
        [[maybe_unused]] const T* const zero = row_buf + a * wb;
        std::fill(row_buf, row_buf + a * wb + p.w, T(0));

        for (index_t ch = 0; ch < chunks; ++ch) {
            const index_t r0 = mine0 + ch * mine / chunks, r1 = mine0 + (ch + 1) * mine / chunks;
            input_rows<F>(p, x, th, tw, r0, r1, V, ld, vs, row_buf, wb, zero);
            for (int xi = 0; xi < aa; ++xi) {
#if defined(MAGMADNN_ISA_AVX512)
                if constexpr (std::is_same_v<T, float>) {
                    gemm_avx512(K, (r1 - r0) * tw, C, U + xi * us, C, V + xi * vs, ld, M + xi * ms);
                    continue;
                }
#endif
                math::cpu::gemm(false, false, K, (r1 - r0) * tw, C, T(1), U + xi * us, C,
                                V + xi * vs, ld, T(0), M + xi * ms, ld);
            }
            for (index_t k = 0; k < K; ++k) {
                for (index_t r = r0; r < r1; ++r) {
                    T* yk = y + ((r / th) * K + k) * oh * ow;
                    const T* mk = M + k * ld + (r - r0) * tw;
#if defined(MAGMADNN_ISA_AVX512)
                    if constexpr (std::is_same_v<T, float>) {
                        output_row_avx512<F>(oh, ow, mk, ms, r % th, tw, yk);
                        continue;
                    }
#elif defined(MAGMADNN_ISA_AVX2)
                    if constexpr (std::is_same_v<T, float>) {
                        output_row_avx2<F>(oh, ow, mk, ms, r % th, tw, yk);
                        continue;
                    }
#endif
                    output_row<F>(oh, ow, mk, ms, r % th, tw, yk);
                }
            }
        }
    }
}

// Backward-weights: dW[k][c] = G^T (sum over tiles of (A dY A^T) . (B^T d B)) G. The same chunks
// of tile rows as run(): per chunk the input transform into V[xi] {c, tiles}, the output-gradient
// transform into D[xi] {k, tiles}, and the alpha^2 GEMMs over the tile axis, D[xi] V[xi]^T,
// accumulated into the thread's own sums {xi, k, c} (rows cp apart); then the threads' sums are
// added and each filter's alpha x alpha sum goes through G^T . G. With AVX-512 the f32 GEMMs are
// the forward's kernel on each V[xi] transposed to {tiles, c} just before its GEMM (a small,
// cache-resident copy), so that the k rows of D[xi] are broadcast and the c columns vectorised.
template <typename F, typename T>
void run_weights(const Shape2d& p, const T* x, const T* dy, T* dw) {
    constexpr int m = F::m, a = F::a, aa = a * a;
    const index_t oh = p.out_h(), ow = p.out_w();
    const index_t th = (oh + m - 1) / m, tw = (ow + m - 1) / m, rows = p.n * th;
    const index_t C = p.c, K = p.k, KC = K * C, cp = (C + 15) / 16 * 16, ss = K * cp;
    const index_t row_bytes = aa * (C + K) * tw * static_cast<index_t>(sizeof(T));
    const index_t fit = std::max<index_t>(1, chunk_bytes / row_bytes);
    const index_t wb = (tw + 15) / 16 * 16 * m + 16;

    thread_local std::vector<T> sum_buf;
    T* const sums = workspace(sum_buf, index_t(omp_get_max_threads()) * aa * ss);

#pragma omp parallel
    {
        const index_t nth = omp_get_num_threads(), id = omp_get_thread_num();
        const index_t mine0 = id * rows / nth, mine = (id + 1) * rows / nth - mine0;
        const index_t chunks = (mine + fit - 1) / fit;
        const index_t ld = chunks == 0 ? 16 : ((mine + chunks - 1) / chunks * tw + 15) / 16 * 16;
        const index_t vs = C * ld + 16, ds = K * ld + 16;
        thread_local std::vector<T> chunk_buf;
        T* const V = workspace(chunk_buf, aa * (vs + ds) + a * wb + p.w + 16 + ld * cp);
        T* const D = V + aa * vs;
        [[maybe_unused]] T* const row_buf =
            D + aa * ds +
            (16 - reinterpret_cast<std::uintptr_t>(D + aa * ds) / sizeof(T) % 16) % 16;
        [[maybe_unused]] const T* const zero = row_buf + a * wb;
        [[maybe_unused]] T* const vt = row_buf + a * wb + p.w;
        std::fill(row_buf, row_buf + a * wb + p.w, T(0));
        T* const sum = sums + id * aa * ss;  // the first chunk's GEMMs overwrite it
        if (chunks == 0) std::fill(sum, sum + aa * ss, T(0));

        for (index_t ch = 0; ch < chunks; ++ch) {
            const index_t r0 = mine0 + ch * mine / chunks, r1 = mine0 + (ch + 1) * mine / chunks;
            const index_t N = (r1 - r0) * tw;
            input_rows<F>(p, x, th, tw, r0, r1, V, ld, vs, row_buf, wb, zero);
            for (index_t k = 0; k < K; ++k) {
                for (index_t r = r0; r < r1; ++r) {
                    const T* dyk = dy + ((r / th) * K + k) * oh * ow;
                    T* d = D + k * ld + (r - r0) * tw;
#if defined(MAGMADNN_ISA_AVX512)
                    if constexpr (std::is_same_v<T, float>) {
                        gradient_row_avx512<F>(oh, ow, dyk, r % th, tw, d, ds);
                        continue;
                    }
#endif
                    gradient_row<F>(oh, ow, dyk, r % th, tw, d, ds);
                }
            }
            for (int xi = 0; xi < aa; ++xi) {
#if defined(MAGMADNN_ISA_AVX512)
                if constexpr (std::is_same_v<T, float>) {
                    transpose_tiles(C, N, V + xi * vs, ld, vt, cp);
                    if (ch == 0) {
                        gemm_avx512<false>(K, cp, N, D + xi * ds, ld, vt, cp, sum + xi * ss);
                    } else {
                        gemm_avx512<true>(K, cp, N, D + xi * ds, ld, vt, cp, sum + xi * ss);
                    }
                    continue;
                }
#endif
                math::cpu::gemm(false, true, K, C, N, T(1), D + xi * ds, ld, V + xi * vs, ld,
                                T(ch == 0 ? 0 : 1), sum + xi * ss, cp);
            }
        }

#pragma omp barrier
#pragma omp for schedule(static)
        for (index_t kc = 0; kc < KC; ++kc) {
            const index_t at = kc / C * cp + kc % C;
            T u[aa];
            for (int xi = 0; xi < aa; ++xi) {
                T s = sums[xi * ss + at];
                for (index_t t = 1; t < nth; ++t) s += sums[(t * aa + xi) * ss + at];
                u[xi] = s;
            }
            filter_gradient<F>(u, dw + kc * 9);
        }
    }
}

}  // namespace

template <typename T>
void winograd_forward(int m, const Shape2d& p, const T* x, const T* w, T* y) {
    if (m == 2) {
        run<F2>(p, x, w, y);
    } else {
        run<F4>(p, x, w, y);
    }
}

template <typename T>
void winograd_backward_data(int m, const Shape2d& p, const T* dy, const T* w, T* dx) {
    // dx = dy (padded by 2 - pad) correlated with the filter rotated by 180 degrees, in and out
    // channels swapped.
    Shape2d q = p;
    q.c = p.k;
    q.k = p.c;
    q.h = p.out_h();
    q.w = p.out_w();
    q.pad_h = 2 - p.pad_h;
    q.pad_w = 2 - p.pad_w;
    std::vector<T> wr(static_cast<std::size_t>(p.k * p.c * 9));
    for (index_t k = 0; k < p.k; ++k)
        for (index_t c = 0; c < p.c; ++c)
            for (int e = 0; e < 9; ++e) wr[(c * p.k + k) * 9 + e] = w[(k * p.c + c) * 9 + 8 - e];
    winograd_forward(m, q, dy, wr.data(), dx);
}

template <typename T>
void winograd_backward_weights(int m, const Shape2d& p, const T* x, const T* dy, T* dw) {
    if (m == 2) {
        run_weights<F2>(p, x, dy, dw);
    } else {
        run_weights<F4>(p, x, dy, dw);
    }
}

#define MAGMADNN_INSTANTIATE(T)                                                           \
    template void winograd_forward<T>(int, const Shape2d&, const T*, const T*, T*);       \
    template void winograd_backward_data<T>(int, const Shape2d&, const T*, const T*, T*); \
    template void winograd_backward_weights<T>(int, const Shape2d&, const T*, const T*, T*);
MAGMADNN_INSTANTIATE(float)
MAGMADNN_INSTANTIATE(double)
#undef MAGMADNN_INSTANTIATE

}  // namespace magmadnn::conv::cpu::MAGMADNN_ISA_NS

#include "backend/cpu/isa/end.h"
