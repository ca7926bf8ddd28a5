// Cholesky: ||A - L L^T|| / (||A|| n eps), the solve ratio, and the not-positive-definite error.
#include <gtest/gtest.h>

#include "linalg_test_util.h"
#include "magmadnn/core/error.h"
#include "magmadnn/linalg/solve.h"
#include "test_util.h"

namespace magmadnn {
namespace {

constexpr double kRatio = 30.0;  // LAPACK's threshold for factorization and solve ratios

template <typename T>
class CholeskyTest : public ::testing::Test {};
using Types = ::testing::Types<float, double>;
TYPED_TEST_SUITE(CholeskyTest, Types);

TYPED_TEST(CholeskyTest, FactorAndSolveAcrossConditionNumbers) {
    using T = TypeParam;
    const index_t n = 100;
    for (double cond : {1e1, 1e4, 1e8}) {
        const Tensor<T> A = test::symmetric_with_eigenvalues<T>(test::log_spectrum(n, cond), 41);
        const Tensor<T> L = linalg::cholesky(A);
        const test::Mat l = test::to_mat(L);
        for (index_t i = 0; i < n; ++i) {
            for (index_t j = i + 1; j < n; ++j) ASSERT_EQ(l[i * n + j], 0.0);
        }
        const test::Mat llt = test::mat_mul(l, test::mat_t(l, n, n), n, n, n);
        const test::Mat a = test::to_mat(A);
        double worst = 0;
        for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(llt[i] - a[i]));
        EXPECT_LT(worst / (test::norm_inf(a, n, n) * n * test::eps<T>()), kRatio) << cond;
        const Tensor<T> b = test::random_tensor<T>({n, 3}, 42);
        EXPECT_LT(test::solve_ratio(A, linalg::cholesky_solve(L, b), b), kRatio) << cond;
    }
}

TEST(CholeskyErrors, IndefiniteNonSquareNan) {
    std::vector<double> w = test::log_spectrum(10, 1e3);
    w[6] = -0.5;
    const Tensor<double> indef = test::symmetric_with_eigenvalues<double>(w, 43);
    try {
        linalg::cholesky(indef);
        FAIL() << "indefinite matrix accepted";
    } catch (const NumericError& e) {
        EXPECT_NE(std::string(e.what()).find("not positive definite"), std::string::npos);
    }
    EXPECT_THROW(linalg::cholesky(Tensor<double>({3, 4}, HOST)), ShapeError);
    Tensor<double> nan = test::symmetric_with_eigenvalues<double>({1, 2, 3}, 44);
    nan.set({0, 0}, std::numeric_limits<double>::infinity());
    EXPECT_THROW(linalg::cholesky(nan), NumericError);
}

}  // namespace
}  // namespace magmadnn
