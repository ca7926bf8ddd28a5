// BLAS levels 1-3 on tensors: shape checks, then OpenBLAS on the host or cuBLAS on the GPU.
// GEMM itself is the backend's math::matmul (oneDNN / OpenBLAS / cuBLAS, chosen by measurement).
#include "magmadnn/linalg/blas.h"

#include <cblas.h>
#include <fmt/format.h>

#include "common.h"
#include "cuda/blas.h"
#include "magmadnn/backend/math.h"
#include "magmadnn/core/error.h"

namespace magmadnn::linalg {

namespace {

template <typename T>
void require_same_size(const char* routine, const Tensor<T>& x, const Tensor<T>& y) {
    if (x.size() != y.size()) {
        throw ShapeError(
            fmt::format("linalg::{}: x {} has {} elements, y {} has {}; they must "
                        "match",
                        routine, to_string(x.shape()), x.size(), to_string(y.shape()), y.size()));
    }
}

}  // namespace

template <typename T>
T dot(const Tensor<T>& x, const Tensor<T>& y) {
    require_same_size("dot", x, y);
    if (detail::on_device("dot", x, y)) {
#ifdef MAGMADNN_WITH_CUDA
        return cuda::dot(x.size(), x.cdevice_data(), y.cdevice_data());
#endif
    }
    const auto n = static_cast<blasint>(x.size());
    if constexpr (std::is_same_v<T, float>) {
        return cblas_sdot(n, x.cdata(), 1, y.cdata(), 1);
    } else {
        return cblas_ddot(n, x.cdata(), 1, y.cdata(), 1);
    }
}

template <typename T>
void axpy(T alpha, const Tensor<T>& x, Tensor<T>& y) {
    require_same_size("axpy", x, y);
    if (detail::on_device("axpy", x, y)) {
#ifdef MAGMADNN_WITH_CUDA
        cuda::axpy(x.size(), alpha, x.cdevice_data(), y.device_data());
#endif
        return;
    }
    const auto n = static_cast<blasint>(x.size());
    if constexpr (std::is_same_v<T, float>) {
        cblas_saxpy(n, alpha, x.cdata(), 1, y.data(), 1);
    } else {
        cblas_daxpy(n, alpha, x.cdata(), 1, y.data(), 1);
    }
}

template <typename T>
T nrm2(const Tensor<T>& x) {
    if (detail::on_device("nrm2", x)) {
#ifdef MAGMADNN_WITH_CUDA
        return cuda::nrm2(x.size(), x.cdevice_data());
#endif
    }
    const auto n = static_cast<blasint>(x.size());
    if constexpr (std::is_same_v<T, float>) {
        return cblas_snrm2(n, x.cdata(), 1);
    } else {
        return cblas_dnrm2(n, x.cdata(), 1);
    }
}

template <typename T>
void gemv(T alpha, const Tensor<T>& A, bool trans, const Tensor<T>& x, T beta, Tensor<T>& y) {
    detail::require_ndim("gemv", "A", A.shape(), 2);
    const index_t m = A.shape(0);
    const index_t n = A.shape(1);
    const index_t nx = trans ? m : n;
    const index_t ny = trans ? n : m;
    if (x.size() != nx || y.size() != ny) {
        throw ShapeError(
            fmt::format("linalg::gemv: op(A) is {{{}, {}}} (A {}{}), so x needs {} "
                        "elements and y {}; got x {} and y {}",
                        ny, nx, to_string(A.shape()), trans ? " transposed" : "", nx, ny,
                        to_string(x.shape()), to_string(y.shape())));
    }
    if (detail::on_device("gemv", A, x, y)) {
#ifdef MAGMADNN_WITH_CUDA
        cuda::gemv(trans, m, n, alpha, A.cdevice_data(), x.cdevice_data(), beta, y.device_data());
#endif
        return;
    }
    if (m == 0 || n == 0) {
        if (beta == T(0)) y.zero();
        return;
    }
    const auto t = trans ? CblasTrans : CblasNoTrans;
    const auto bm = static_cast<blasint>(m);
    const auto bn = static_cast<blasint>(n);
    if constexpr (std::is_same_v<T, float>) {
        cblas_sgemv(CblasRowMajor, t, bm, bn, alpha, A.cdata(), bn, x.cdata(), 1, beta, y.data(),
                    1);
    } else {
        cblas_dgemv(CblasRowMajor, t, bm, bn, alpha, A.cdata(), bn, x.cdata(), 1, beta, y.data(),
                    1);
    }
}

template <typename T>
Tensor<T> gemv(const Tensor<T>& A, const Tensor<T>& x, bool trans) {
    detail::require_ndim("gemv", "A", A.shape(), 2);
    Tensor<T> y({trans ? A.shape(1) : A.shape(0)}, A.memory());
    gemv(T(1), A, trans, x, T(0), y);
    return y;
}

template <typename T>
void gemm(T alpha, const Tensor<T>& A, bool trans_a, const Tensor<T>& B, bool trans_b, T beta,
          Tensor<T>& C) {
    detail::on_device("gemm", A, B, C);
    math::matmul(alpha, A, trans_a, B, trans_b, beta, C);
}

template <typename T>
Tensor<T> gemm(const Tensor<T>& A, const Tensor<T>& B, bool trans_a, bool trans_b) {
    detail::on_device("gemm", A, B);
    return math::matmul(A, B, trans_a, trans_b);
}

#define MAGMADNN_INSTANTIATE(T)                                                              \
    template T dot<T>(const Tensor<T>&, const Tensor<T>&);                                   \
    template void axpy<T>(T, const Tensor<T>&, Tensor<T>&);                                  \
    template T nrm2<T>(const Tensor<T>&);                                                    \
    template void gemv<T>(T, const Tensor<T>&, bool, const Tensor<T>&, T, Tensor<T>&);       \
    template Tensor<T> gemv<T>(const Tensor<T>&, const Tensor<T>&, bool);                    \
    template void gemm<T>(T, const Tensor<T>&, bool, const Tensor<T>&, bool, T, Tensor<T>&); \
    template Tensor<T> gemm<T>(const Tensor<T>&, const Tensor<T>&, bool, bool);
MAGMADNN_INSTANTIATE(float)
MAGMADNN_INSTANTIATE(double)
#undef MAGMADNN_INSTANTIATE

}  // namespace magmadnn::linalg
