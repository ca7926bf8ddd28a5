// small_gemm for one CPU target (compiled once per target, cmake/isa.cmake): a register tile of
// C with the target's vectors where it has them, an auto-vectorized loop otherwise.
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <array>
#include <type_traits>
#include <utility>
#include <vector>

#include "small_gemm.h"

// clang-format off
#include "backend/cpu/isa/begin.h"
// clang-format on

namespace magmadnn::linalg::cpu::MAGMADNN_ISA_NS {

namespace {

#if defined(MAGMADNN_ISA_AVX2)

// The target's vectors: `rows` x `vectors` accumulators of C, with B's vectors and a broadcast of
// A, fill the register file without spilling (32 zmm: 6 x 4; 16 ymm: 6 x 2).
template <typename T>
struct Simd;

#if defined(MAGMADNN_ISA_AVX512)
template <>
struct Simd<float> {
    using V = __m512;
    using M = __mmask16;
    static constexpr int lanes = 16, rows = 6, vectors = 4;
    static V load(M m, const float* p) { return _mm512_maskz_loadu_ps(m, p); }
    static void store(float* p, M m, V v) { _mm512_mask_storeu_ps(p, m, v); }
    static V set1(float a) { return _mm512_set1_ps(a); }
    static V fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
    static V mul(V a, V b) { return _mm512_mul_ps(a, b); }
    static V zero() { return _mm512_setzero_ps(); }
    static M mask(int n) { return n >= lanes ? M(0xffff) : M((1u << n) - 1u); }
};
template <>
struct Simd<double> {
    using V = __m512d;
    using M = __mmask8;
    static constexpr int lanes = 8, rows = 6, vectors = 4;
    static V load(M m, const double* p) { return _mm512_maskz_loadu_pd(m, p); }
    static void store(double* p, M m, V v) { _mm512_mask_storeu_pd(p, m, v); }
    static V set1(double a) { return _mm512_set1_pd(a); }
    static V fma(V a, V b, V c) { return _mm512_fmadd_pd(a, b, c); }
    static V mul(V a, V b) { return _mm512_mul_pd(a, b); }
    static V zero() { return _mm512_setzero_pd(); }
    static M mask(int n) { return n >= lanes ? M(0xff) : M((1u << n) - 1u); }
};
#else
// AVX2 masks are vectors of all-ones lanes; full vectors take plain loads and stores, since
// masked stores are slow on some AVX2 cores (microcoded on AMD Zen 2/3).
template <>
struct Simd<float> {
    using V = __m256;
    struct M {
        __m256i bits;
        bool full;
    };
    static constexpr int lanes = 8, rows = 6, vectors = 2;
    static V load(M m, const float* p) {
        return m.full ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, m.bits);
    }
    static void store(float* p, M m, V v) {
        if (m.full) {
            _mm256_storeu_ps(p, v);
        } else {
            _mm256_maskstore_ps(p, m.bits, v);
        }
    }
    static V set1(float a) { return _mm256_set1_ps(a); }
    static V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
    static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
    static V zero() { return _mm256_setzero_ps(); }
    static M mask(int n) {
        return {_mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)),
                n >= lanes};
    }
};
template <>
struct Simd<double> {
    using V = __m256d;
    struct M {
        __m256i bits;
        bool full;
    };
    static constexpr int lanes = 4, rows = 6, vectors = 2;
    static V load(M m, const double* p) {
        return m.full ? _mm256_loadu_pd(p) : _mm256_maskload_pd(p, m.bits);
    }
    static void store(double* p, M m, V v) {
        if (m.full) {
            _mm256_storeu_pd(p, v);
        } else {
            _mm256_maskstore_pd(p, m.bits, v);
        }
    }
    static V set1(double a) { return _mm256_set1_pd(a); }
    static V fma(V a, V b, V c) { return _mm256_fmadd_pd(a, b, c); }
    static V mul(V a, V b) { return _mm256_mul_pd(a, b); }
    static V zero() { return _mm256_setzero_pd(); }
    static M mask(int n) {
        return {_mm256_cmpgt_epi64(_mm256_set1_epi64x(n), _mm256_setr_epi64x(0, 1, 2, 3)),
                n >= lanes};
    }
};
#endif

// C tile {MR, NV vectors} = alpha A{MR, k} B{k, NV vectors} + beta C; the last vector is masked.
template <typename T, int MR, int NV>
void tile(index_t k, const T* A, index_t lda, const T* B, index_t ldb, T* C, index_t ldc, T alpha,
          T beta, typename Simd<T>::M last) {
    using S = Simd<T>;
    using V = typename S::V;
    V acc[MR][NV];
#pragma GCC unroll 8
    for (int r = 0; r < MR; ++r) {
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v) acc[r][v] = S::zero();
    }
    for (index_t p = 0; p < k; ++p) {
        V b[NV];
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v) {
            b[v] = S::load(v == NV - 1 ? last : S::mask(S::lanes), B + p * ldb + v * S::lanes);
        }
#pragma GCC unroll 8
        for (int r = 0; r < MR; ++r) {
            const V a = S::set1(A[r * lda + p]);
#pragma GCC unroll 4
            for (int v = 0; v < NV; ++v) acc[r][v] = S::fma(a, b[v], acc[r][v]);
        }
    }
    const V va = S::set1(alpha);
    const V vb = S::set1(beta);
#pragma GCC unroll 8
    for (int r = 0; r < MR; ++r) {
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v) {
            const auto m = v == NV - 1 ? last : S::mask(S::lanes);
            T* c = C + r * ldc + v * S::lanes;
            const V out = beta == T(0) ? S::mul(va, acc[r][v])
                                       : S::fma(vb, S::load(m, c), S::mul(va, acc[r][v]));
            S::store(c, m, out);
        }
    }
}

template <typename T>
using TileFn = void (*)(index_t, const T*, index_t, const T*, index_t, T*, index_t, T, T,
                        typename Simd<T>::M);

template <typename T, int MR, int... NVs>
constexpr auto row_of_tiles(std::integer_sequence<int, NVs...>) {
    return std::array<TileFn<T>, sizeof...(NVs)>{&tile<T, MR, NVs + 1>...};
}
template <typename T, int... MRs>
constexpr auto table_of_tiles(std::integer_sequence<int, MRs...>) {
    constexpr int NV = Simd<T>::vectors;
    return std::array<std::array<TileFn<T>, NV>, sizeof...(MRs)>{
        row_of_tiles<T, MRs + 1>(std::make_integer_sequence<int, NV>{})...};
}

template <typename T>
void gemm_nn(index_t m, index_t n, index_t k, T alpha, const T* A, index_t lda, const T* B,
             index_t ldb, T beta, T* C, index_t ldc) {
    using S = Simd<T>;
    static constexpr auto table = table_of_tiles<T>(std::make_integer_sequence<int, S::rows>{});
    constexpr index_t block = S::vectors * S::lanes;
    for (index_t j0 = 0; j0 < n; j0 += block) {
        const index_t nc = std::min(block, n - j0);
        const int nv = static_cast<int>((nc + S::lanes - 1) / S::lanes);
        const auto last = S::mask(static_cast<int>(nc - (nv - 1) * S::lanes));
        for (index_t i0 = 0; i0 < m; i0 += S::rows) {
            const int mr = static_cast<int>(std::min<index_t>(S::rows, m - i0));
            table[mr - 1][nv - 1](k, A + i0 * lda, lda, B + j0, ldb, C + i0 * ldc + j0, ldc, alpha,
                                  beta, last);
        }
    }
}

#else  // scalar: i-p-j order, the j loop vectorized by the compiler

template <typename T>
void gemm_nn(index_t m, index_t n, index_t k, T alpha, const T* A, index_t lda, const T* B,
             index_t ldb, T beta, T* C, index_t ldc) {
    std::vector<T> row(static_cast<std::size_t>(n));
    for (index_t i = 0; i < m; ++i) {
        std::fill(row.begin(), row.end(), T(0));
        for (index_t p = 0; p < k; ++p) {
            const T a = A[i * lda + p];
            const T* b = B + p * ldb;
#pragma omp simd
            for (index_t j = 0; j < n; ++j) row[j] += a * b[j];
        }
        T* c = C + i * ldc;
        for (index_t j = 0; j < n; ++j)
            c[j] = beta == T(0) ? alpha * row[j] : alpha * row[j] + beta * c[j];
    }
}

#endif

// op(X) {rows, cols} copied row-major into buf.
template <typename T>
const T* untranspose(const T* X, index_t ld, index_t rows, index_t cols, std::vector<T>& buf) {
    buf.resize(static_cast<std::size_t>(rows * cols));
    for (index_t i = 0; i < rows; ++i) {
        for (index_t j = 0; j < cols; ++j) buf[i * cols + j] = X[j * ld + i];
    }
    return buf.data();
}

}  // namespace

template <typename T>
void small_gemm(bool ta, bool tb, index_t m, index_t n, index_t k, T alpha, const T* A, index_t lda,
                const T* B, index_t ldb, T beta, T* C, index_t ldc) {
    if (m == 0 || n == 0) return;
    thread_local std::vector<T> abuf;
    thread_local std::vector<T> bbuf;
    if (ta) {
        A = untranspose(A, lda, m, k, abuf);
        lda = k;
    }
    if (tb) {
        B = untranspose(B, ldb, k, n, bbuf);
        ldb = n;
    }
    gemm_nn(m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
}

template void small_gemm<float>(bool, bool, index_t, index_t, index_t, float, const float*, index_t,
                                const float*, index_t, float, float*, index_t);
template void small_gemm<double>(bool, bool, index_t, index_t, index_t, double, const double*,
                                 index_t, const double*, index_t, double, double*, index_t);

}  // namespace magmadnn::linalg::cpu::MAGMADNN_ISA_NS

#include "backend/cpu/isa/end.h"
