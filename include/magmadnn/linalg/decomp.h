#pragma once
// Least squares and spectral decompositions (f32, f64), numpy.linalg-like:
//
//     Tensor<double> y = linalg::lstsq(M, c);             // min ||M y - c||, M {m, n}, m >= n
//     auto [Q, R]      = linalg::qr(M);                   // thin: Q {m, k}, R {k, n}, k = min(m,
//     n) auto [w, V]      = linalg::eigh(S);                 // ascending w, eigenvectors in V's
//     columns auto [U, s, Vt]  = linalg::svd(A);                  // thin SVD, s descending auto
//     [Uk, sk, Vk] = linalg::randomized_svd(A, 10);  // the leading 10 triplets
//
// HOST tensors use LAPACK (LAPACKE); GPU tensors use cuSOLVER.

#include <cstdint>

#include "magmadnn/core/tensor.h"

namespace magmadnn::linalg {

// Least-squares solution by Householder QR (m >= n, full column rank) or the minimum-norm
// solution (m < n, full row rank). b: {m} or {m, nrhs}; the result {n} or {n, nrhs}.
template <typename T>
Tensor<T> lstsq(const Tensor<T>& A, const Tensor<T>& b);

template <typename T>
struct QRResult {
    Tensor<T> Q;  // {m, k}, orthonormal columns
    Tensor<T> R;  // {k, n}, upper triangular (trapezoidal)
};
template <typename T>
QRResult<T> qr(const Tensor<T>& A);

template <typename T>
struct EighResult {
    Tensor<T> eigenvalues;   // {n}, ascending
    Tensor<T> eigenvectors;  // {n, n}, column j belongs to eigenvalues[j]
};
// The symmetric eigenproblem; only the lower triangle of S is read.
template <typename T>
EighResult<T> eigh(const Tensor<T>& S);

template <typename T>
struct SVDResult {
    Tensor<T> U;   // {m, k}
    Tensor<T> S;   // {k}, descending
    Tensor<T> Vt;  // {k, n}
};
// Thin SVD, k = min(m, n).
template <typename T>
SVDResult<T> svd(const Tensor<T>& A);

// The leading `rank` singular triplets by a randomized range finder (Halko, Martinsson, Tropp
// 2011): sample A with rank + oversample Gaussian vectors, sharpen with `power_iterations`
// orthonormalized passes of A A^T, then take the SVD of the small projected matrix.
template <typename T>
SVDResult<T> randomized_svd(const Tensor<T>& A, index_t rank, index_t oversample = 10,
                            int power_iterations = 2, std::uint64_t seed = 0);

}  // namespace magmadnn::linalg
