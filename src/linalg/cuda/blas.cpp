// cuBLAS levels 1-2. A row-major {m, n} matrix is the column-major {n, m} matrix A^T, so
// op(A) x is cuBLAS's gemv with the opposite transpose flag.
#include "blas.h"

#include "handles.h"

namespace magmadnn::linalg::cuda {

template <>
float dot<float>(index_t n, const float* x, const float* y) {
    float r = 0;
    check(cublasSdot(cublas(), static_cast<int>(n), x, 1, y, 1, &r), "cublasSdot");
    return r;
}
template <>
double dot<double>(index_t n, const double* x, const double* y) {
    double r = 0;
    check(cublasDdot(cublas(), static_cast<int>(n), x, 1, y, 1, &r), "cublasDdot");
    return r;
}

template <>
void axpy<float>(index_t n, float alpha, const float* x, float* y) {
    check(cublasSaxpy(cublas(), static_cast<int>(n), &alpha, x, 1, y, 1), "cublasSaxpy");
}
template <>
void axpy<double>(index_t n, double alpha, const double* x, double* y) {
    check(cublasDaxpy(cublas(), static_cast<int>(n), &alpha, x, 1, y, 1), "cublasDaxpy");
}

template <>
float nrm2<float>(index_t n, const float* x) {
    float r = 0;
    check(cublasSnrm2(cublas(), static_cast<int>(n), x, 1, &r), "cublasSnrm2");
    return r;
}
template <>
double nrm2<double>(index_t n, const double* x) {
    double r = 0;
    check(cublasDnrm2(cublas(), static_cast<int>(n), x, 1, &r), "cublasDnrm2");
    return r;
}

template <>
void gemv<float>(bool trans, index_t m, index_t n, float alpha, const float* A, const float* x,
                 float beta, float* y) {
    check(cublasSgemv(cublas(), trans ? CUBLAS_OP_N : CUBLAS_OP_T, static_cast<int>(n),
                      static_cast<int>(m), &alpha, A, static_cast<int>(n), x, 1, &beta, y, 1),
          "cublasSgemv");
}
template <>
void gemv<double>(bool trans, index_t m, index_t n, double alpha, const double* A, const double* x,
                  double beta, double* y) {
    check(cublasDgemv(cublas(), trans ? CUBLAS_OP_N : CUBLAS_OP_T, static_cast<int>(n),
                      static_cast<int>(m), &alpha, A, static_cast<int>(n), x, 1, &beta, y, 1),
          "cublasDgemv");
}

}  // namespace magmadnn::linalg::cuda
