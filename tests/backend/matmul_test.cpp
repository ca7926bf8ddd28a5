// matmul against a naive triple loop, in f64 (tight bound) and f32 (bound from k * eps).
#include <gtest/gtest.h>

#include <cmath>

#include "magmadnn.h"
#include "test_util.h"

using namespace magmadnn;

namespace {
template <typename T>
Tensor<double> naive(const Tensor<T>& A, bool ta, const Tensor<T>& B, bool tb) {
    const index_t m = ta ? A.shape(1) : A.shape(0), k = ta ? A.shape(0) : A.shape(1);
    const index_t n = tb ? B.shape(0) : B.shape(1);
    Tensor<double> C({m, n}, HOST);
    for (index_t i = 0; i < m; ++i) {
        for (index_t j = 0; j < n; ++j) {
            double s = 0;
            for (index_t p = 0; p < k; ++p) {
                s += double(ta ? A.get({p, i}) : A.get({i, p})) *
                     double(tb ? B.get({j, p}) : B.get({p, j}));
            }
            C.set({i, j}, s);
        }
    }
    return C;
}

template <typename T>
void check_all_transposes(double tol_per_k) {
    const index_t m = 37, n = 23, k = 51;
    std::uint32_t seed = 100;
    for (bool ta : {false, true}) {
        for (bool tb : {false, true}) {
            const auto A = test::random_tensor<T>(ta ? Shape{k, m} : Shape{m, k}, seed++);
            const auto B = test::random_tensor<T>(tb ? Shape{n, k} : Shape{k, n}, seed++);
            const auto C = math::matmul(A, B, ta, tb);
            const auto R = naive(A, ta, B, tb);
            for (index_t i = 0; i < C.size(); ++i) {
                EXPECT_NEAR(double(C.get_flat(i)), R.get_flat(i), tol_per_k * double(k))
                    << "ta=" << ta << " tb=" << tb << " i=" << i;
            }
        }
    }
}
}  // namespace

TEST(Matmul, F64MatchesNaiveLoop) { check_all_transposes<double>(4e-16); }

TEST(Matmul, F32MatchesNaiveLoop) { check_all_transposes<float>(2.4e-7); }

TEST(Matmul, AlphaBetaAccumulate) {
    const auto A = test::random_tensor<double>({4, 6}, 1);
    const auto B = test::random_tensor<double>({6, 5}, 2);
    auto C = test::random_tensor<double>({4, 5}, 3);
    const auto C0 = C.clone();
    math::matmul(2.0, A, false, B, false, -1.0, C);
    const auto R = naive(A, false, B, false);
    for (index_t i = 0; i < C.size(); ++i) {
        EXPECT_NEAR(C.get_flat(i), 2.0 * R.get_flat(i) - C0.get_flat(i), 1e-13);
    }
}

TEST(Matmul, ShapeMismatchNamesShapes) {
    Tensor<float> A({4, 5}, HOST), B({4, 4}, HOST);
    try {
        math::matmul(A, B);
        FAIL();
    } catch (const ShapeError& e) {
        EXPECT_NE(std::string(e.what()).find("matmul"), std::string::npos);
    }
    Tensor<float> v({4}, HOST);
    EXPECT_THROW(math::matmul(v, B), ShapeError);
}

TEST(Matmul, LargeF32UsesTheFastPathCorrectly) {
    // Large enough for oneDNN's blocked, threaded kernels.
    const auto A = test::random_tensor<float>({300, 784}, 7);
    const auto B = test::random_tensor<float>({784, 528}, 8);
    const auto C = math::matmul(A, B);
    const auto R = naive(A, false, B, false);
    double worst = 0;
    for (index_t i = 0; i < C.size(); ++i)
        worst = std::max(worst, std::fabs(C.get_flat(i) - R.get_flat(i)));
    EXPECT_LT(worst, 784 * 1.2e-7 * 4);  // |a||b| <= 1 per term, k * eps with slack 4
}

TEST(Transpose, MatchesIndexSwap) {
    const auto x = test::random_tensor<float>({70, 45}, 9);
    const auto t = math::transpose(x);
    ASSERT_EQ(t.shape(), (Shape{45, 70}));
    for (index_t i = 0; i < 70; ++i) {
        for (index_t j = 0; j < 45; ++j) EXPECT_EQ(t.get({j, i}), x.get({i, j}));
    }
}
