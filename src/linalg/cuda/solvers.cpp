// cuSOLVER solvers on row-major tensors. A row-major {m, n} buffer is the column-major {n, m}
// matrix A^T: solve() factors that transpose in place and solves with op = T; symmetric
// routines read the lower triangle of A as the upper triangle of the transpose; the others
// transpose explicitly with cublas geam.
#include "solvers.h"

#include <fmt/format.h>

#include <vector>

#include "../common.h"
#include "kernels.h"
#include "magmadnn/backend/math.h"
#include "magmadnn/core/error.h"
#include "overloads.h"

namespace magmadnn::linalg::cuda {

namespace {

// cuSOLVER's legacy interface takes int extents; every shape passes require_int first.
int as_int(index_t v) { return static_cast<int>(v); }

void require_int(const char* routine, const char* what, const Shape& shape) {
    detail::require_int_extents(routine, what, shape, "cuSOLVER");
}

// Reads a cuSOLVER info back (one sync): < 0 names a bad argument, a bug in magmadnn.
int checked_info(const char* routine, const char* call, const Tensor<std::int32_t>& info) {
    const int i = read_info(info.cdevice_data());
    if (i < 0) detail::lapack_failed(routine, call, i);
    return i;
}

template <typename T>
Tensor<T> workspace(int lwork, memory_t memory) {
    return Tensor<T>({lwork > 0 ? lwork : 1}, memory == HOST ? DEVICE : memory);
}

// b {n} or {n, nrhs} -> column-major {n, nrhs} (a fresh device tensor).
template <typename T>
Tensor<T> to_col_major(const Tensor<T>& b) {
    if (b.ndim() == 1) return b.clone();
    return math::transpose(b);
}
template <typename T>
Tensor<T> from_col_major(const Tensor<T>& c, const Shape& shape) {
    if (shape.size() == 1) return c;
    return math::transpose(c.reshape({shape[1], shape[0]}));
}

}  // namespace

template <typename T>
LUFactors<T> lu_factor(const Tensor<T>& A) {
    require_int("lu_factor", "A", A.shape());
    const int n = as_int(A.shape(0));
    if (n == 0) return {A.clone(), Tensor<std::int32_t>({0}, A.memory())};
    Tensor<T> a = math::transpose(A);  // column-major A
    Tensor<T> work = workspace<T>(cu::getrf_buffer(n, a.device_data()), A.memory());
    Tensor<std::int32_t> ipiv({std::max(n, 1)}, work.memory());
    Tensor<std::int32_t> info({1}, work.memory());
    cu::getrf(n, a.device_data(), work.device_data(), ipiv.device_data(), info.device_data());
    const int i = checked_info("lu_factor", "getrf", info);
    if (i > 0) detail::singular("lu_factor", "A", A.shape(), i - 1);
    std::vector<std::int32_t> p = ipiv.to_vector();
    Tensor<std::int32_t> piv({n}, HOST);
    for (int k = 0; k < n; ++k) piv.data()[k] = p[static_cast<std::size_t>(k)] - 1;
    return {math::transpose(a), piv.to(A.memory())};
}

template <typename T>
Tensor<T> lu_solve(const LUFactors<T>& f, const Tensor<T>& b, bool transpose) {
    require_int("lu_solve", "b", b.shape());
    const int n = as_int(f.lu.shape(0));
    const int nrhs = as_int(b.ndim() == 1 ? 1 : b.shape(1));
    if (n == 0 || nrhs == 0) return b.clone();
    const Tensor<T> a = math::transpose(f.lu);
    const std::vector<std::int32_t> p = f.pivots.to_vector();
    Tensor<std::int32_t> ipiv({std::max(n, 1)}, HOST);
    for (int k = 0; k < n; ++k) ipiv.data()[k] = p[static_cast<std::size_t>(k)] + 1;
    const Tensor<std::int32_t> dipiv = ipiv.to(a.memory());
    Tensor<T> x = to_col_major(b);
    Tensor<std::int32_t> info({1}, a.memory());
    cu::getrs(transpose ? CUBLAS_OP_T : CUBLAS_OP_N, n, nrhs, a.cdevice_data(),
              dipiv.cdevice_data(), x.device_data(), info.device_data());
    checked_info("lu_solve", "getrs", info);
    return from_col_major(x, b.shape());
}

template <typename T>
Tensor<T> solve(const Tensor<T>& A, const Tensor<T>& b) {
    require_int("solve", "A", A.shape());
    require_int("solve", "b", b.shape());
    const int n = as_int(A.shape(0));
    const int nrhs = as_int(b.ndim() == 1 ? 1 : b.shape(1));
    if (n == 0 || nrhs == 0) return b.clone();
    Tensor<T> a = A.clone();  // column-major A^T
    Tensor<T> work = workspace<T>(cu::getrf_buffer(n, a.device_data()), A.memory());
    Tensor<std::int32_t> ipiv({std::max(n, 1)}, work.memory());
    Tensor<std::int32_t> info({1}, work.memory());
    cu::getrf(n, a.device_data(), work.device_data(), ipiv.device_data(), info.device_data());
    const int i = checked_info("solve", "getrf", info);
    if (i > 0) detail::singular("solve", "A", A.shape(), i - 1);
    Tensor<T> x = to_col_major(b);
    cu::getrs(CUBLAS_OP_T, n, nrhs, a.cdevice_data(), ipiv.cdevice_data(), x.device_data(),
              info.device_data());
    checked_info("solve", "getrs", info);
    return from_col_major(x, b.shape());
}

template <typename T>
Tensor<T> cholesky(const Tensor<T>& A) {
    require_int("cholesky", "A", A.shape());
    const int n = as_int(A.shape(0));
    // A's lower triangle is the upper triangle of the column-major transpose; potrf(upper) gives
    // U with A = U^T U, and U read row-major is L = U^T.
    if (n == 0) return A.clone();
    Tensor<T> a = A.clone();
    Tensor<T> work =
        workspace<T>(cu::potrf_buffer(CUBLAS_FILL_MODE_UPPER, n, a.device_data()), A.memory());
    Tensor<std::int32_t> info({1}, work.memory());
    cu::potrf(CUBLAS_FILL_MODE_UPPER, n, a.device_data(), work.device_data(), as_int(work.size()),
              info.device_data());
    const int i = checked_info("cholesky", "potrf", info);
    if (i > 0) detail::not_positive_definite("cholesky", "A", A.shape(), i);
    zero_triangle(1, n, n, a.device_data(), true);
    return a;
}

template <typename T>
Tensor<T> cholesky_solve(const Tensor<T>& L, const Tensor<T>& b) {
    require_int("cholesky_solve", "L", L.shape());
    require_int("cholesky_solve", "b", b.shape());
    const int n = as_int(L.shape(0));
    const int nrhs = as_int(b.ndim() == 1 ? 1 : b.shape(1));
    if (n == 0 || nrhs == 0) return b.clone();
    Tensor<T> x = to_col_major(b);
    Tensor<std::int32_t> info({1}, L.memory() == HOST ? DEVICE : L.memory());
    cu::potrs(CUBLAS_FILL_MODE_UPPER, n, nrhs, L.cdevice_data(), x.device_data(),
              info.device_data());
    checked_info("cholesky_solve", "potrs", info);
    return from_col_major(x, b.shape());
}

template <typename T>
Tensor<T> lstsq(const Tensor<T>& A, const Tensor<T>& b) {
    require_int("lstsq", "A", A.shape());
    require_int("lstsq", "b", b.shape());
    const int m = as_int(A.shape(0));
    const int n = as_int(A.shape(1));
    const int nrhs = as_int(b.ndim() == 1 ? 1 : b.shape(1));
    if (m < n) {
        throw UnsupportedError(fmt::format(
            "linalg::lstsq: underdetermined A {} on the GPU is not supported; pass HOST tensors "
            "for the minimum-norm solution",
            to_string(A.shape())));
    }
    if (n == 0 || nrhs == 0) {  // x {n, ...}: nothing to solve for, or no right-hand sides
        Shape xs = b.shape();
        xs[0] = n;
        return Tensor<T>(xs, A.memory());
    }
    Tensor<T> a = math::transpose(A);  // column-major A {m, n}
    Tensor<T> tau({std::max(n, 1)}, a.memory());
    Tensor<T> c = to_col_major(b);  // column-major {m, nrhs}
    const int lw = std::max(
        cu::geqrf_buffer(m, n, a.device_data()),
        cu::ormqr_buffer(m, nrhs, n, a.cdevice_data(), tau.cdevice_data(), c.cdevice_data()));
    Tensor<T> work = workspace<T>(lw, a.memory());
    Tensor<std::int32_t> info({1}, a.memory());
    cu::geqrf(m, n, a.device_data(), tau.device_data(), work.device_data(), lw, info.device_data());
    checked_info("lstsq", "geqrf", info);
    // As LAPACK's gels: an exactly zero diagonal element of R cannot be solved with (trsm would
    // divide by it and return inf / NaN).
    const index_t zero = first_zero_diagonal(n, a.cdevice_data(), m);
    if (zero >= 0) detail::rank_deficient("lstsq", "A", A.shape(), static_cast<long>(zero));
    cu::ormqr(m, nrhs, n, a.cdevice_data(), tau.cdevice_data(), c.device_data(), work.device_data(),
              lw, info.device_data());
    checked_info("lstsq", "ormqr", info);
    cu::trsm_upper(n, nrhs, a.cdevice_data(), m, c.device_data(), m);
    Shape xs = b.shape();
    xs[0] = n;
    Tensor<T> x(xs, a.memory());
    if (nrhs == 1) {
        x.copy_from(c.reshape({m}).slice(0, n));
    } else {
        cu::transpose(nrhs, n, c.cdevice_data(), m, x.device_data(), nrhs);
    }
    return x;
}

template <typename T>
QRResult<T> qr(const Tensor<T>& A) {
    require_int("qr", "A", A.shape());
    const int m = as_int(A.shape(0));
    const int n = as_int(A.shape(1));
    const int k = std::min(m, n);
    Tensor<T> a = math::transpose(A);  // column-major A {m, n}
    QRResult<T> out{Tensor<T>({m, k}, a.memory()), Tensor<T>({k, n}, a.memory())};
    if (k == 0) return out;  // before the buffer queries: cuSOLVER rejects lda = 0
    Tensor<T> tau({std::max(k, 1)}, a.memory());
    const int lw = std::max(cu::geqrf_buffer(m, n, a.device_data()),
                            cu::orgqr_buffer(m, k, a.cdevice_data(), tau.cdevice_data()));
    Tensor<T> work = workspace<T>(lw, a.memory());
    Tensor<std::int32_t> info({1}, a.memory());
    cu::geqrf(m, n, a.device_data(), tau.device_data(), work.device_data(), lw, info.device_data());
    checked_info("qr", "geqrf", info);
    // R row-major {k, n} = the transpose of the first k rows of the column-major factor.
    cu::transpose(n, k, a.cdevice_data(), m, out.R.device_data(), n);
    zero_triangle(1, k, n, out.R.device_data(), false);
    cu::orgqr(m, k, a.device_data(), tau.cdevice_data(), work.device_data(), lw,
              info.device_data());
    checked_info("qr", "orgqr", info);
    cu::transpose(k, m, a.cdevice_data(), m, out.Q.device_data(), k);
    return out;
}

template <typename T>
EighResult<T> eigh(const Tensor<T>& S) {
    require_int("eigh", "S", S.shape());
    const int n = as_int(S.shape(0));
    if (n == 0) return {Tensor<T>({0}, S.memory()), S.clone()};
    Tensor<T> a = S.clone();  // S's lower triangle = the transpose's upper triangle
    Tensor<T> w({n}, a.memory());
    const int lw = cu::syevd_buffer(n, a.cdevice_data(), w.cdevice_data());
    Tensor<T> work = workspace<T>(lw, a.memory());
    Tensor<std::int32_t> info({1}, a.memory());
    cu::syevd(n, a.device_data(), w.device_data(), work.device_data(), lw, info.device_data());
    const int i = checked_info("eigh", "syevd", info);
    if (i > 0) {
        throw NumericError(
            fmt::format("linalg::eigh: cusolver syevd did not converge for S {} "
                        "(info {})",
                        to_string(S.shape()), i));
    }
    // Column-major eigenvector columns read row-major are V^T.
    return {w, math::transpose(a)};
}

template <typename T>
SVDResult<T> svd(const Tensor<T>& A) {
    require_int("svd", "A", A.shape());
    const int m = as_int(A.shape(0));
    const int n = as_int(A.shape(1));
    const int k = std::min(m, n);
    if (k == 0) {
        return {Tensor<T>({m, 0}, A.memory()), Tensor<T>({0}, A.memory()),
                Tensor<T>({0, n}, A.memory())};
    }
    Tensor<T> a = math::transpose(A);  // column-major A {m, n}
    Tensor<T> s({k}, a.memory());
    Tensor<T> u({std::max(m * k, 1)}, a.memory());  // column-major {m, k}
    Tensor<T> v({std::max(n * k, 1)}, a.memory());  // column-major {n, k} = row-major Vt {k, n}
    gesvdjInfo_t params = nullptr;
    check(cusolverDnCreateGesvdjInfo(&params), "cusolverDnCreateGesvdjInfo");
    struct Guard {
        gesvdjInfo_t p;
        ~Guard() { cusolverDnDestroyGesvdjInfo(p); }
    } guard{params};
    const int lw = cu::gesvdj_buffer(m, n, a.cdevice_data(), s.cdevice_data(), u.cdevice_data(),
                                     v.cdevice_data(), params);
    Tensor<T> work = workspace<T>(lw, a.memory());
    Tensor<std::int32_t> info({1}, a.memory());
    cu::gesvdj(m, n, a.device_data(), s.device_data(), u.device_data(), v.device_data(),
               work.device_data(), lw, info.device_data(), params);
    const int i = checked_info("svd", "gesvdj", info);
    if (i > 0) {
        throw NumericError(
            fmt::format("linalg::svd: cusolver gesvdj did not converge for A {} "
                        "(info {})",
                        to_string(A.shape()), i));
    }
    SVDResult<T> out{Tensor<T>({m, k}, a.memory()), s, v.slice(0, n * k).reshape({k, n})};
    cu::transpose(k, m, u.cdevice_data(), m, out.U.device_data(), k);
    return out;
}

#define MAGMADNN_INSTANTIATE(T)                                                  \
    template LUFactors<T> lu_factor<T>(const Tensor<T>&);                        \
    template Tensor<T> lu_solve<T>(const LUFactors<T>&, const Tensor<T>&, bool); \
    template Tensor<T> solve<T>(const Tensor<T>&, const Tensor<T>&);             \
    template Tensor<T> cholesky<T>(const Tensor<T>&);                            \
    template Tensor<T> cholesky_solve<T>(const Tensor<T>&, const Tensor<T>&);    \
    template Tensor<T> lstsq<T>(const Tensor<T>&, const Tensor<T>&);             \
    template QRResult<T> qr<T>(const Tensor<T>&);                                \
    template EighResult<T> eigh<T>(const Tensor<T>&);                            \
    template SVDResult<T> svd<T>(const Tensor<T>&);
MAGMADNN_INSTANTIATE(float)
MAGMADNN_INSTANTIATE(double)
#undef MAGMADNN_INSTANTIATE

}  // namespace magmadnn::linalg::cuda
