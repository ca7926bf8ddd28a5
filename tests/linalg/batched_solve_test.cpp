// Batched LU / Cholesky / solves: every problem's LAPACK-style ratio below 30, the factorizations
// reproduce P A and A, and bad input names the problem in the batch.
#include "magmadnn/linalg/batched_solve.h"

#include <gtest/gtest.h>

#include "linalg_test_util.h"
#include "magmadnn/core/error.h"
#include "test_util.h"

namespace magmadnn {
namespace {

constexpr double kRatio = 30.0;  // LAPACK's threshold

template <typename T>
class BatchedSolveTest : public ::testing::Test {};
using Types = ::testing::Types<float, double>;
TYPED_TEST_SUITE(BatchedSolveTest, Types);

TYPED_TEST(BatchedSolveTest, LuSolveEveryProblem) {
    using T = TypeParam;
    // n = 70 exercises the LAPACK path (above the 64 x 64 kernel limit).
    for (auto [batch, n] : {std::pair<index_t, index_t>{300, 4}, {100, 33}, {6, 70}}) {
        Tensor<T> A = test::random_tensor<T>({batch, n, n}, 1);
        const Tensor<T> b = test::random_tensor<T>({batch, n, 2}, 2);
        const Tensor<T> x = linalg::solve_batched(A, b);
        const Tensor<T> b1 = test::random_tensor<T>({batch, n}, 3);
        const auto f = linalg::lu_factor_batched(A);
        const Tensor<T> x1 = linalg::lu_solve_batched(f, b1);
        // the same factors with A^T (several and one right-hand sides)
        const Tensor<T> xt = linalg::lu_solve_batched(f, b, true);
        const Tensor<T> xt1 = linalg::lu_solve_batched(f, b1, true);
        for (index_t i = 0; i < batch; ++i) {
            ASSERT_LT(test::solve_ratio(A[i], x[i], b[i]), kRatio) << "problem " << i << " n " << n;
            ASSERT_LT(test::solve_ratio(A[i], x1[i], b1[i]), kRatio) << "problem " << i;
            const Tensor<T> At = math::transpose(A[i]);
            ASSERT_LT(test::solve_ratio(At, xt[i], b[i]), kRatio) << "A^T, problem " << i;
            ASSERT_LT(test::solve_ratio(At, xt1[i], b1[i]), kRatio) << "A^T, problem " << i;
        }
    }
}

TYPED_TEST(BatchedSolveTest, CholeskyEveryProblem) {
    using T = TypeParam;
    const index_t batch = 40;
    for (index_t n : {5, 40, 66}) {
        Tensor<T> A({batch, n, n}, HOST);
        for (index_t i = 0; i < batch; ++i) {
            A[i].copy_from(test::symmetric_with_eigenvalues<T>(test::log_spectrum(n, 1e3),
                                                               static_cast<std::uint32_t>(i)));
        }
        const Tensor<T> L = linalg::cholesky_batched(A);
        const Tensor<T> b = test::random_tensor<T>({batch, n, 3}, 4);
        const Tensor<T> x = linalg::cholesky_solve_batched(L, b);
        for (index_t i = 0; i < batch; ++i) {
            ASSERT_EQ(L.get({i, 0, n - 1}), T(0));
            ASSERT_LT(test::solve_ratio(A[i], x[i], b[i]), kRatio) << "problem " << i;
        }
    }
}

TEST(BatchedSolveErrors, NamesTheBadProblem) {
    Tensor<double> A = test::random_tensor<double>({5, 4, 4}, 5);
    for (index_t r = 0; r < 4; ++r) A.set({3, r, 1}, 0.0);  // problem 3: a zero column
    try {
        linalg::lu_factor_batched(A);
        FAIL() << "singular problem accepted";
    } catch (const NumericError& e) {
        EXPECT_NE(std::string(e.what()).find("matrix 3"), std::string::npos) << e.what();
    }
    Tensor<double> S = test::random_tensor<double>({2, 3, 3}, 6);
    EXPECT_THROW(linalg::cholesky_batched(S), NumericError);  // not symmetric positive definite
    EXPECT_THROW(linalg::solve_batched(test::random_tensor<double>({5, 4, 4}, 7),
                                       Tensor<double>({4, 4}, HOST)),
                 ShapeError);  // mismatched batch
    EXPECT_THROW(
        linalg::solve_batched(Tensor<double>({5, 4, 3}, HOST), Tensor<double>({5, 4}, HOST)),
        ShapeError);  // not square
    Tensor<double> nan = test::random_tensor<double>({2, 3, 3}, 8);
    nan.set({1, 2, 2}, std::nan(""));
    EXPECT_THROW(linalg::lu_factor_batched(nan), NumericError);
}

}  // namespace
}  // namespace magmadnn
