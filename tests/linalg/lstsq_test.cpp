// QR least squares and the thin QR: the normal-equation residual ratio, exact recovery for
// consistent systems, orthogonality of Q and ||A - Q R||.
#include <gtest/gtest.h>

#include "linalg_test_util.h"
#include "magmadnn/core/error.h"
#include "magmadnn/linalg/decomp.h"
#include "test_util.h"

namespace magmadnn {
namespace {

constexpr double kRatio = 30.0;  // LAPACK's threshold

template <typename T>
class LstsqTest : public ::testing::Test {};
using Types = ::testing::Types<float, double>;
TYPED_TEST_SUITE(LstsqTest, Types);

TYPED_TEST(LstsqTest, OverdeterminedResidualIsOrthogonalToRange) {
    using T = TypeParam;
    const index_t m = 150;
    const index_t n = 40;
    for (double cond : {1e1, 1e3}) {
        const Tensor<T> A = test::with_spectrum<T>(m, n, test::log_spectrum(n, cond), 51);
        const Tensor<T> b = test::random_tensor<T>({m, 2}, 52);
        const Tensor<T> x = linalg::lstsq(A, b);
        ASSERT_EQ(x.shape(), (Shape{n, 2}));
        // LAPACK's xGELS check: ||A^T (b - A x)|| / (max(m, n) ||A|| ||b|| eps) is O(cond) in
        // working precision; with cond <= 1e3 we require < 30 * cond.
        const test::Mat a = test::to_mat(A);
        const test::Mat r0 = test::mat_mul(a, test::to_mat(x), m, n, 2);
        test::Mat r = test::to_mat(b);
        for (std::size_t i = 0; i < r.size(); ++i) r[i] -= r0[i];
        const test::Mat atr = test::mat_mul(test::mat_t(a, m, n), r, n, m, 2);
        const double ratio =
            test::max_abs(atr) / (static_cast<double>(m) * test::norm_inf(a, m, n) *
                                  test::max_abs(test::to_mat(b)) * test::eps<T>());
        EXPECT_LT(ratio, kRatio * cond) << "cond = " << cond;
    }
}

TYPED_TEST(LstsqTest, ConsistentSystemRecoversSolution) {
    using T = TypeParam;
    const index_t m = 90;
    const index_t n = 30;
    const Tensor<T> A = test::with_spectrum<T>(m, n, test::log_spectrum(n, 10.0), 53);
    const Tensor<T> xt = test::random_tensor<T>({n}, 54);
    const test::Mat bv = test::mat_mul(test::to_mat(A), test::to_mat(xt), m, n, 1);
    Tensor<T> b({m}, HOST);
    for (index_t i = 0; i < m; ++i) b.data()[i] = static_cast<T>(bv[i]);
    const Tensor<T> x = linalg::lstsq(A, b);
    // forward error <= cond * n * eps * 30 (cond = 10)
    for (index_t i = 0; i < n; ++i) {
        EXPECT_NEAR(x.get({i}), xt.get({i}), 10.0 * n * test::eps<T>() * kRatio);
    }
}

TYPED_TEST(LstsqTest, ThinQrIsOrthogonalAndReconstructs) {
    using T = TypeParam;
    for (auto [m, n] : {std::pair<index_t, index_t>{70, 30}, {30, 70}, {40, 40}}) {
        const Tensor<T> A = test::random_tensor<T>({m, n}, 55);
        const auto [Q, R] = linalg::qr(A);
        const index_t k = std::min(m, n);
        ASSERT_EQ(Q.shape(), (Shape{m, k}));
        ASSERT_EQ(R.shape(), (Shape{k, n}));
        EXPECT_LT(test::orthogonality_ratio(Q), kRatio);
        EXPECT_LT(test::qr_reconstruction_ratio(A, Q, R), kRatio);
        for (index_t i = 0; i < k; ++i) {
            for (index_t j = 0; j < i; ++j) EXPECT_EQ(R.get({i, j}), T(0));
        }
    }
}

TEST(LstsqErrors, RankDeficientMismatchNan) {
    Tensor<double> A = test::random_tensor<double>({6, 3}, 56);
    for (index_t i = 0; i < 6; ++i) A.set({i, 1}, 0.0);
    EXPECT_THROW(linalg::lstsq(A, Tensor<double>({6}, HOST)), NumericError);
    EXPECT_THROW(linalg::lstsq(test::random_tensor<double>({6, 3}, 57), Tensor<double>({5}, HOST)),
                 ShapeError);
    Tensor<double> nan = test::random_tensor<double>({6, 3}, 58);
    nan.set({2, 2}, std::nan(""));
    EXPECT_THROW(linalg::lstsq(nan, Tensor<double>({6}, HOST)), NumericError);
}

}  // namespace
}  // namespace magmadnn
