// LU solve: LAPACK-style residual ratios on random, ill-conditioned (cond 1e2..1e12 from a known
// spectrum) and structured matrices; the factorization itself; and the errors for bad input.
#include "magmadnn/linalg/solve.h"

#include <gtest/gtest.h>

#include "linalg_test_util.h"
#include "magmadnn/core/error.h"
#include "test_util.h"

namespace magmadnn {
namespace {

// Partial-pivoting LU is backward stable: ||A x - b|| / (||A|| ||x|| n eps) stays O(1) for any
// condition number. LAPACK's test suite uses 30 as its threshold; so do we.
constexpr double kRatio = 30.0;

template <typename T>
class SolveTest : public ::testing::Test {};
using Types = ::testing::Types<float, double>;
TYPED_TEST_SUITE(SolveTest, Types);

TYPED_TEST(SolveTest, RandomMatricesOneAndManyRightHandSides) {
    using T = TypeParam;
    for (index_t n : {1, 7, 50, 200}) {
        const Tensor<T> A = test::random_tensor<T>({n, n}, 11 + static_cast<std::uint32_t>(n));
        const Tensor<T> b1 = test::random_tensor<T>({n}, 3);
        const Tensor<T> b3 = test::random_tensor<T>({n, 3}, 4);
        EXPECT_LT(test::solve_ratio(A, linalg::solve(A, b1), b1), kRatio) << "n = " << n;
        EXPECT_LT(test::solve_ratio(A, linalg::solve(A, b3), b3), kRatio) << "n = " << n;
    }
}

TYPED_TEST(SolveTest, IllConditionedKnownSpectrum) {
    using T = TypeParam;
    const index_t n = 120;
    for (double cond : {1e2, 1e4, 1e8, 1e12}) {
        const Tensor<T> A = test::with_spectrum<T>(n, n, test::log_spectrum(n, cond), 21);
        const Tensor<T> b = test::random_tensor<T>({n, 2}, 5);
        const Tensor<T> x = linalg::solve(A, b);
        EXPECT_LT(test::solve_ratio(A, x, b), kRatio) << "cond = " << cond;
    }
}

TYPED_TEST(SolveTest, StructuredMatrices) {
    using T = TypeParam;
    const index_t n = 60;
    // Tridiagonal (-1, 2, -1), a reversal permutation, and the Hilbert matrix (cond ~ 1e18 at
    // n = 12: the backward error still has to be small).
    Tensor<T> tri({n, n}, HOST);
    Tensor<T> perm({n, n}, HOST);
    for (index_t i = 0; i < n; ++i) {
        tri.set({i, i}, T(2));
        if (i > 0) tri.set({i, i - 1}, T(-1));
        if (i + 1 < n) tri.set({i, i + 1}, T(-1));
        perm.set({i, n - 1 - i}, T(1));
    }
    const index_t h = 12;
    Tensor<T> hilbert({h, h}, HOST);
    for (index_t i = 0; i < h; ++i) {
        for (index_t j = 0; j < h; ++j) hilbert.set({i, j}, T(1) / static_cast<T>(i + j + 1));
    }
    const Tensor<T> b = test::random_tensor<T>({n}, 6);
    EXPECT_LT(test::solve_ratio(tri, linalg::solve(tri, b), b), kRatio);
    EXPECT_LT(test::solve_ratio(perm, linalg::solve(perm, b), b), kRatio);
    const Tensor<T> bh = test::random_tensor<T>({h}, 7);
    EXPECT_LT(test::solve_ratio(hilbert, linalg::solve(hilbert, bh), bh), kRatio);
}

TYPED_TEST(SolveTest, LuFactorReconstructsPA) {
    using T = TypeParam;
    const index_t n = 80;
    const Tensor<T> A = test::random_tensor<T>({n, n}, 8);
    const auto f = linalg::lu_factor(A);
    // Rebuild P A (apply the row swaps in order) and L U; ||PA - LU|| / (||A|| n eps) < 30.
    test::Mat pa = test::to_mat(A);
    for (index_t i = 0; i < n; ++i) {
        const index_t p = f.pivots.get({i});
        ASSERT_GE(p, i);
        for (index_t j = 0; j < n; ++j) std::swap(pa[i * n + j], pa[p * n + j]);
    }
    const test::Mat lu = test::to_mat(f.lu);
    double worst = 0;
    for (index_t i = 0; i < n; ++i) {
        for (index_t j = 0; j < n; ++j) {
            double v = 0;
            for (index_t k = 0; k <= std::min(i, j); ++k) {
                v += (k == i ? 1.0 : lu[i * n + k]) * lu[k * n + j];
            }
            worst = std::max(worst, std::abs(v - pa[i * n + j]));
        }
    }
    const double an = test::norm_inf(test::to_mat(A), n, n);
    EXPECT_LT(worst / (an * static_cast<double>(n) * test::eps<T>()), kRatio);
    const Tensor<T> b = test::random_tensor<T>({n, 4}, 9);
    EXPECT_LT(test::solve_ratio(A, linalg::lu_solve(f, b), b), kRatio);
    // the same factors solve with A^T (one and several right-hand sides)
    const Tensor<T> At = math::transpose(A);
    const Tensor<T> c = test::random_tensor<T>({n}, 10);
    EXPECT_LT(test::solve_ratio(At, linalg::lu_solve(f, b, true), b), kRatio);
    EXPECT_LT(test::solve_ratio(At, linalg::lu_solve(f, c, true), c), kRatio);
    // and it is A^T's solution, not A's: for this nonsymmetric A they differ
    EXPECT_GT(test::solve_ratio(At, linalg::lu_solve(f, c), c), 10 * kRatio);
}

TEST(SolveErrors, NonSquareSingularNanAndMismatch) {
    const Tensor<double> rect = test::random_tensor<double>({4, 5}, 1);
    EXPECT_THROW(linalg::solve(rect, Tensor<double>({4}, HOST)), ShapeError);
    EXPECT_THROW(linalg::lu_factor(rect), ShapeError);

    Tensor<double> sing = test::random_tensor<double>({5, 5}, 2);
    for (index_t i = 0; i < 5; ++i) sing.set({i, 2}, 0.0);  // a zero column
    try {
        linalg::solve(sing, Tensor<double>({5}, HOST));
        FAIL() << "singular matrix accepted";
    } catch (const NumericError& e) {
        EXPECT_NE(std::string(e.what()).find("singular"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("pivot U("), std::string::npos) << e.what();
    }
    try {
        linalg::lu_factor(sing);
        FAIL() << "singular matrix accepted";
    } catch (const NumericError& e) {
        EXPECT_NE(std::string(e.what()).find("pivot U(2, 2)"), std::string::npos) << e.what();
    }

    Tensor<double> nan = test::random_tensor<double>({3, 3}, 3);
    nan.set({1, 1}, std::nan(""));
    EXPECT_THROW(linalg::solve(nan, Tensor<double>({3}, HOST)), NumericError);
    const Tensor<double> A = test::random_tensor<double>({3, 3}, 4);
    EXPECT_THROW(linalg::solve(A, Tensor<double>({4}, HOST)), ShapeError);
    EXPECT_THROW(linalg::solve(A, Tensor<double>({4, 2}, HOST)), ShapeError);
}

}  // namespace
}  // namespace magmadnn
