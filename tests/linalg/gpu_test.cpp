// GPU versions of the linear-algebra routines against the host results or known spectra
// (label gpu; each test skips where no device is present). Bounds as in the host tests.
#include <gtest/gtest.h>

#include "linalg_test_util.h"
#include "magmadnn/core/error.h"
#include "magmadnn/linalg/blas.h"
#include "magmadnn/linalg/decomp.h"
#include "magmadnn/linalg/solve.h"
#include "test_util.h"

namespace magmadnn {
namespace {

constexpr double kRatio = 30.0;  // LAPACK's threshold

TEST(BlasGpu, MatchesHost) {
    MAGMADNN_SKIP_WITHOUT_GPU();
    const Tensor<double> A = test::random_tensor<double>({30, 20}, 11);
    const Tensor<double> x = test::random_tensor<double>({20}, 12);
    const Tensor<double> Ad = A.to(DEVICE);
    const Tensor<double> xd = x.to(DEVICE);
    EXPECT_NEAR(linalg::dot(xd, xd), linalg::dot(x, x), 1e-12);
    EXPECT_NEAR(linalg::nrm2(xd), linalg::nrm2(x), 1e-12);
    const test::Mat yd = test::to_mat(linalg::gemv(Ad, xd));
    const test::Mat yh = test::to_mat(linalg::gemv(A, x));
    for (std::size_t i = 0; i < yh.size(); ++i) EXPECT_NEAR(yd[i], yh[i], 1e-12);
    EXPECT_THROW(linalg::dot(x, xd), DeviceError);
}

TEST(SolveGpu, MatchesHostResidual) {
    MAGMADNN_SKIP_WITHOUT_GPU();
    const index_t n = 100;
    const Tensor<double> A = test::with_spectrum<double>(n, n, test::log_spectrum(n, 1e6), 31);
    const Tensor<double> b = test::random_tensor<double>({n, 2}, 32);
    for (memory_t m : {DEVICE, MANAGED}) {
        const Tensor<double> x = linalg::solve(A.to(m), b.to(m));
        EXPECT_EQ(x.memory(), m);
        EXPECT_LT(test::solve_ratio(A, x.to(HOST), b), kRatio);
        const auto f = linalg::lu_factor(A.to(m));
        EXPECT_LT(test::solve_ratio(A, linalg::lu_solve(f, b.to(m)).to(HOST), b), kRatio);
        const Tensor<double> At = math::transpose(A);
        EXPECT_LT(test::solve_ratio(At, linalg::lu_solve(f, b.to(m), true).to(HOST), b), kRatio);
    }
}

TEST(CholeskyGpu, MatchesHost) {
    MAGMADNN_SKIP_WITHOUT_GPU();
    const index_t n = 64;
    const Tensor<double> A =
        test::symmetric_with_eigenvalues<double>(test::log_spectrum(n, 1e5), 45);
    const Tensor<double> L = linalg::cholesky(A.to(DEVICE));
    const Tensor<double> Lh = linalg::cholesky(A);
    const test::Mat a = test::to_mat(L);
    const test::Mat b = test::to_mat(Lh);
    for (std::size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-12);
    const Tensor<double> rhs = test::random_tensor<double>({n}, 46);
    EXPECT_LT(test::solve_ratio(A, linalg::cholesky_solve(L, rhs.to(DEVICE)).to(HOST), rhs),
              kRatio);
}

TEST(LstsqGpu, MatchesHost) {
    MAGMADNN_SKIP_WITHOUT_GPU();
    const Tensor<double> A = test::random_tensor<double>({80, 20}, 59);
    const Tensor<double> b = test::random_tensor<double>({80, 2}, 60);
    const test::Mat xd = test::to_mat(linalg::lstsq(A.to(DEVICE), b.to(DEVICE)));
    const test::Mat xh = test::to_mat(linalg::lstsq(A, b));
    for (std::size_t i = 0; i < xh.size(); ++i) EXPECT_NEAR(xd[i], xh[i], 1e-10);
    const auto [Q, R] = linalg::qr(A.to(DEVICE));
    EXPECT_LT(test::orthogonality_ratio(Q.to(HOST)), kRatio);
}

TEST(EighGpu, MatchesKnownSpectrum) {
    MAGMADNN_SKIP_WITHOUT_GPU();
    const index_t n = 50;
    const Tensor<double> S =
        test::symmetric_with_eigenvalues<double>(test::log_spectrum(n, 1e6), 63);
    const auto [vals, vecs] = linalg::eigh(S.to(DEVICE));
    const std::vector<double> w = test::log_spectrum(n, 1e6);  // descending; eigh ascends
    for (index_t i = 0; i < n; ++i) EXPECT_NEAR(vals.get({i}), w[n - 1 - i], 30 * n * 2.2e-16);
    EXPECT_LT(test::orthogonality_ratio(vecs.to(HOST)), kRatio);
}

TEST(SvdGpu, KnownSpectrum) {
    MAGMADNN_SKIP_WITHOUT_GPU();
    for (auto [m, n] : {std::pair<index_t, index_t>{60, 30}, {30, 60}}) {
        const index_t k = std::min(m, n);
        const std::vector<double> s = test::log_spectrum(k, 1e4);
        const Tensor<double> A = test::with_spectrum<double>(m, n, s, 74);
        const auto r = linalg::svd(A.to(DEVICE));
        const linalg::SVDResult<double> h{r.U.to(HOST), r.S.to(HOST), r.Vt.to(HOST)};
        for (index_t i = 0; i < k; ++i) EXPECT_NEAR(h.S.get({i}), s[i], 1e-12);
        EXPECT_LT(test::orthogonality_ratio(h.U), kRatio);
    }
}

}  // namespace
}  // namespace magmadnn
