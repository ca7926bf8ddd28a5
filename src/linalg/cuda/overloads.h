#pragma once
// Private (CUDA builds only): cuSOLVER / cuBLAS overloads for float and double, so templates
// call one name per routine. Column-major, as the libraries are.
#ifdef MAGMADNN_WITH_CUDA
#include "handles.h"

namespace magmadnn::linalg::cuda::cu {

inline int getrf_buffer(int n, float* a) {
    int lw = 0;
    check(cusolverDnSgetrf_bufferSize(cusolver(), n, n, a, n, &lw), "cusolverDnSgetrf_bufferSize");
    return lw;
}
inline int getrf_buffer(int n, double* a) {
    int lw = 0;
    check(cusolverDnDgetrf_bufferSize(cusolver(), n, n, a, n, &lw), "cusolverDnDgetrf_bufferSize");
    return lw;
}
inline void getrf(int n, float* a, float* work, int* ipiv, int* info) {
    check(cusolverDnSgetrf(cusolver(), n, n, a, n, work, ipiv, info), "cusolverDnSgetrf");
}
inline void getrf(int n, double* a, double* work, int* ipiv, int* info) {
    check(cusolverDnDgetrf(cusolver(), n, n, a, n, work, ipiv, info), "cusolverDnDgetrf");
}
inline void getrs(cublasOperation_t op, int n, int nrhs, const float* a, const int* ipiv, float* b,
                  int* info) {
    check(cusolverDnSgetrs(cusolver(), op, n, nrhs, a, n, ipiv, b, n, info), "cusolverDnSgetrs");
}
inline void getrs(cublasOperation_t op, int n, int nrhs, const double* a, const int* ipiv,
                  double* b, int* info) {
    check(cusolverDnDgetrs(cusolver(), op, n, nrhs, a, n, ipiv, b, n, info), "cusolverDnDgetrs");
}

inline int potrf_buffer(cublasFillMode_t uplo, int n, float* a) {
    int lw = 0;
    check(cusolverDnSpotrf_bufferSize(cusolver(), uplo, n, a, n, &lw),
          "cusolverDnSpotrf_bufferSize");
    return lw;
}
inline int potrf_buffer(cublasFillMode_t uplo, int n, double* a) {
    int lw = 0;
    check(cusolverDnDpotrf_bufferSize(cusolver(), uplo, n, a, n, &lw),
          "cusolverDnDpotrf_bufferSize");
    return lw;
}
inline void potrf(cublasFillMode_t uplo, int n, float* a, float* work, int lw, int* info) {
    check(cusolverDnSpotrf(cusolver(), uplo, n, a, n, work, lw, info), "cusolverDnSpotrf");
}
inline void potrf(cublasFillMode_t uplo, int n, double* a, double* work, int lw, int* info) {
    check(cusolverDnDpotrf(cusolver(), uplo, n, a, n, work, lw, info), "cusolverDnDpotrf");
}
inline void potrs(cublasFillMode_t uplo, int n, int nrhs, const float* a, float* b, int* info) {
    check(cusolverDnSpotrs(cusolver(), uplo, n, nrhs, a, n, b, n, info), "cusolverDnSpotrs");
}
inline void potrs(cublasFillMode_t uplo, int n, int nrhs, const double* a, double* b, int* info) {
    check(cusolverDnDpotrs(cusolver(), uplo, n, nrhs, a, n, b, n, info), "cusolverDnDpotrs");
}

inline int geqrf_buffer(int m, int n, float* a) {
    int lw = 0;
    check(cusolverDnSgeqrf_bufferSize(cusolver(), m, n, a, m, &lw), "cusolverDnSgeqrf_bufferSize");
    return lw;
}
inline int geqrf_buffer(int m, int n, double* a) {
    int lw = 0;
    check(cusolverDnDgeqrf_bufferSize(cusolver(), m, n, a, m, &lw), "cusolverDnDgeqrf_bufferSize");
    return lw;
}
inline void geqrf(int m, int n, float* a, float* tau, float* work, int lw, int* info) {
    check(cusolverDnSgeqrf(cusolver(), m, n, a, m, tau, work, lw, info), "cusolverDnSgeqrf");
}
inline void geqrf(int m, int n, double* a, double* tau, double* work, int lw, int* info) {
    check(cusolverDnDgeqrf(cusolver(), m, n, a, m, tau, work, lw, info), "cusolverDnDgeqrf");
}
inline int orgqr_buffer(int m, int k, const float* a, const float* tau) {
    int lw = 0;
    check(cusolverDnSorgqr_bufferSize(cusolver(), m, k, k, a, m, tau, &lw),
          "cusolverDnSorgqr_bufferSize");
    return lw;
}
inline int orgqr_buffer(int m, int k, const double* a, const double* tau) {
    int lw = 0;
    check(cusolverDnDorgqr_bufferSize(cusolver(), m, k, k, a, m, tau, &lw),
          "cusolverDnDorgqr_bufferSize");
    return lw;
}
inline void orgqr(int m, int k, float* a, const float* tau, float* work, int lw, int* info) {
    check(cusolverDnSorgqr(cusolver(), m, k, k, a, m, tau, work, lw, info), "cusolverDnSorgqr");
}
inline void orgqr(int m, int k, double* a, const double* tau, double* work, int lw, int* info) {
    check(cusolverDnDorgqr(cusolver(), m, k, k, a, m, tau, work, lw, info), "cusolverDnDorgqr");
}
// C {m, nrhs} <- Q^T C with Q from geqrf of a {m, k}.
inline int ormqr_buffer(int m, int nrhs, int k, const float* a, const float* tau, const float* c) {
    int lw = 0;
    check(cusolverDnSormqr_bufferSize(cusolver(), CUBLAS_SIDE_LEFT, CUBLAS_OP_T, m, nrhs, k, a, m,
                                      tau, c, m, &lw),
          "cusolverDnSormqr_bufferSize");
    return lw;
}
inline int ormqr_buffer(int m, int nrhs, int k, const double* a, const double* tau,
                        const double* c) {
    int lw = 0;
    check(cusolverDnDormqr_bufferSize(cusolver(), CUBLAS_SIDE_LEFT, CUBLAS_OP_T, m, nrhs, k, a, m,
                                      tau, c, m, &lw),
          "cusolverDnDormqr_bufferSize");
    return lw;
}
inline void ormqr(int m, int nrhs, int k, const float* a, const float* tau, float* c, float* work,
                  int lw, int* info) {
    check(cusolverDnSormqr(cusolver(), CUBLAS_SIDE_LEFT, CUBLAS_OP_T, m, nrhs, k, a, m, tau, c, m,
                           work, lw, info),
          "cusolverDnSormqr");
}
inline void ormqr(int m, int nrhs, int k, const double* a, const double* tau, double* c,
                  double* work, int lw, int* info) {
    check(cusolverDnDormqr(cusolver(), CUBLAS_SIDE_LEFT, CUBLAS_OP_T, m, nrhs, k, a, m, tau, c, m,
                           work, lw, info),
          "cusolverDnDormqr");
}

inline int syevd_buffer(int n, const float* a, const float* w) {
    int lw = 0;
    check(cusolverDnSsyevd_bufferSize(cusolver(), CUSOLVER_EIG_MODE_VECTOR, CUBLAS_FILL_MODE_UPPER,
                                      n, a, n, w, &lw),
          "cusolverDnSsyevd_bufferSize");
    return lw;
}
inline int syevd_buffer(int n, const double* a, const double* w) {
    int lw = 0;
    check(cusolverDnDsyevd_bufferSize(cusolver(), CUSOLVER_EIG_MODE_VECTOR, CUBLAS_FILL_MODE_UPPER,
                                      n, a, n, w, &lw),
          "cusolverDnDsyevd_bufferSize");
    return lw;
}
inline void syevd(int n, float* a, float* w, float* work, int lw, int* info) {
    check(cusolverDnSsyevd(cusolver(), CUSOLVER_EIG_MODE_VECTOR, CUBLAS_FILL_MODE_UPPER, n, a, n, w,
                           work, lw, info),
          "cusolverDnSsyevd");
}
inline void syevd(int n, double* a, double* w, double* work, int lw, int* info) {
    check(cusolverDnDsyevd(cusolver(), CUSOLVER_EIG_MODE_VECTOR, CUBLAS_FILL_MODE_UPPER, n, a, n, w,
                           work, lw, info),
          "cusolverDnDsyevd");
}

inline int gesvdj_buffer(int m, int n, const float* a, const float* s, const float* u,
                         const float* v, gesvdjInfo_t p) {
    int lw = 0;
    check(cusolverDnSgesvdj_bufferSize(cusolver(), CUSOLVER_EIG_MODE_VECTOR, 1, m, n, a, m, s, u, m,
                                       v, n, &lw, p),
          "cusolverDnSgesvdj_bufferSize");
    return lw;
}
inline int gesvdj_buffer(int m, int n, const double* a, const double* s, const double* u,
                         const double* v, gesvdjInfo_t p) {
    int lw = 0;
    check(cusolverDnDgesvdj_bufferSize(cusolver(), CUSOLVER_EIG_MODE_VECTOR, 1, m, n, a, m, s, u, m,
                                       v, n, &lw, p),
          "cusolverDnDgesvdj_bufferSize");
    return lw;
}
inline void gesvdj(int m, int n, float* a, float* s, float* u, float* v, float* work, int lw,
                   int* info, gesvdjInfo_t p) {
    check(cusolverDnSgesvdj(cusolver(), CUSOLVER_EIG_MODE_VECTOR, 1, m, n, a, m, s, u, m, v, n,
                            work, lw, info, p),
          "cusolverDnSgesvdj");
}
inline void gesvdj(int m, int n, double* a, double* s, double* u, double* v, double* work, int lw,
                   int* info, gesvdjInfo_t p) {
    check(cusolverDnDgesvdj(cusolver(), CUSOLVER_EIG_MODE_VECTOR, 1, m, n, a, m, s, u, m, v, n,
                            work, lw, info, p),
          "cusolverDnDgesvdj");
}

// C {m, n} (ldc) = A^T, A column-major {n, m} with lda.
inline void transpose(int m, int n, const float* a, int lda, float* c, int ldc) {
    const float one = 1.0f;
    const float zero = 0.0f;
    check(
        cublasSgeam(cublas(), CUBLAS_OP_T, CUBLAS_OP_N, m, n, &one, a, lda, &zero, c, ldc, c, ldc),
        "cublasSgeam");
}
inline void transpose(int m, int n, const double* a, int lda, double* c, int ldc) {
    const double one = 1.0;
    const double zero = 0.0;
    check(
        cublasDgeam(cublas(), CUBLAS_OP_T, CUBLAS_OP_N, m, n, &one, a, lda, &zero, c, ldc, c, ldc),
        "cublasDgeam");
}
// B {m, nrhs} <- R^-1 B, R upper triangular {m, m} (lda).
inline void trsm_upper(int m, int nrhs, const float* r, int lda, float* b, int ldb) {
    const float one = 1.0f;
    check(cublasStrsm(cublas(), CUBLAS_SIDE_LEFT, CUBLAS_FILL_MODE_UPPER, CUBLAS_OP_N,
                      CUBLAS_DIAG_NON_UNIT, m, nrhs, &one, r, lda, b, ldb),
          "cublasStrsm");
}
inline void trsm_upper(int m, int nrhs, const double* r, int lda, double* b, int ldb) {
    const double one = 1.0;
    check(cublasDtrsm(cublas(), CUBLAS_SIDE_LEFT, CUBLAS_FILL_MODE_UPPER, CUBLAS_OP_N,
                      CUBLAS_DIAG_NON_UNIT, m, nrhs, &one, r, lda, b, ldb),
          "cublasDtrsm");
}

}  // namespace magmadnn::linalg::cuda::cu
#endif
