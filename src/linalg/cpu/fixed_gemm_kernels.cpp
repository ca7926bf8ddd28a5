// fixed_gemm for one CPU target (compiled once per target, cmake/isa.cmake).
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <array>

#include "fixed_gemm.h"

// clang-format off
#include "backend/cpu/isa/begin.h"
// clang-format on

namespace magmadnn::linalg::cpu::MAGMADNN_ISA_NS {

#if defined(MAGMADNN_ISA_AVX2)
namespace {

// Cache lines of `count` floats.
constexpr int lines(int count) { return (count + 15) / 16; }

// Lines [first, first + S) of a next operand of L lines: read (C: written) soon, not yet.
template <int L, int S>
inline void fetch_lines(const float* p, int first, bool write) {
#pragma GCC unroll 4
    for (int s = 0; s < S; ++s) {
        if (first + s < L) {
            const char* line = reinterpret_cast<const char*>(p + 16 * (first + s));
            if (write) {
                _mm_prefetch(line, _MM_HINT_ET0);
            } else {
                _mm_prefetch(line, _MM_HINT_T0);
            }
        }
    }
}

// All of the next problem's lines at once (the tiny sizes: a few lines per operand).
template <int M, int N, int K>
inline void fetch_next(const NextProblem& next) {
    if (next.a == nullptr) return;
    fetch_lines<lines(M * K), lines(M * K)>(next.a, 0, false);
    fetch_lines<lines(K * N), lines(K * N)>(next.b, 0, false);
    fetch_lines<lines(M * N), lines(M * N)>(next.c, 0, true);
}

}  // namespace
#endif

#if defined(MAGMADNN_ISA_AVX512)

namespace {

constexpr __mmask16 lanes(int n) { return n >= 16 ? __mmask16(0xffff) : __mmask16((1u << n) - 1u); }

// _mm512_permutexvar_ps through its zero-masked form: GCC 12 reports the plain form's undefined
// pass-through operand as uninitialized.
inline __m512 permute(__m512i idx, __m512 v) { return _mm512_maskz_permutexvar_ps(0xffff, idx, v); }

// out = alpha acc + beta C, stored under mask m.
inline void store(float* c, __mmask16 m, __m512 acc, float alpha, float beta) {
    __m512 out = alpha == 1.0f ? acc : _mm512_mul_ps(_mm512_set1_ps(alpha), acc);
    if (beta != 0.0f) out = _mm512_fmadd_ps(_mm512_set1_ps(beta), _mm512_maskz_loadu_ps(m, c), out);
    _mm512_mask_storeu_ps(c, m, out);
}

// R rows of C{., N} = A{., K} B{K, N}: R x NV accumulators stay in registers while the k loop
// broadcasts A's elements against B's rows. Step `first + p` of the problem's k steps fetches S
// lines of each of the next problem's operands (M rows in all): spread over the problem's
// compute, not in one burst that would wait for free miss buffers.
template <int M, int N, int K, int R, int S>
inline void row_tile(const float* A, const float* B, float* C, float alpha, float beta,
                     const NextProblem& next, int first) {
    constexpr int NV = (N + 15) / 16;
    constexpr __mmask16 last = lanes(N - (NV - 1) * 16);
    __m512 acc[R][NV];
#pragma GCC unroll 32
    for (int r = 0; r < R; ++r) {
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_setzero_ps();
    }
    // Unrolled by 4, not fully: with the whole k loop in view GCC 12 hoists every A element
    // into a register and spills them all.
#pragma GCC unroll 4
    for (int p = 0; p < K; ++p) {
        if (S > 0 && next.a != nullptr) {
            const int line = (first + p) * S;
            fetch_lines<lines(M * K), S>(next.a, line, false);
            fetch_lines<lines(K * N), S>(next.b, line, false);
            fetch_lines<lines(M * N), S>(next.c, line, true);
        }
        __m512 b[NV];
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v) {
            b[v] = v == NV - 1 ? _mm512_maskz_loadu_ps(last, B + p * N + 16 * v)
                               : _mm512_loadu_ps(B + p * N + 16 * v);
        }
#pragma GCC unroll 32
        for (int r = 0; r < R; ++r) {
            const __m512 a = _mm512_set1_ps(A[r * K + p]);
#pragma GCC unroll 4
            for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_fmadd_ps(a, b[v], acc[r][v]);
        }
    }
#pragma GCC unroll 32
    for (int r = 0; r < R; ++r) {
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v) {
            store(C + r * N + 16 * v, v == NV - 1 ? last : lanes(16), acc[r][v], alpha, beta);
        }
    }
}

// Rows in tiles of MR: at most 24 accumulators (plus B's row and a broadcast: no spills), and at
// least 8 per tile where the rows allow it, so FMA latency stays hidden.
template <int M, int N, int K>
void tiled(const float* A, const float* B, float* C, float alpha, float beta,
           const NextProblem& next) {
    constexpr int NV = (N + 15) / 16;
    constexpr int MR = NV == 1 ? (M <= 24 ? M : 12) : NV == 2 ? 12 : NV == 3 ? 8 : 6;
    constexpr int full = M / MR, rest = M % MR;
    constexpr int steps = (full + (rest > 0 ? 1 : 0)) * K;
    constexpr int most = std::max({lines(M * K), lines(K * N), lines(M * N)});
    // Up to 16 lines per operand (n <= 16) one burst costs less than a check on every k step.
    constexpr bool burst = most <= 16;
    constexpr int S = burst ? 0 : (most + steps - 1) / steps;
    if constexpr (burst) fetch_next<M, N, K>(next);
    const NextProblem spread = burst ? NextProblem{} : next;
    for (int t = 0; t < full; ++t) {
        row_tile<M, N, K, MR, S>(A + t * MR * K, B, C + t * MR * N, alpha, beta, spread, t * K);
    }
    if constexpr (rest > 0) {
        row_tile<M, N, K, rest, S>(A + full * MR * K, B, C + full * MR * N, alpha, beta, spread,
                                   full * K);
    }
}

// 4 x 4 x 4: the whole of C in one vector, lane 4 i + j; A's column p and B's row p are spread
// over the lanes by permutes.
void gemm_4x4x4(const float* A, const float* B, float* C, float alpha, float beta,
                const NextProblem& next) {
    fetch_next<4, 4, 4>(next);
    const __m512 a = _mm512_loadu_ps(A);
    const __m512 b = _mm512_loadu_ps(B);
    __m512 acc = _mm512_setzero_ps();
#pragma GCC unroll 4
    for (int p = 0; p < 4; ++p) {
        const __m512i ia = _mm512_setr_epi32(p, p, p, p, 4 + p, 4 + p, 4 + p, 4 + p, 8 + p, 8 + p,
                                             8 + p, 8 + p, 12 + p, 12 + p, 12 + p, 12 + p);
        const int q = 4 * p;
        const __m512i ib = _mm512_setr_epi32(q, q + 1, q + 2, q + 3, q, q + 1, q + 2, q + 3, q,
                                             q + 1, q + 2, q + 3, q, q + 1, q + 2, q + 3);
        acc = _mm512_fmadd_ps(permute(ia, a), permute(ib, b), acc);
    }
    store(C, lanes(16), acc, alpha, beta);
}

// 8 x 8 x 8: two rows of C per vector (rows 2q and 2q + 1 are 16 contiguous floats, and so are
// the same rows of A); B's row p is duplicated into both halves.
void gemm_8x8x8(const float* A, const float* B, float* C, float alpha, float beta,
                const NextProblem& next) {
    fetch_next<8, 8, 8>(next);
    __m512 a[4], acc[4];
#pragma GCC unroll 4
    for (int q = 0; q < 4; ++q) {
        a[q] = _mm512_loadu_ps(A + 16 * q);
        acc[q] = _mm512_setzero_ps();
    }
#pragma GCC unroll 8
    for (int p = 0; p < 8; ++p) {
        const __m512i dup = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7);
        const __m512 b = permute(dup, _mm512_maskz_loadu_ps(lanes(8), B + 8 * p));
        const __m512i ia = _mm512_setr_epi32(p, p, p, p, p, p, p, p, 8 + p, 8 + p, 8 + p, 8 + p,
                                             8 + p, 8 + p, 8 + p, 8 + p);
#pragma GCC unroll 4
        for (int q = 0; q < 4; ++q) {
            acc[q] = _mm512_fmadd_ps(permute(ia, a[q]), b, acc[q]);
        }
    }
#pragma GCC unroll 4
    for (int q = 0; q < 4; ++q) store(C + 16 * q, lanes(16), acc[q], alpha, beta);
}

}  // namespace

#elif defined(MAGMADNN_ISA_AVX2)

// AVX2: 8-lane vectors and 16 registers. C is computed in column panels of at most PV vectors
// (PV = 3 where N is 3 vectors wide, else 2, 1 for the last odd one) and row tiles of MR rows,
// MR x PV accumulators plus PV rows of B and a broadcast within the 16 registers. Ragged rows (n
// = 4, 12, 20, 28) end in a masked vector.
namespace {

template <int n>
inline __m256i lanes8() {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

template <int n>
inline __m256 load8(const float* p) {
    if constexpr (n >= 8) {
        return _mm256_loadu_ps(p);
    } else {
        return _mm256_maskload_ps(p, lanes8<n>());
    }
}

// c[0, n) = alpha acc + beta c
template <int n>
inline void store8(float* c, __m256 acc, float alpha, float beta) {
    __m256 out = alpha == 1.0f ? acc : _mm256_mul_ps(_mm256_set1_ps(alpha), acc);
    if (beta != 0.0f) out = _mm256_fmadd_ps(_mm256_set1_ps(beta), load8<n>(c), out);
    if constexpr (n >= 8) {
        _mm256_storeu_ps(c, out);
    } else {
        _mm256_maskstore_ps(c, lanes8<n>(), out);
    }
}

// Rows [0, R) x columns [c0, c0 + 8 PV) of C (the last vector holding W - 8 (PV - 1) columns),
// with S lines of each next operand fetched per k step from step `first` on.
template <int M, int N, int K, int R, int PV, int W, int S>
inline void panel_tile(const float* A, const float* B, float* C, float alpha, float beta,
                       const NextProblem& next, int first) {
    constexpr int tail = W - 8 * (PV - 1);
    __m256 acc[R][PV];
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
#pragma GCC unroll 4
        for (int v = 0; v < PV; ++v) acc[r][v] = _mm256_setzero_ps();
    }
#pragma GCC unroll 4
    for (int p = 0; p < K; ++p) {
        if (S > 0 && next.a != nullptr) {
            const int line = (first + p) * S;
            fetch_lines<lines(M * K), S>(next.a, line, false);
            fetch_lines<lines(K * N), S>(next.b, line, false);
            fetch_lines<lines(M * N), S>(next.c, line, true);
        }
        __m256 b[PV];
#pragma GCC unroll 4
        for (int v = 0; v < PV; ++v) {
            b[v] =
                v == PV - 1 ? load8<tail>(B + p * N + 8 * v) : _mm256_loadu_ps(B + p * N + 8 * v);
        }
#pragma GCC unroll 16
        for (int r = 0; r < R; ++r) {
            const __m256 a = _mm256_broadcast_ss(A + r * K + p);
#pragma GCC unroll 4
            for (int v = 0; v < PV; ++v) acc[r][v] = _mm256_fmadd_ps(a, b[v], acc[r][v]);
        }
    }
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
#pragma GCC unroll 4
        for (int v = 0; v < PV; ++v) {
            if (v == PV - 1) {
                store8<tail>(C + r * N + 8 * v, acc[r][v], alpha, beta);
            } else {
                store8<8>(C + r * N + 8 * v, acc[r][v], alpha, beta);
            }
        }
    }
}

constexpr int rows_for(int pv) { return pv == 1 ? 12 : pv == 2 ? 6 : 4; }

// The row tiles of the panel of columns [c0, c0 + W).
template <int M, int N, int K, int C0, int W, int S>
inline void panel(const float* A, const float* B, float* C, float alpha, float beta,
                  const NextProblem& next, int& step) {
    constexpr int PV = (W + 7) / 8, MR = rows_for(PV), full = M / MR, rest = M % MR;
    for (int t = 0; t < full; ++t) {
        panel_tile<M, N, K, MR, PV, W, S>(A + t * MR * K, B + C0, C + t * MR * N + C0, alpha, beta,
                                          next, step);
        step += K;
    }
    if constexpr (rest > 0) {
        panel_tile<M, N, K, rest, PV, W, S>(A + full * MR * K, B + C0, C + full * MR * N + C0,
                                            alpha, beta, next, step);
        step += K;
    }
}

// The column panels from C0 on: 3 vectors where exactly 3 remain, else 2 (1 for a last odd one).
template <int M, int N, int K, int C0, int S>
inline void panels(const float* A, const float* B, float* C, float alpha, float beta,
                   const NextProblem& next, int& step) {
    constexpr int left = N - C0;
    if constexpr (left > 0) {
        constexpr int width = left > 16 && left <= 24 ? left : left > 16 ? 16 : left;
        panel<M, N, K, C0, width, S>(A, B, C, alpha, beta, next, step);
        panels<M, N, K, C0 + width, S>(A, B, C, alpha, beta, next, step);
    }
}

constexpr int steps_of(int m, int n, int k) {
    int steps = 0;
    for (int c0 = 0; c0 < n;) {
        const int left = n - c0, width = left > 16 && left <= 24 ? left : left > 16 ? 16 : left;
        const int mr = rows_for((width + 7) / 8);
        steps += (m + mr - 1) / mr * k;
        c0 += width;
    }
    return steps;
}

template <int M, int N, int K>
void tiled(const float* A, const float* B, float* C, float alpha, float beta,
           const NextProblem& next) {
    constexpr int most = std::max({lines(M * K), lines(K * N), lines(M * N)});
    constexpr bool burst = most <= 16;
    constexpr int S = burst ? 0 : (most + steps_of(M, N, K) - 1) / steps_of(M, N, K);
    if constexpr (burst) fetch_next<M, N, K>(next);
    int step = 0;
    panels<M, N, K, 0, S>(A, B, C, alpha, beta, burst ? NextProblem{} : next, step);
}

// 4 x 4 x 4: rows 2q and 2q + 1 of C in one vector; B's row p is broadcast to both halves and
// A's elements (2q, p), (2q + 1, p) spread over the halves by a permute.
void gemm_4x4x4(const float* A, const float* B, float* C, float alpha, float beta,
                const NextProblem& next) {
    fetch_next<4, 4, 4>(next);
    __m256 acc[2] = {_mm256_setzero_ps(), _mm256_setzero_ps()};
    const __m256 a[2] = {_mm256_loadu_ps(A), _mm256_loadu_ps(A + 8)};
#pragma GCC unroll 4
    for (int p = 0; p < 4; ++p) {
        const __m256 b = _mm256_broadcast_ps(reinterpret_cast<const __m128*>(B + 4 * p));
        const __m256i idx = _mm256_setr_epi32(p, p, p, p, 4 + p, 4 + p, 4 + p, 4 + p);
#pragma GCC unroll 2
        for (int q = 0; q < 2; ++q) {
            acc[q] = _mm256_fmadd_ps(_mm256_permutevar8x32_ps(a[q], idx), b, acc[q]);
        }
    }
    store8<8>(C, acc[0], alpha, beta);
    store8<8>(C + 8, acc[1], alpha, beta);
}

}  // namespace

#endif

#if defined(MAGMADNN_ISA_AVX2)
namespace {

#if !defined(MAGMADNN_ISA_AVX512)
// AVX2 rows of 8 floats fill one vector: the general tiling is the 8 x 8 x 8 kernel
constexpr FixedGemmF32 gemm_8x8x8 = &tiled<8, 8, 8>;
#endif

struct Entry {
    index_t n;
    FixedGemmF32 fn;
};

// Square sizes: the small dense blocks of high-order FEM contractions and batched solvers.
constexpr std::array<Entry, 12> squares{{{4, gemm_4x4x4},
                                         {8, gemm_8x8x8},
                                         {12, &tiled<12, 12, 12>},
                                         {16, &tiled<16, 16, 16>},
                                         {20, &tiled<20, 20, 20>},
                                         {24, &tiled<24, 24, 24>},
                                         {28, &tiled<28, 28, 28>},
                                         {32, &tiled<32, 32, 32>},
                                         {40, &tiled<40, 40, 40>},
                                         {48, &tiled<48, 48, 48>},
                                         {56, &tiled<56, 56, 56>},
                                         {64, &tiled<64, 64, 64>}}};

}  // namespace

FixedGemmF32 fixed_gemm_f32(index_t m, index_t n, index_t k) {
    if (m != n || n != k) return nullptr;
    for (const Entry& e : squares) {
        if (e.n == n) return e.fn;
    }
    return nullptr;
}

#else

FixedGemmF32 fixed_gemm_f32(index_t, index_t, index_t) { return nullptr; }

#endif

}  // namespace magmadnn::linalg::cpu::MAGMADNN_ISA_NS

#include "backend/cpu/isa/end.h"
