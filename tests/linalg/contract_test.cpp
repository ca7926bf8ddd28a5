// Contractions against direct summation in double. Bound: 2 K eps per element (|entries| <= 1).
#include "magmadnn/linalg/contract.h"

#include <gtest/gtest.h>

#include "linalg_test_util.h"
#include "magmadnn/core/error.h"
#include "test_util.h"

namespace magmadnn {
namespace {

TEST(Contract, FemKernelSingleAndBatched) {
    const index_t K = 7, n1 = 5, n2 = 4, n3 = 6, E = 3;
    const Tensor<double> A = test::random_tensor<double>({K, n1}, 1);
    const Tensor<double> B = test::random_tensor<double>({E, K, n2, n3}, 2);
    const Tensor<double> C = linalg::contract_fem(A, B);
    const Tensor<double> C0 = linalg::contract_fem(A, B[0]);
    ASSERT_EQ(C.shape(), (Shape{E, n1, n2, n3}));
    ASSERT_EQ(C0.shape(), (Shape{n1, n2, n3}));
    const double bound = 2 * K * test::eps<double>();
    for (index_t e = 0; e < E; ++e) {
        for (index_t i = 0; i < n1; ++i) {
            for (index_t j = 0; j < n2; ++j) {
                for (index_t l = 0; l < n3; ++l) {
                    double s = 0;
                    for (index_t k = 0; k < K; ++k) s += A.get({k, i}) * B.get({e, k, j, l});
                    EXPECT_NEAR(C.get({e, i, j, l}), s, bound);
                    if (e == 0) {
                        EXPECT_NEAR(C0.get({i, j, l}), s, bound);
                    }
                }
            }
        }
    }
    EXPECT_THROW(linalg::contract_fem(A, Tensor<double>({K + 1, 2, 2}, HOST)), ShapeError);
}

TEST(Contract, GeneralSpecsMatchEinsum) {
    const Tensor<float> X = test::random_tensor<float>({2, 3, 4}, 3);  // b i k
    const Tensor<float> Y = test::random_tensor<float>({2, 4, 5}, 4);  // b k j
    const double bound = 2 * 4 * test::eps<float>();
    // Batched matmul (no permutes), the same with a transposed output (one permute), and a
    // contraction with batch axes in the middle (permutes of both operands).
    const Tensor<float> P = linalg::contract("bik,bkj->bij", X, Y);
    const Tensor<float> Q = linalg::contract("bik,bkj->jbi", X, Y);
    const Tensor<float> Xp = linalg::permute(X, {1, 0, 2});  // i b k
    const Tensor<float> R = linalg::contract("ibk,bkj->bij", Xp, Y);
    ASSERT_EQ(P.shape(), (Shape{2, 3, 5}));
    ASSERT_EQ(Q.shape(), (Shape{5, 2, 3}));
    for (index_t b = 0; b < 2; ++b) {
        for (index_t i = 0; i < 3; ++i) {
            for (index_t j = 0; j < 5; ++j) {
                double s = 0;
                for (index_t k = 0; k < 4; ++k) s += X.get({b, i, k}) * Y.get({b, k, j});
                EXPECT_NEAR(P.get({b, i, j}), s, bound);
                EXPECT_NEAR(Q.get({j, b, i}), s, bound);
                EXPECT_NEAR(R.get({b, i, j}), s, bound);
            }
        }
    }
    // Outer product and full contraction (scalar output).
    const Tensor<float> u = test::random_tensor<float>({3}, 5);
    const Tensor<float> v = test::random_tensor<float>({4}, 6);
    const Tensor<float> O = linalg::contract("i,j->ij", u, v);
    EXPECT_NEAR(O.get({2, 3}), u.get({2}) * v.get({3}), 1e-6);
    const Tensor<float> d = linalg::contract("bik,bik->", X, X);
    double ss = 0;
    for (index_t i = 0; i < X.size(); ++i) ss += X.get_flat(i) * X.get_flat(i);
    EXPECT_NEAR(d.get_flat(0), ss, 24 * test::eps<float>() * ss);
}

TEST(Contract, BadSpecs) {
    const Tensor<float> X({2, 3}, HOST);
    EXPECT_THROW(linalg::contract("ij,jk", X, X), ValueError);
    EXPECT_THROW(linalg::contract("ij,jk->ik", X, Tensor<float>({4, 2}, HOST)), ShapeError);
    EXPECT_THROW(linalg::contract("ii,jk->ik", X, X), ValueError);
    EXPECT_THROW(linalg::contract("ij,jk->iz", X, Tensor<float>({3, 2}, HOST)), ValueError);
    EXPECT_THROW(linalg::contract("ij,kl->il", X, X), UnsupportedError);
    EXPECT_THROW(linalg::contract("ijk,jk->ik", X, X), ShapeError);
    EXPECT_THROW(linalg::permute(X, {0, 0}), ValueError);
}

}  // namespace
}  // namespace magmadnn
