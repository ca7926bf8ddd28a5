// BLAS levels 1-3 on tensors against plain double loops (error bounds: n eps of the operands'
// magnitudes, stated per check).
#include "magmadnn/linalg/blas.h"

#include <gtest/gtest.h>

#include "linalg_test_util.h"
#include "magmadnn/core/error.h"
#include "test_util.h"

namespace magmadnn {
namespace {

template <typename T>
class BlasTest : public ::testing::Test {};
using Types = ::testing::Types<float, double>;
TYPED_TEST_SUITE(BlasTest, Types);

TYPED_TEST(BlasTest, LevelOne) {
    using T = TypeParam;
    const index_t n = 1000;
    const Tensor<T> x = test::random_tensor<T>({n}, 1);
    Tensor<T> y = test::random_tensor<T>({10, 100}, 2);  // any shape with n elements
    double dot = 0;
    double nrm = 0;
    for (index_t i = 0; i < n; ++i) {
        dot += static_cast<double>(x.get_flat(i)) * static_cast<double>(y.get_flat(i));
        nrm += static_cast<double>(x.get_flat(i)) * static_cast<double>(x.get_flat(i));
    }
    const double bound = static_cast<double>(n) * test::eps<T>();  // |x|, |y| <= 1
    EXPECT_NEAR(linalg::dot(x, y), dot, bound);
    EXPECT_NEAR(linalg::nrm2(x), std::sqrt(nrm), bound);
    const Tensor<T> y0 = y.clone();
    linalg::axpy(T(2), x, y);
    for (index_t i = 0; i < n; ++i) {
        EXPECT_NEAR(y.get_flat(i), y0.get_flat(i) + 2 * x.get_flat(i), 4 * test::eps<T>());
    }
    EXPECT_THROW(linalg::dot(x, Tensor<T>({3}, HOST)), ShapeError);
}

TYPED_TEST(BlasTest, GemvAndGemmWithTransposes) {
    using T = TypeParam;
    const index_t m = 37;
    const index_t n = 23;
    const Tensor<T> A = test::random_tensor<T>({m, n}, 3);
    const Tensor<T> x = test::random_tensor<T>({n}, 4);
    const Tensor<T> xt = test::random_tensor<T>({m}, 5);
    const test::Mat a = test::to_mat(A);
    const test::Mat ax = test::mat_mul(a, test::to_mat(x), m, n, 1);
    const test::Mat atx = test::mat_mul(test::mat_t(a, m, n), test::to_mat(xt), n, m, 1);
    const double bound = 2.0 * m * test::eps<T>();  // entries in [-1, 1], sums of <= m products
    const Tensor<T> y = linalg::gemv(A, x);
    for (index_t i = 0; i < m; ++i) EXPECT_NEAR(y.get({i}), ax[i], bound);
    Tensor<T> yt = test::random_tensor<T>({n}, 6);
    const Tensor<T> yt0 = yt.clone();
    linalg::gemv(T(2), A, true, xt, T(0.5), yt);
    for (index_t i = 0; i < n; ++i) {
        EXPECT_NEAR(yt.get({i}), 2 * atx[i] + 0.5 * yt0.get({i}), 3 * bound);
    }
    EXPECT_THROW(linalg::gemv(A, xt), ShapeError);

    const Tensor<T> B = test::random_tensor<T>({m, 11}, 7);
    const Tensor<T> C = linalg::gemm(A, B, true, false);  // A^T B {n, 11}
    const test::Mat c = test::mat_mul(test::mat_t(a, m, n), test::to_mat(B), n, m, 11);
    for (index_t i = 0; i < C.size(); ++i) EXPECT_NEAR(C.get_flat(i), c[i], bound);
}

TYPED_TEST(BlasTest, MatmulBatchedAndBroadcast) {
    using T = TypeParam;
    const Tensor<T> A = test::random_tensor<T>({5, 6, 7}, 8);
    const Tensor<T> B = test::random_tensor<T>({5, 7, 3}, 9);
    const Tensor<T> W = test::random_tensor<T>({7, 3}, 10);
    const Tensor<T> C = linalg::matmul(A, B);
    const Tensor<T> D = linalg::matmul(A, W);
    ASSERT_EQ(C.shape(), (Shape{5, 6, 3}));
    ASSERT_EQ(D.shape(), (Shape{5, 6, 3}));
    const double bound = 14 * test::eps<T>();
    for (index_t b = 0; b < 5; ++b) {
        const test::Mat c = test::mat_mul(test::to_mat(A[b]), test::to_mat(B[b]), 6, 7, 3);
        const test::Mat d = test::mat_mul(test::to_mat(A[b]), test::to_mat(W), 6, 7, 3);
        for (index_t i = 0; i < 18; ++i) {
            EXPECT_NEAR(C[b].get_flat(i), c[i], bound);
            EXPECT_NEAR(D[b].get_flat(i), d[i], bound);
        }
    }
    EXPECT_THROW(linalg::matmul(A, Tensor<T>({4, 7, 3}, HOST)), ShapeError);
}

}  // namespace
}  // namespace magmadnn
