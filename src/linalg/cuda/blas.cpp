// cuBLAS levels 1-2 through the 64-bit interface (cublas<T>dot_64, ...): a GPU holds vectors
// past 2^31 elements, which the int interface would silently cut. A row-major {m, n} matrix is
// the column-major {n, m} matrix A^T, so op(A) x is cuBLAS's gemv with the opposite transpose
// flag.
#include "blas.h"

#include <algorithm>

#include "handles.h"

namespace magmadnn::linalg::cuda {

template <>
float dot<float>(index_t n, const float* x, const float* y) {
    float r = 0;
    check(cublasSdot_64(cublas(), n, x, 1, y, 1, &r), "cublasSdot_64");
    return r;
}
template <>
double dot<double>(index_t n, const double* x, const double* y) {
    double r = 0;
    check(cublasDdot_64(cublas(), n, x, 1, y, 1, &r), "cublasDdot_64");
    return r;
}

template <>
void axpy<float>(index_t n, float alpha, const float* x, float* y) {
    check(cublasSaxpy_64(cublas(), n, &alpha, x, 1, y, 1), "cublasSaxpy_64");
}
template <>
void axpy<double>(index_t n, double alpha, const double* x, double* y) {
    check(cublasDaxpy_64(cublas(), n, &alpha, x, 1, y, 1), "cublasDaxpy_64");
}

template <>
float nrm2<float>(index_t n, const float* x) {
    float r = 0;
    check(cublasSnrm2_64(cublas(), n, x, 1, &r), "cublasSnrm2_64");
    return r;
}
template <>
double nrm2<double>(index_t n, const double* x) {
    double r = 0;
    check(cublasDnrm2_64(cublas(), n, x, 1, &r), "cublasDnrm2_64");
    return r;
}

// cuBLAS wants lda >= 1 also for an empty matrix.
template <>
void gemv<float>(bool trans, index_t m, index_t n, float alpha, const float* A, const float* x,
                 float beta, float* y) {
    check(cublasSgemv_64(cublas(), trans ? CUBLAS_OP_N : CUBLAS_OP_T, n, m, &alpha, A,
                         std::max<index_t>(n, 1), x, 1, &beta, y, 1),
          "cublasSgemv_64");
}
template <>
void gemv<double>(bool trans, index_t m, index_t n, double alpha, const double* A, const double* x,
                  double beta, double* y) {
    check(cublasDgemv_64(cublas(), trans ? CUBLAS_OP_N : CUBLAS_OP_T, n, m, &alpha, A,
                         std::max<index_t>(n, 1), x, 1, &beta, y, 1),
          "cublasDgemv_64");
}

}  // namespace magmadnn::linalg::cuda
