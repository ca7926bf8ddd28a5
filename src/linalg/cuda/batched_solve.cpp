// Batched solvers on the GPU. Each row-major matrix is the column-major transpose: solve_batched
// factors the transposes in place and solves with op = T; lu_factor_batched transposes explicitly
// to return P A = L U as the host does.
#include "batched_solve.h"

#include <fmt/format.h>

#include <vector>

#include "../common.h"
#include "handles.h"
#include "kernels.h"
#include "magmadnn/core/error.h"

namespace magmadnn::linalg::cuda {

namespace {

// cuBLAS / cuSOLVER's batched LU and Cholesky take int extents and counts; every shape passes
// require_int first.
int as_int(index_t v) { return static_cast<int>(v); }

void require_int(const char* routine, const char* what, const Shape& shape) {
    detail::require_int_extents(routine, what, shape, "the batched cuBLAS / cuSOLVER");
}

template <typename T>
std::vector<T*> matrix_pointers(Tensor<T>& t, index_t per) {
    std::vector<T*> p(static_cast<std::size_t>(t.shape(0)));
    T* base = t.device_data();
    for (std::size_t i = 0; i < p.size(); ++i) p[i] = base + static_cast<index_t>(i) * per;
    return p;
}

template <typename T>
Tensor<T> transposed(const Tensor<T>& x) {  // {batch, r, c} -> {batch, c, r}
    Tensor<T> out({x.shape(0), x.shape(2), x.shape(1)}, x.memory());
    transpose_batched(x.shape(0), x.shape(1), x.shape(2), x.cdevice_data(), out.device_data());
    return out;
}

// b {batch, n} or {batch, n, nrhs} as column-major {n, nrhs} blocks.
template <typename T>
Tensor<T> rhs_col_major(const Tensor<T>& b) {
    return b.ndim() == 2 ? b.clone() : transposed(b);
}
template <typename T>
Tensor<T> rhs_row_major(const Tensor<T>& c, const Shape& shape) {
    return shape.size() == 2 ? c : transposed(c);
}

void check_infos(const char* routine, const Tensor<std::int32_t>& info, const Shape& shape,
                 bool cholesky) {
    const std::vector<std::int32_t> v = info.to_vector();
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (v[i] < 0)
            detail::lapack_failed(routine, cholesky ? "potrfBatched" : "getrfBatched", v[i]);
        if (v[i] > 0) {
            throw NumericError(
                cholesky ? fmt::format("linalg::{}: matrix {} of A {} is not positive definite: "
                                       "its leading minor of order {} is not positive",
                                       routine, i, to_string(shape), v[i])
                         : fmt::format("linalg::{}: matrix {} of A {} is singular: pivot U({}, {}) "
                                       "is exactly zero",
                                       routine, i, to_string(shape), v[i] - 1, v[i] - 1));
        }
    }
}

template <typename T>
void getrf_batched(Tensor<T>& a, Tensor<std::int32_t>& ipiv, Tensor<std::int32_t>& info) {
    const int n = as_int(a.shape(1));
    const auto ptrs = device_array(matrix_pointers(a, a.shape(1) * a.shape(2)));
    auto* pa = static_cast<T* const*>(ptrs->device_write());
    if constexpr (std::is_same_v<T, float>) {
        check(cublasSgetrfBatched(cublas(), n, pa, n, ipiv.device_data(), info.device_data(),
                                  as_int(a.shape(0))),
              "cublasSgetrfBatched");
    } else {
        check(cublasDgetrfBatched(cublas(), n, pa, n, ipiv.device_data(), info.device_data(),
                                  as_int(a.shape(0))),
              "cublasDgetrfBatched");
    }
}

template <typename T>
void getrs_batched(const char* routine, cublasOperation_t op, Tensor<T>& a,
                   const Tensor<std::int32_t>& ipiv, Tensor<T>& x, index_t nrhs) {
    const int n = as_int(a.shape(1));
    const auto pa_store = device_array(matrix_pointers(a, a.shape(1) * a.shape(2)));
    const index_t per = x.size() / x.shape(0);
    const auto px_store = device_array(matrix_pointers(x, per));
    const auto* pa = static_cast<const T* const*>(pa_store->device_read());
    auto* px = static_cast<T* const*>(px_store->device_write());
    int info = 0;
    if constexpr (std::is_same_v<T, float>) {
        check(cublasSgetrsBatched(cublas(), op, n, as_int(nrhs), pa, n, ipiv.cdevice_data(), px, n,
                                  &info, as_int(a.shape(0))),
              "cublasSgetrsBatched");
    } else {
        check(cublasDgetrsBatched(cublas(), op, n, as_int(nrhs), pa, n, ipiv.cdevice_data(), px, n,
                                  &info, as_int(a.shape(0))),
              "cublasDgetrsBatched");
    }
    if (info < 0) detail::lapack_failed(routine, "getrsBatched", info);  // a host-side check
}

memory_t gpu_side(memory_t m) { return m == HOST ? DEVICE : m; }

}  // namespace

template <typename T>
LUFactors<T> lu_factor_batched(const Tensor<T>& A) {
    require_int("lu_factor_batched", "A", A.shape());
    const index_t batch = A.shape(0);
    const index_t n = A.shape(1);
    if (batch == 0 || n == 0) return {A.clone(), Tensor<std::int32_t>({batch, n}, A.memory())};
    Tensor<T> a = transposed(A);
    Tensor<std::int32_t> ipiv({batch, n}, gpu_side(A.memory()));
    Tensor<std::int32_t> info({batch}, gpu_side(A.memory()));
    getrf_batched(a, ipiv, info);
    check_infos("lu_factor_batched", info, A.shape(), false);
    Tensor<std::int32_t> piv = ipiv.to(HOST);
    for (index_t i = 0; i < piv.size(); ++i) piv.data()[i] -= 1;
    return {transposed(a), piv.to(A.memory())};
}

template <typename T>
Tensor<T> lu_solve_batched(const LUFactors<T>& f, const Tensor<T>& b, bool transpose) {
    require_int("lu_solve_batched", "b", b.shape());
    const index_t nrhs = b.ndim() == 2 ? 1 : b.shape(2);
    if (b.size() == 0) return b.clone();  // no problems, no unknowns or no right-hand sides
    Tensor<T> a = transposed(f.lu);
    Tensor<std::int32_t> piv = f.pivots.to(HOST, true);
    for (index_t i = 0; i < piv.size(); ++i) piv.data()[i] += 1;
    const Tensor<std::int32_t> ipiv = piv.to(a.memory());
    Tensor<T> x = rhs_col_major(b);
    getrs_batched("lu_solve_batched", transpose ? CUBLAS_OP_T : CUBLAS_OP_N, a, ipiv, x, nrhs);
    return rhs_row_major(x, b.shape());
}

template <typename T>
Tensor<T> solve_batched(const Tensor<T>& A, const Tensor<T>& b) {
    require_int("solve_batched", "A", A.shape());
    require_int("solve_batched", "b", b.shape());
    const index_t batch = A.shape(0);
    const index_t n = A.shape(1);
    const index_t nrhs = b.ndim() == 2 ? 1 : b.shape(2);
    if (b.size() == 0) return b.clone();
    Tensor<T> a = A.clone();  // column-major A^T
    Tensor<std::int32_t> ipiv({batch, n}, gpu_side(A.memory()));
    Tensor<std::int32_t> info({batch}, gpu_side(A.memory()));
    getrf_batched(a, ipiv, info);
    check_infos("solve_batched", info, A.shape(), false);
    Tensor<T> x = rhs_col_major(b);
    getrs_batched("solve_batched", CUBLAS_OP_T, a, ipiv, x, nrhs);
    return rhs_row_major(x, b.shape());
}

template <typename T>
Tensor<T> cholesky_batched(const Tensor<T>& A) {
    require_int("cholesky_batched", "A", A.shape());
    const index_t batch = A.shape(0);
    const int n = as_int(A.shape(1));
    if (batch == 0 || n == 0) return A.clone();
    Tensor<T> a = A.clone();  // A's lower triangle is the transpose's upper one
    Tensor<std::int32_t> info({batch}, gpu_side(A.memory()));
    const auto store = device_array(matrix_pointers(a, A.shape(1) * A.shape(1)));
    auto** pa = static_cast<T**>(store->device_write());
    if constexpr (std::is_same_v<T, float>) {
        check(cusolverDnSpotrfBatched(cusolver(), CUBLAS_FILL_MODE_UPPER, n, pa, n,
                                      info.device_data(), as_int(batch)),
              "cusolverDnSpotrfBatched");
    } else {
        check(cusolverDnDpotrfBatched(cusolver(), CUBLAS_FILL_MODE_UPPER, n, pa, n,
                                      info.device_data(), as_int(batch)),
              "cusolverDnDpotrfBatched");
    }
    check_infos("cholesky_batched", info, A.shape(), true);
    zero_triangle(batch, A.shape(1), A.shape(1), a.device_data(), true);
    return a;
}

template <typename T>
Tensor<T> cholesky_solve_batched(const Tensor<T>& L, const Tensor<T>& b) {
    require_int("cholesky_solve_batched", "b", b.shape());
    const index_t batch = L.shape(0);
    const int n = as_int(L.shape(1));
    const index_t nrhs = b.ndim() == 2 ? 1 : b.shape(2);
    if (b.size() == 0) return b.clone();
    // Row-major L is the column-major upper U = L^T: solve U^T y = b, then U x = y.
    Tensor<T> l = L;
    Tensor<T> x = rhs_col_major(b);
    const auto ls = device_array(matrix_pointers(l, L.shape(1) * L.shape(1)));
    const auto xs = device_array(matrix_pointers(x, x.size() / batch));
    const auto* pl = static_cast<const T* const*>(ls->device_read());
    auto* px = static_cast<T* const*>(xs->device_write());
    const T one = T(1);
    for (cublasOperation_t op : {CUBLAS_OP_T, CUBLAS_OP_N}) {
        if constexpr (std::is_same_v<T, float>) {
            check(cublasStrsmBatched(cublas(), CUBLAS_SIDE_LEFT, CUBLAS_FILL_MODE_UPPER, op,
                                     CUBLAS_DIAG_NON_UNIT, n, as_int(nrhs), &one, pl, n, px, n,
                                     as_int(batch)),
                  "cublasStrsmBatched");
        } else {
            check(cublasDtrsmBatched(cublas(), CUBLAS_SIDE_LEFT, CUBLAS_FILL_MODE_UPPER, op,
                                     CUBLAS_DIAG_NON_UNIT, n, as_int(nrhs), &one, pl, n, px, n,
                                     as_int(batch)),
                  "cublasDtrsmBatched");
        }
    }
    return rhs_row_major(x, b.shape());
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

}  // namespace magmadnn::linalg::cuda
