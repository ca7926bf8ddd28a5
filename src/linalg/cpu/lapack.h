#pragma once
// Private: LAPACKE overloads for float and double, so templates call one name per routine.
// Row-major layout throughout (LAPACKE transposes internally where LAPACK needs it).
#include <lapacke.h>

namespace magmadnn::linalg::lapack {

constexpr int R = LAPACK_ROW_MAJOR;

inline lapack_int getrf(lapack_int n, float* a, lapack_int* ipiv) {
    return LAPACKE_sgetrf(R, n, n, a, n, ipiv);
}
inline lapack_int getrf(lapack_int n, double* a, lapack_int* ipiv) {
    return LAPACKE_dgetrf(R, n, n, a, n, ipiv);
}
// trans 'N': A X = B; 'T': A^T X = B.
inline lapack_int getrs(lapack_int n, lapack_int nrhs, const float* a, const lapack_int* ipiv,
                        float* b, char trans = 'N') {
    return LAPACKE_sgetrs(R, trans, n, nrhs, a, n, ipiv, b, nrhs);
}
inline lapack_int getrs(lapack_int n, lapack_int nrhs, const double* a, const lapack_int* ipiv,
                        double* b, char trans = 'N') {
    return LAPACKE_dgetrs(R, trans, n, nrhs, a, n, ipiv, b, nrhs);
}
inline lapack_int potrf(lapack_int n, float* a) { return LAPACKE_spotrf(R, 'L', n, a, n); }
inline lapack_int potrf(lapack_int n, double* a) { return LAPACKE_dpotrf(R, 'L', n, a, n); }
inline lapack_int potrs(lapack_int n, lapack_int nrhs, const float* a, float* b) {
    return LAPACKE_spotrs(R, 'L', n, nrhs, a, n, b, nrhs);
}
inline lapack_int potrs(lapack_int n, lapack_int nrhs, const double* a, double* b) {
    return LAPACKE_dpotrs(R, 'L', n, nrhs, a, n, b, nrhs);
}
inline lapack_int gels(lapack_int m, lapack_int n, lapack_int nrhs, float* a, float* b) {
    return LAPACKE_sgels(R, 'N', m, n, nrhs, a, n, b, nrhs);
}
inline lapack_int gels(lapack_int m, lapack_int n, lapack_int nrhs, double* a, double* b) {
    return LAPACKE_dgels(R, 'N', m, n, nrhs, a, n, b, nrhs);
}
inline lapack_int geqrf(lapack_int m, lapack_int n, float* a, float* tau) {
    return LAPACKE_sgeqrf(R, m, n, a, n, tau);
}
inline lapack_int geqrf(lapack_int m, lapack_int n, double* a, double* tau) {
    return LAPACKE_dgeqrf(R, m, n, a, n, tau);
}
// Q {m, k} from the reflectors in a {m, lda}.
inline lapack_int orgqr(lapack_int m, lapack_int k, float* a, lapack_int lda, const float* tau) {
    return LAPACKE_sorgqr(R, m, k, k, a, lda, tau);
}
inline lapack_int orgqr(lapack_int m, lapack_int k, double* a, lapack_int lda, const double* tau) {
    return LAPACKE_dorgqr(R, m, k, k, a, lda, tau);
}
inline lapack_int syevd(lapack_int n, float* a, float* w) {
    return LAPACKE_ssyevd(R, 'V', 'L', n, a, n, w);
}
inline lapack_int syevd(lapack_int n, double* a, double* w) {
    return LAPACKE_dsyevd(R, 'V', 'L', n, a, n, w);
}
inline lapack_int gesdd(lapack_int m, lapack_int n, float* a, float* s, float* u, float* vt) {
    const lapack_int k = m < n ? m : n;
    return LAPACKE_sgesdd(R, 'S', m, n, a, n, s, u, k, vt, n);
}
inline lapack_int gesdd(lapack_int m, lapack_int n, double* a, double* s, double* u, double* vt) {
    const lapack_int k = m < n ? m : n;
    return LAPACKE_dgesdd(R, 'S', m, n, a, n, s, u, k, vt, n);
}
inline lapack_int gesvd(lapack_int m, lapack_int n, float* a, float* s, float* u, float* vt,
                        float* superb) {
    const lapack_int k = m < n ? m : n;
    return LAPACKE_sgesvd(R, 'S', 'S', m, n, a, n, s, u, k, vt, n, superb);
}
inline lapack_int gesvd(lapack_int m, lapack_int n, double* a, double* s, double* u, double* vt,
                        double* superb) {
    const lapack_int k = m < n ? m : n;
    return LAPACKE_dgesvd(R, 'S', 'S', m, n, a, n, s, u, k, vt, n, superb);
}

}  // namespace magmadnn::linalg::lapack
