// SVD and randomized SVD against a known spectrum (A = U diag(s) V^T, random orthogonal U, V):
// singular values, orthogonality of U and V, and ||A - U S Vt|| / (||A|| max(m, n) eps).
#include <gtest/gtest.h>

#include "linalg_test_util.h"
#include "magmadnn/core/error.h"
#include "magmadnn/linalg/decomp.h"
#include "test_util.h"

namespace magmadnn {
namespace {

constexpr double kRatio = 30.0;  // LAPACK's threshold

template <typename T>
class SvdTest : public ::testing::Test {};
using Types = ::testing::Types<float, double>;
TYPED_TEST_SUITE(SvdTest, Types);

TYPED_TEST(SvdTest, KnownSpectrumTallAndWide) {
    using T = TypeParam;
    for (auto [m, n] : {std::pair<index_t, index_t>{90, 40}, {40, 90}}) {
        const index_t k = std::min(m, n);
        const std::vector<double> s = test::log_spectrum(k, 1e5);
        const Tensor<T> A = test::with_spectrum<T>(m, n, s, 71);
        const linalg::SVDResult<T> r = linalg::svd(A);
        ASSERT_EQ(r.U.shape(), (Shape{m, k}));
        ASSERT_EQ(r.Vt.shape(), (Shape{k, n}));
        for (index_t i = 0; i < k; ++i) {
            // Weyl: |s_i - s_i*| <= ||E||_2; we allow 30 max(m, n) eps ||A||_2 (= 1 here).
            EXPECT_LT(std::abs(r.S.get({i}) - s[i]) / (std::max(m, n) * test::eps<T>()), kRatio)
                << i;
        }
        EXPECT_LT(test::orthogonality_ratio(r.U), kRatio);
        EXPECT_LT(test::orthogonality_ratio(test::rows_as_columns(r.Vt)), kRatio);
        EXPECT_LT(test::svd_reconstruction_ratio(A, r.U, r.S, r.Vt), kRatio);
    }
}

TEST(RandomizedSvd, LowRankPlusNoiseRecoversLeadingTriplets) {
    const index_t m = 300;
    const index_t n = 200;
    const index_t rank = 10;
    // Spectrum: 10 values from 1 to 0.1, then a tail of 1e-8: the leading 10 are found to a
    // relative error bounded by the tail / gap (~1e-7 here); we require 1e-6.
    std::vector<double> s(static_cast<std::size_t>(n), 1e-8);
    for (index_t i = 0; i < rank; ++i) s[i] = std::pow(10.0, -static_cast<double>(i) / 9.0);
    const Tensor<double> A = test::with_spectrum<double>(m, n, s, 72);
    const auto r = linalg::randomized_svd(A, rank, 10, 2, 7);
    ASSERT_EQ(r.U.shape(), (Shape{m, rank}));
    ASSERT_EQ(r.S.shape(), (Shape{rank}));
    ASSERT_EQ(r.Vt.shape(), (Shape{rank, n}));
    for (index_t i = 0; i < rank; ++i) EXPECT_NEAR(r.S.get({i}) / s[i], 1.0, 1e-6) << i;
    EXPECT_LT(test::orthogonality_ratio(r.U), kRatio);
    EXPECT_LT(test::orthogonality_ratio(test::rows_as_columns(r.Vt)), kRatio);
    EXPECT_THROW(linalg::randomized_svd(A, 0), ValueError);
    EXPECT_THROW(linalg::randomized_svd(A, 201), ValueError);
}

TEST(SvdErrors, NanAndDimensions) {
    Tensor<double> A = test::random_tensor<double>({4, 3}, 73);
    A.set({0, 0}, std::nan(""));
    EXPECT_THROW(linalg::svd(A), NumericError);
    EXPECT_THROW(linalg::svd(Tensor<double>({2, 3, 4}, HOST)), ShapeError);
}

}  // namespace
}  // namespace magmadnn
