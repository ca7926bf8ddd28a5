// Batched LU / Cholesky / solves: shape checks, then one small problem per OpenMP thread (the
// unblocked kernels of cpu/small_factor.cpp), LAPACK one by one for large matrices, or cuBLAS /
// cuSOLVER batched routines on the GPU.
#include "magmadnn/linalg/batched_solve.h"

#include <fmt/format.h>

#include <vector>

#include "common.h"
#include "cpu/lapack.h"
#include "cpu/small_factor.h"
#include "cuda/batched_solve.h"
#include "magmadnn/core/error.h"

namespace magmadnn::linalg {

namespace {

constexpr index_t kSmall = 64;  // largest n for the one-thread-per-matrix kernels

void require_batch_of_square(const char* routine, const char* what, const Shape& s) {
    if (s.size() != 3 || s[1] != s[2]) {
        throw ShapeError(
            fmt::format("linalg::{}: {} must be a batch of square matrices {{batch, "
                        "n, n}}, got {}",
                        routine, what, to_string(s)));
    }
}

// nrhs of b {batch, n} or {batch, n, nrhs}.
index_t require_batch_rhs(const char* routine, const Shape& A, const Shape& b) {
    if ((b.size() != 2 && b.size() != 3) || b[0] != A[0] || b[1] != A[1]) {
        throw ShapeError(fmt::format(
            "linalg::{}: b {} does not fit A {}: need b {{{}, {}}} or {{{}, {}, nrhs}} (mismatched "
            "batch or rows)",
            routine, to_string(b), to_string(A), A[0], A[1], A[0], A[1]));
    }
    return b.size() == 2 ? 1 : b[2];
}

// Runs f(i) for every problem i, in parallel for small n; returns the first failing problem's
// (index, info), or (-1, 0).
template <typename F>
std::pair<index_t, index_t> for_each_problem(index_t batch, index_t n, F f) {
    std::vector<index_t> infos(static_cast<std::size_t>(batch), 0);
    if (n <= kSmall) {
#pragma omp parallel for schedule(static)
        for (index_t i = 0; i < batch; ++i) infos[i] = f(i);
    } else {
        for (index_t i = 0; i < batch; ++i) infos[i] = f(i);
    }
    for (index_t i = 0; i < batch; ++i) {
        if (infos[i] != 0) return {i, infos[i]};
    }
    return {-1, 0};
}

}  // namespace

template <typename T>
LUFactors<T> lu_factor_batched(const Tensor<T>& A) {
    const char* routine = "lu_factor_batched";
    require_batch_of_square(routine, "A", A.shape());
    detail::require_finite(routine, "A", A);
    const index_t batch = A.shape(0);
    const index_t n = A.shape(1);
    if (detail::on_device(routine, A)) {
#ifdef MAGMADNN_WITH_CUDA
        return cuda::lu_factor_batched(A);
#endif
    }
    LUFactors<T> f{A.clone(), Tensor<std::int32_t>({batch, n}, HOST)};
    T* a = f.lu.data();
    std::int32_t* p = f.pivots.data();
    const auto [bad, info] = for_each_problem(batch, n, [&](index_t i) -> index_t {
        if (n <= kSmall) return cpu::lu_small(n, a + i * n * n, p + i * n);
        std::vector<lapack_int> ipiv(static_cast<std::size_t>(n));
        const lapack_int r = lapack::getrf(static_cast<lapack_int>(n), a + i * n * n, ipiv.data());
        for (index_t j = 0; j < n; ++j) p[i * n + j] = static_cast<std::int32_t>(ipiv[j] - 1);
        return r;
    });
    if (bad >= 0) {
        throw NumericError(
            fmt::format("linalg::{}: matrix {} of A {} is singular: pivot U({}, {}) "
                        "is exactly zero",
                        routine, bad, to_string(A.shape()), info - 1, info - 1));
    }
    return f;
}

template <typename T>
Tensor<T> lu_solve_batched(const LUFactors<T>& f, const Tensor<T>& b, bool transpose) {
    const char* routine = "lu_solve_batched";
    require_batch_of_square(routine, "factors.lu", f.lu.shape());
    const index_t batch = f.lu.shape(0);
    const index_t n = f.lu.shape(1);
    if (f.pivots.shape() != Shape{batch, n}) {
        throw ShapeError(
            fmt::format("linalg::{}: pivots {} for factors.lu {}; pass the result of "
                        "lu_factor_batched unchanged",
                        routine, to_string(f.pivots.shape()), to_string(f.lu.shape())));
    }
    const index_t nrhs = require_batch_rhs(routine, f.lu.shape(), b.shape());
    detail::require_finite(routine, "b", b);
    if (detail::on_device(routine, f.lu, b)) {
#ifdef MAGMADNN_WITH_CUDA
        return cuda::lu_solve_batched(f, b, transpose);
#endif
    }
    Tensor<T> x = b.clone();
    const T* lu = f.lu.cdata();
    const Tensor<std::int32_t> piv = f.pivots.to(HOST);  // alive while p is used
    const std::int32_t* p = piv.cdata();
    T* px = x.data();
    for_each_problem(batch, n, [&](index_t i) -> index_t {
        if (n <= kSmall) {
            if (transpose) {
                cpu::lu_solve_small_transposed(n, nrhs, lu + i * n * n, p + i * n,
                                               px + i * n * nrhs);
            } else {
                cpu::lu_solve_small(n, nrhs, lu + i * n * n, p + i * n, px + i * n * nrhs);
            }
            return 0;
        }
        std::vector<lapack_int> ipiv(static_cast<std::size_t>(n));
        for (index_t j = 0; j < n; ++j) ipiv[j] = p[i * n + j] + 1;
        return lapack::getrs(static_cast<lapack_int>(n), static_cast<lapack_int>(nrhs),
                             lu + i * n * n, ipiv.data(), px + i * n * nrhs, transpose ? 'T' : 'N');
    });
    return x;
}

template <typename T>
Tensor<T> solve_batched(const Tensor<T>& A, const Tensor<T>& b) {
    const char* routine = "solve_batched";
    require_batch_of_square(routine, "A", A.shape());
    require_batch_rhs(routine, A.shape(), b.shape());
    detail::on_device(routine, A, b);
    if (A.memory() != HOST) {
#ifdef MAGMADNN_WITH_CUDA
        detail::require_finite(routine, "A", A);
        detail::require_finite(routine, "b", b);
        return cuda::solve_batched(A, b);
#endif
    }
    return lu_solve_batched(lu_factor_batched(A), b);
}

template <typename T>
Tensor<T> cholesky_batched(const Tensor<T>& A) {
    const char* routine = "cholesky_batched";
    require_batch_of_square(routine, "A", A.shape());
    detail::require_finite(routine, "A", A);
    const index_t batch = A.shape(0);
    const index_t n = A.shape(1);
    if (detail::on_device(routine, A)) {
#ifdef MAGMADNN_WITH_CUDA
        return cuda::cholesky_batched(A);
#endif
    }
    Tensor<T> L = A.clone();
    T* l = L.data();
    const auto [bad, info] = for_each_problem(batch, n, [&](index_t i) -> index_t {
        if (n <= kSmall) return cpu::cholesky_small(n, l + i * n * n);
        T* li = l + i * n * n;
        const lapack_int r = lapack::potrf(static_cast<lapack_int>(n), li);
        for (index_t row = 0; row < n; ++row) {
            for (index_t c = row + 1; c < n; ++c) li[row * n + c] = T(0);
        }
        return r;
    });
    if (bad >= 0) {
        throw NumericError(
            fmt::format("linalg::{}: matrix {} of A {} is not positive definite: "
                        "its leading minor of order {} is not positive",
                        routine, bad, to_string(A.shape()), info));
    }
    return L;
}

template <typename T>
Tensor<T> cholesky_solve_batched(const Tensor<T>& L, const Tensor<T>& b) {
    const char* routine = "cholesky_solve_batched";
    require_batch_of_square(routine, "L", L.shape());
    const index_t nrhs = require_batch_rhs(routine, L.shape(), b.shape());
    detail::require_finite(routine, "b", b);
    const index_t batch = L.shape(0);
    const index_t n = L.shape(1);
    if (detail::on_device(routine, L, b)) {
#ifdef MAGMADNN_WITH_CUDA
        return cuda::cholesky_solve_batched(L, b);
#endif
    }
    Tensor<T> x = b.clone();
    const T* l = L.cdata();
    T* px = x.data();
    for_each_problem(batch, n, [&](index_t i) -> index_t {
        if (n <= kSmall) {
            cpu::cholesky_solve_small(n, nrhs, l + i * n * n, px + i * n * nrhs);
            return 0;
        }
        return lapack::potrs(static_cast<lapack_int>(n), static_cast<lapack_int>(nrhs),
                             l + i * n * n, px + i * n * nrhs);
    });
    return x;
}

#define MAGMADNN_INSTANTIATE(T)                                                          \
    template LUFactors<T> lu_factor_batched<T>(const Tensor<T>&);                        \
    template Tensor<T> lu_solve_batched<T>(const LUFactors<T>&, const Tensor<T>&, bool); \
    template Tensor<T> solve_batched<T>(const Tensor<T>&, const Tensor<T>&);             \
    template Tensor<T> cholesky_batched<T>(const Tensor<T>&);                            \
    template Tensor<T> cholesky_solve_batched<T>(const Tensor<T>&, const Tensor<T>&);
MAGMADNN_INSTANTIATE(float)
MAGMADNN_INSTANTIATE(double)
#undef MAGMADNN_INSTANTIATE

}  // namespace magmadnn::linalg
