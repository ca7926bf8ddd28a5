// Symmetric eigensolver against a known spectrum: eigenvalue error / (||S|| n eps), the residual
// ||S V - V diag(w)|| / (||S|| n eps) and the orthogonality of V.
#include <gtest/gtest.h>

#include "linalg_test_util.h"
#include "magmadnn/core/error.h"
#include "magmadnn/linalg/decomp.h"
#include "test_util.h"

namespace magmadnn {
namespace {

constexpr double kRatio = 30.0;  // LAPACK's threshold

template <typename T>
class EighTest : public ::testing::Test {};
using Types = ::testing::Types<float, double>;
TYPED_TEST_SUITE(EighTest, Types);

TYPED_TEST(EighTest, KnownSpectrumAscending) {
    using T = TypeParam;
    const index_t n = 80;
    std::vector<double> w(static_cast<std::size_t>(n));
    for (index_t i = 0; i < n; ++i) w[i] = -3.0 + 0.1 * static_cast<double>(i * i % 97);
    const Tensor<T> S = test::symmetric_with_eigenvalues<T>(w, 61);
    const auto [vals, vecs] = linalg::eigh(S);
    std::sort(w.begin(), w.end());
    const double snorm = test::norm_inf(test::to_mat(S), n, n);
    for (index_t i = 0; i < n; ++i) {
        EXPECT_LT(std::abs(vals.get({i}) - w[i]) / (snorm * n * test::eps<T>()), kRatio) << i;
        if (i > 0) {
            EXPECT_LE(vals.get({i - 1}), vals.get({i}));
        }
    }
    EXPECT_LT(test::eigh_residual_ratio(S, vals, vecs), kRatio);
    EXPECT_LT(test::orthogonality_ratio(vecs), kRatio);
}

TEST(EighErrors, NonSquareAndNan) {
    EXPECT_THROW(linalg::eigh(Tensor<double>({3, 2}, HOST)), ShapeError);
    Tensor<float> S = test::symmetric_with_eigenvalues<float>({1, 2, 3}, 62);
    S.set({2, 1}, std::nanf(""));
    EXPECT_THROW(linalg::eigh(S), NumericError);
}

}  // namespace
}  // namespace magmadnn
