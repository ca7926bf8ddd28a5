#include "small_factor.h"

#include <cmath>

namespace magmadnn::linalg::cpu {

template <typename T>
index_t lu_small(index_t n, T* a, std::int32_t* piv) {
    index_t info = 0;
    for (index_t j = 0; j < n; ++j) {
        index_t p = j;
        T best = std::abs(a[j * n + j]);
        for (index_t i = j + 1; i < n; ++i) {
            if (std::abs(a[i * n + j]) > best) {
                best = std::abs(a[i * n + j]);
                p = i;
            }
        }
        piv[j] = static_cast<std::int32_t>(p);
        if (best == T(0)) {  // as LAPACK: record the first zero pivot, keep going
            if (info == 0) info = j + 1;
            continue;
        }
        if (p != j) {
            for (index_t c = 0; c < n; ++c) std::swap(a[j * n + c], a[p * n + c]);
        }
        const T inv = T(1) / a[j * n + j];
        const T* rj = a + j * n;
        for (index_t i = j + 1; i < n; ++i) {
            T* ri = a + i * n;
            const T l = ri[j] * inv;
            ri[j] = l;
#pragma omp simd
            for (index_t c = j + 1; c < n; ++c) ri[c] -= l * rj[c];
        }
    }
    return info;
}

template <typename T>
void lu_solve_small(index_t n, index_t nrhs, const T* lu, const std::int32_t* piv, T* b) {
    for (index_t j = 0; j < n; ++j) {
        const index_t p = piv[j];
        if (p != j) {
            for (index_t c = 0; c < nrhs; ++c) std::swap(b[j * nrhs + c], b[p * nrhs + c]);
        }
    }
    for (index_t i = 1; i < n; ++i) {  // L y = P b, unit diagonal
        for (index_t k = 0; k < i; ++k) {
            const T l = lu[i * n + k];
#pragma omp simd
            for (index_t c = 0; c < nrhs; ++c) b[i * nrhs + c] -= l * b[k * nrhs + c];
        }
    }
    for (index_t i = n - 1; i >= 0; --i) {  // U x = y
        for (index_t k = i + 1; k < n; ++k) {
            const T u = lu[i * n + k];
#pragma omp simd
            for (index_t c = 0; c < nrhs; ++c) b[i * nrhs + c] -= u * b[k * nrhs + c];
        }
        const T inv = T(1) / lu[i * n + i];
        for (index_t c = 0; c < nrhs; ++c) b[i * nrhs + c] *= inv;
    }
}

template <typename T>
void lu_solve_small_transposed(index_t n, index_t nrhs, const T* lu, const std::int32_t* piv,
                               T* b) {
    // A^T = U^T L^T P (P A = L U): forward with U^T (lower, U's diagonal), backward with L^T
    // (unit upper), then x = P^T w
    for (index_t i = 0; i < n; ++i) {
        for (index_t k = 0; k < i; ++k) {
            const T u = lu[k * n + i];  // U^T(i, k)
#pragma omp simd
            for (index_t c = 0; c < nrhs; ++c) b[i * nrhs + c] -= u * b[k * nrhs + c];
        }
        const T inv = T(1) / lu[i * n + i];
        for (index_t c = 0; c < nrhs; ++c) b[i * nrhs + c] *= inv;
    }
    for (index_t i = n - 2; i >= 0; --i) {
        for (index_t k = i + 1; k < n; ++k) {
            const T l = lu[k * n + i];  // L^T(i, k)
#pragma omp simd
            for (index_t c = 0; c < nrhs; ++c) b[i * nrhs + c] -= l * b[k * nrhs + c];
        }
    }
    for (index_t j = n - 1; j >= 0; --j) {
        const index_t p = piv[j];
        if (p != j) {
            for (index_t c = 0; c < nrhs; ++c) std::swap(b[j * nrhs + c], b[p * nrhs + c]);
        }
    }
}

template <typename T>
index_t cholesky_small(index_t n, T* a) {
    for (index_t j = 0; j < n; ++j) {
        T* rj = a + j * n;
        T d = rj[j];
        for (index_t k = 0; k < j; ++k) d -= rj[k] * rj[k];
        if (!(d > T(0))) return j + 1;
        const T ljj = std::sqrt(d);
        rj[j] = ljj;
        for (index_t i = j + 1; i < n; ++i) {
            T* ri = a + i * n;
            T s = ri[j];
            for (index_t k = 0; k < j; ++k) s -= ri[k] * rj[k];
            ri[j] = s / ljj;
        }
        for (index_t c = j + 1; c < n; ++c) rj[c] = T(0);
    }
    return 0;
}

template <typename T>
void cholesky_solve_small(index_t n, index_t nrhs, const T* l, T* b) {
    for (index_t i = 0; i < n; ++i) {  // L y = b
        for (index_t k = 0; k < i; ++k) {
            const T v = l[i * n + k];
#pragma omp simd
            for (index_t c = 0; c < nrhs; ++c) b[i * nrhs + c] -= v * b[k * nrhs + c];
        }
        const T inv = T(1) / l[i * n + i];
        for (index_t c = 0; c < nrhs; ++c) b[i * nrhs + c] *= inv;
    }
    for (index_t i = n - 1; i >= 0; --i) {  // L^T x = y
        const T inv = T(1) / l[i * n + i];
        for (index_t c = 0; c < nrhs; ++c) b[i * nrhs + c] *= inv;
        for (index_t k = 0; k < i; ++k) {
            const T v = l[i * n + k];
#pragma omp simd
            for (index_t c = 0; c < nrhs; ++c) b[k * nrhs + c] -= v * b[i * nrhs + c];
        }
    }
}

#define MAGMADNN_INSTANTIATE(T)                                                                 \
    template index_t lu_small<T>(index_t, T*, std::int32_t*);                                   \
    template void lu_solve_small<T>(index_t, index_t, const T*, const std::int32_t*, T*);       \
    template void lu_solve_small_transposed<T>(index_t, index_t, const T*, const std::int32_t*, \
                                               T*);                                             \
    template index_t cholesky_small<T>(index_t, T*);                                            \
    template void cholesky_solve_small<T>(index_t, index_t, const T*, T*);
MAGMADNN_INSTANTIATE(float)
MAGMADNN_INSTANTIATE(double)
#undef MAGMADNN_INSTANTIATE

}  // namespace magmadnn::linalg::cpu
