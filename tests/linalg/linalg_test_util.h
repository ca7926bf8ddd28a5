#pragma once
// Test matrices with known spectra and LAPACK-style error ratios (error / (norm * n * eps)),
// computed in double whatever T is, independently of the routines under test.

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "magmadnn/core/tensor.h"

namespace magmadnn::test {

using Mat = std::vector<double>;  // row-major

// A random m x k matrix with orthonormal columns: Gaussian columns, Gram-Schmidt done twice.
inline Mat random_orthonormal(index_t m, index_t k, std::uint32_t seed) {
    std::mt19937 gen(seed);
    std::normal_distribution<double> dist;
    Mat q(static_cast<std::size_t>(m * k));
    for (auto& v : q) v = dist(gen);
    for (index_t j = 0; j < k; ++j) {
        for (int pass = 0; pass < 2; ++pass) {
            for (index_t p = 0; p < j; ++p) {
                double d = 0;
                for (index_t i = 0; i < m; ++i) d += q[i * k + p] * q[i * k + j];
                for (index_t i = 0; i < m; ++i) q[i * k + j] -= d * q[i * k + p];
            }
        }
        double nrm = 0;
        for (index_t i = 0; i < m; ++i) nrm += q[i * k + j] * q[i * k + j];
        nrm = std::sqrt(nrm);
        for (index_t i = 0; i < m; ++i) q[i * k + j] /= nrm;
    }
    return q;
}

// Singular values logarithmically spaced from 1 down to 1/cond (descending).
inline std::vector<double> log_spectrum(index_t k, double cond) {
    std::vector<double> s(static_cast<std::size_t>(k));
    for (index_t i = 0; i < k; ++i) {
        const double t = k == 1 ? 0.0 : static_cast<double>(i) / static_cast<double>(k - 1);
        s[i] = std::pow(cond, -t);
    }
    return s;
}

// A = U diag(s) V^T, U {m, k}, V {n, k} random orthonormal, k = s.size().
template <typename T>
Tensor<T> with_spectrum(index_t m, index_t n, const std::vector<double>& s, std::uint32_t seed) {
    const auto k = static_cast<index_t>(s.size());
    const Mat U = random_orthonormal(m, k, seed);
    const Mat V = random_orthonormal(n, k, seed + 1000);
    Tensor<T> A({m, n}, HOST);
    T* a = A.data();
    for (index_t i = 0; i < m; ++i) {
        for (index_t j = 0; j < n; ++j) {
            double v = 0;
            for (index_t p = 0; p < k; ++p) v += U[i * k + p] * s[p] * V[j * k + p];
            a[i * n + j] = static_cast<T>(v);
        }
    }
    return A;
}

// Symmetric S = Q diag(w) Q^T.
template <typename T>
Tensor<T> symmetric_with_eigenvalues(const std::vector<double>& w, std::uint32_t seed) {
    const auto n = static_cast<index_t>(w.size());
    const Mat Q = random_orthonormal(n, n, seed);
    Tensor<T> S({n, n}, HOST);
    for (index_t i = 0; i < n; ++i) {
        for (index_t j = 0; j < n; ++j) {
            double v = 0;
            for (index_t p = 0; p < n; ++p) v += Q[i * n + p] * w[p] * Q[j * n + p];
            S.data()[i * n + j] = static_cast<T>(v);
        }
    }
    return S;
}

template <typename T>
Mat to_mat(const Tensor<T>& t) {
    const Tensor<T> h = t.to(HOST);
    return Mat(h.cdata(), h.cdata() + h.size());
}

// Infinity norm of a row-major {m, n} matrix.
inline double norm_inf(const Mat& a, index_t m, index_t n) {
    double best = 0;
    for (index_t i = 0; i < m; ++i) {
        double r = 0;
        for (index_t j = 0; j < n; ++j) r += std::abs(a[i * n + j]);
        best = std::max(best, r);
    }
    return best;
}
inline double max_abs(const Mat& a) {
    double best = 0;
    for (double v : a) best = std::max(best, std::abs(v));
    return best;
}

// C = A B in double: A {m, k}, B {k, n}.
inline Mat mat_mul(const Mat& a, const Mat& b, index_t m, index_t k, index_t n) {
    Mat c(static_cast<std::size_t>(m * n), 0.0);
    for (index_t i = 0; i < m; ++i) {
        for (index_t p = 0; p < k; ++p) {
            const double v = a[i * k + p];
            for (index_t j = 0; j < n; ++j) c[i * n + j] += v * b[p * n + j];
        }
    }
    return c;
}
inline Mat mat_t(const Mat& a, index_t m, index_t n) {
    Mat t(a.size());
    for (index_t i = 0; i < m; ++i) {
        for (index_t j = 0; j < n; ++j) t[j * m + i] = a[i * n + j];
    }
    return t;
}

template <typename T>
constexpr double eps() {
    return std::numeric_limits<T>::epsilon();
}

// LAPACK's solve ratio ||A x - b||_inf / (||A||_inf ||x||_inf n eps), per right-hand side max.
template <typename T>
double solve_ratio(const Tensor<T>& A, const Tensor<T>& x, const Tensor<T>& b) {
    const index_t n = A.shape(0);
    const index_t nrhs = b.ndim() == 1 ? 1 : b.shape(1);
    const Mat a = to_mat(A);
    const Mat xv = to_mat(x);
    const Mat bv = to_mat(b);
    const Mat ax = mat_mul(a, xv, n, n, nrhs);
    const double an = norm_inf(a, n, n);
    double worst = 0;
    for (index_t c = 0; c < nrhs; ++c) {
        double r = 0;
        double xn = 0;
        for (index_t i = 0; i < n; ++i) {
            r = std::max(r, std::abs(ax[i * nrhs + c] - bv[i * nrhs + c]));
            xn = std::max(xn, std::abs(xv[i * nrhs + c]));
        }
        worst = std::max(worst, r / (an * xn * static_cast<double>(n) * eps<T>()));
    }
    return worst;
}

// ||Q^T Q - I||_max / (k eps) for Q {m, k}.
template <typename T>
double orthogonality_ratio(const Tensor<T>& Q) {
    const index_t m = Q.shape(0);
    const index_t k = Q.shape(1);
    const Mat q = to_mat(Q);
    const Mat g = mat_mul(mat_t(q, m, k), q, k, m, k);
    double worst = 0;
    for (index_t i = 0; i < k; ++i) {
        for (index_t j = 0; j < k; ++j) worst = std::max(worst, std::abs(g[i * k + j] - (i == j)));
    }
    return worst / (static_cast<double>(std::max(m, k)) * eps<T>());
}

// The checks of a factorization's vectors, shared by the host and the GPU tests (any memory:
// the factors are read through to_mat).

// ||S V - V diag(w)||_max / (||S||_inf n eps): V's columns are S's eigenvectors for w.
template <typename T>
double eigh_residual_ratio(const Tensor<T>& S, const Tensor<T>& w, const Tensor<T>& V) {
    const index_t n = S.shape(0);
    const Mat s = to_mat(S);
    const Mat v = to_mat(V);
    const Mat wv = to_mat(w);
    const Mat sv = mat_mul(s, v, n, n, n);
    double worst = 0;
    for (index_t i = 0; i < n; ++i) {
        for (index_t j = 0; j < n; ++j) {
            worst = std::max(worst, std::abs(sv[i * n + j] - v[i * n + j] * wv[j]));
        }
    }
    return worst / (norm_inf(s, n, n) * static_cast<double>(n) * eps<T>());
}

// ||A - U diag(s) Vt||_max / (||A||_inf max(m, n) eps).
template <typename T>
double svd_reconstruction_ratio(const Tensor<T>& A, const Tensor<T>& U, const Tensor<T>& s,
                                const Tensor<T>& Vt) {
    const index_t m = A.shape(0);
    const index_t n = A.shape(1);
    const index_t k = s.size();
    const Mat sv = to_mat(s);
    Mat us = to_mat(U);
    for (index_t i = 0; i < m; ++i) {
        for (index_t j = 0; j < k; ++j) us[i * k + j] *= sv[j];
    }
    const Mat usv = mat_mul(us, to_mat(Vt), m, k, n);
    const Mat a = to_mat(A);
    double worst = 0;
    for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(usv[i] - a[i]));
    return worst / (norm_inf(a, m, n) * static_cast<double>(std::max(m, n)) * eps<T>());
}

// ||A - Q R||_max / (||A||_inf max(m, n) eps), Q {m, k}, R {k, n}.
template <typename T>
double qr_reconstruction_ratio(const Tensor<T>& A, const Tensor<T>& Q, const Tensor<T>& R) {
    const index_t m = A.shape(0);
    const index_t n = A.shape(1);
    const index_t k = Q.shape(1);
    const Mat qr = mat_mul(to_mat(Q), to_mat(R), m, k, n);
    const Mat a = to_mat(A);
    double worst = 0;
    for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(qr[i] - a[i]));
    return worst / (norm_inf(a, m, n) * static_cast<double>(std::max(m, n)) * eps<T>());
}

// The largest |R(i, j)| below the diagonal (0 for an upper triangular R).
template <typename T>
double below_diagonal_max(const Tensor<T>& R) {
    const index_t k = R.shape(0);
    const index_t n = R.shape(1);
    const Mat r = to_mat(R);
    double worst = 0;
    for (index_t i = 0; i < k; ++i) {
        for (index_t j = 0; j < std::min(i, n); ++j)
            worst = std::max(worst, std::abs(r[i * n + j]));
    }
    return worst;
}

// The rows of Vt {k, n} as the columns of a host tensor {n, k}.
template <typename T>
Tensor<T> rows_as_columns(const Tensor<T>& Vt) {
    const index_t k = Vt.shape(0);
    const index_t n = Vt.shape(1);
    Tensor<T> V({n, k}, HOST);
    const Tensor<T> h = Vt.to(HOST);
    for (index_t i = 0; i < k; ++i) {
        for (index_t j = 0; j < n; ++j) V.data()[j * k + i] = h.cdata()[i * n + j];
    }
    return V;
}

}  // namespace magmadnn::test
