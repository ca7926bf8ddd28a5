// Batched GEMM (strided, fixed-size lists, variable-size lists) against a double-precision
// triple loop. Bound per element: 2 k eps (|alpha| sum_p |a_ip b_pj| + |beta c_ij|), the
// standard dot-product error bound with a factor 2 of slack.
#include <gtest/gtest.h>

#include <cstdlib>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <utility>

#include "linalg_test_util.h"
#include "magmadnn/core/cpu_isa.h"
#include "magmadnn/core/error.h"
#include "magmadnn/linalg/batched.h"
#include "magmadnn/linalg/blas.h"
#include "test_util.h"

namespace magmadnn {
namespace {

template <typename T>
void expect_gemm(const Tensor<T>& A, bool ta, const Tensor<T>& B, bool tb, T alpha, T beta,
                 const Tensor<T>& C0, const Tensor<T>& C, const std::string& what) {
    const index_t m = C.shape(0);
    const index_t n = C.shape(1);
    const index_t k = ta ? A.shape(0) : A.shape(1);
    const test::Mat a = test::to_mat(A);
    const test::Mat b = test::to_mat(B);
    const test::Mat c0 = test::to_mat(C0);
    const test::Mat c = test::to_mat(C);
    int bad = 0;
    for (index_t i = 0; i < m && bad < 5; ++i) {
        for (index_t j = 0; j < n && bad < 5; ++j) {
            double s = 0;
            double mag = 0;
            for (index_t p = 0; p < k; ++p) {
                const double x =
                    (ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
                s += x;
                mag += std::abs(x);
            }
            const double ref = alpha * s + (beta == T(0) ? 0.0 : beta * c0[i * n + j]);
            const double bound =
                2.0 * std::max<index_t>(k, 1) * test::eps<T>() *
                    (std::abs(alpha) * mag + std::abs(beta) * std::abs(c0[i * n + j])) +
                1e-300;
            if (std::abs(c[i * n + j] - ref) > bound) {
                ++bad;
                ADD_FAILURE() << what << " C(" << i << ", " << j << ") = " << c[i * n + j]
                              << ", expected " << ref << " +- " << bound;
            }
        }
    }
}

template <typename T>
class BatchedGemmTest : public ::testing::Test {};
using Types = ::testing::Types<float, double>;
TYPED_TEST_SUITE(BatchedGemmTest, Types);

TYPED_TEST(BatchedGemmTest, StridedAllSizesAndTransposes) {
    using T = TypeParam;
    std::mt19937 gen(5);
    std::uniform_int_distribution<index_t> size(1, 70);
    const index_t batch = 3;
    for (int trial = 0; trial < 24; ++trial) {
        const index_t m = size(gen);
        const index_t n = size(gen);
        const index_t k = size(gen);
        const bool ta = trial % 2 == 1;
        const bool tb = trial % 4 >= 2;
        const T alpha = T(1.5);
        const T beta = trial % 3 == 0 ? T(0) : T(-0.5);
        const auto seed = static_cast<std::uint32_t>(trial * 3);
        const Tensor<T> A =
            test::random_tensor<T>(ta ? Shape{batch, k, m} : Shape{batch, m, k}, seed);
        const Tensor<T> B =
            test::random_tensor<T>(tb ? Shape{batch, n, k} : Shape{batch, k, n}, seed + 1);
        Tensor<T> C = test::random_tensor<T>({batch, m, n}, seed + 2);
        if (beta == T(0)) C.fill(std::numeric_limits<T>::quiet_NaN());  // never read
        const Tensor<T> C0 = C.clone();
        linalg::gemm_batched(alpha, A, B, beta, C, ta, tb);
        for (index_t b = 0; b < batch; ++b) {
            expect_gemm(A[b], ta, B[b], tb, alpha, beta, C0[b], C[b],
                        "m=" + std::to_string(m) + " n=" + std::to_string(n) +
                            " k=" + std::to_string(k) + " ta=" + std::to_string(ta) +
                            " tb=" + std::to_string(tb));
        }
    }
}

TYPED_TEST(BatchedGemmTest, SquareSizesWithCompiledKernels) {
    // f32 square problems of these sizes run kernels compiled for each size (cpu/fixed_gemm.h);
    // every one, with alpha and beta, with a shared B, and a neighbour size that does not
    using T = TypeParam;
    const index_t batch = 5;
    for (index_t n : {4, 5, 8, 12, 16, 20, 24, 28, 32, 40, 48, 56, 64}) {
        for (int variant = 0; variant < 3; ++variant) {
            const T alpha = variant == 0 ? T(1) : T(0.75);
            const T beta = variant == 2 ? T(-0.5) : T(0);
            const auto seed = static_cast<std::uint32_t>(n * 7 + variant);
            const Tensor<T> A = test::random_tensor<T>({batch, n, n}, seed);
            const Tensor<T> B = variant == 1 ? test::random_tensor<T>({n, n}, seed + 1)
                                             : test::random_tensor<T>({batch, n, n}, seed + 1);
            Tensor<T> C = test::random_tensor<T>({batch, n, n}, seed + 2);
            if (beta == T(0)) C.fill(std::numeric_limits<T>::quiet_NaN());  // never read
            const Tensor<T> C0 = C.clone();
            linalg::gemm_batched(alpha, A, B, beta, C);
            for (index_t b = 0; b < batch; ++b) {
                expect_gemm(
                    A[b], false, variant == 1 ? B : B[b], false, alpha, beta, C0[b], C[b],
                    "square n=" + std::to_string(n) + " variant " + std::to_string(variant));
            }
        }
    }
}

TYPED_TEST(BatchedGemmTest, BatchesPastTheCaches) {
    // Over 16 MB of operands: the compiled f32 kernels also fetch the next problem's operands
    // while they compute (small bursts for n <= 16, spread over the k steps above), and the last
    // problem has no next one.
    using T = TypeParam;
    for (const auto& [n, batch] : {std::pair<index_t, index_t>{16, 6000}, {24, 2500}, {64, 400}}) {
        const auto seed = static_cast<std::uint32_t>(n);
        const Tensor<T> A = test::random_tensor<T>({batch, n, n}, seed);
        const Tensor<T> B = test::random_tensor<T>({batch, n, n}, seed + 1);
        Tensor<T> C({batch, n, n}, HOST);
        C.fill(std::numeric_limits<T>::quiet_NaN());  // beta = 0: never read
        linalg::gemm_batched(T(1), A, B, T(0), C);
        for (const index_t b : {index_t(0), index_t(1), batch / 2, batch - 2, batch - 1}) {
            expect_gemm(A[b], false, B[b], false, T(1), T(0), C[b], C[b],
                        "n=" + std::to_string(n) + " problem " + std::to_string(b));
        }
    }
}

TYPED_TEST(BatchedGemmTest, SharedOperandAndLargeProblems) {
    using T = TypeParam;
    // A 2-D W shared by the batch, and problems above the small-kernel limit (library GEMM).
    const Tensor<T> W = test::random_tensor<T>({20, 150}, 1);
    const Tensor<T> X = test::random_tensor<T>({4, 150, 9}, 2);
    Tensor<T> Y({4, 20, 9}, HOST);
    linalg::gemm_batched(T(1), W, X, T(0), Y);
    for (index_t b = 0; b < 4; ++b)
        expect_gemm(W, false, X[b], false, T(1), T(0), Y[b], Y[b], "shared");
    const Tensor<T> Z = linalg::gemm_batched(X, W, true, true);  // X^T W^T {4, 9, 20}
    ASSERT_EQ(Z.shape(), (Shape{4, 9, 20}));
    for (index_t b = 0; b < 4; ++b) expect_gemm(X[b], true, W, true, T(1), T(0), Z[b], Z[b], "tt");
}

TYPED_TEST(BatchedGemmTest, FixedAndVariableSizeLists) {
    using T = TypeParam;
    std::mt19937 gen(9);
    std::uniform_int_distribution<index_t> size(1, 64);
    std::vector<Tensor<T>> As, Bs, Cs, C0s;
    for (int i = 0; i < 40; ++i) {
        const index_t m = size(gen);
        const index_t n = size(gen);
        const index_t k = i == 7 ? 200 : size(gen);  // one large problem in the mix
        As.push_back(test::random_tensor<T>({m, k}, static_cast<std::uint32_t>(i)));
        Bs.push_back(test::random_tensor<T>({k, n}, static_cast<std::uint32_t>(i + 100)));
        Cs.push_back(test::random_tensor<T>({m, n}, static_cast<std::uint32_t>(i + 200)));
        C0s.push_back(Cs.back().clone());
    }
    linalg::gemm_vbatched(T(2), As, Bs, T(1), Cs);
    for (std::size_t i = 0; i < As.size(); ++i) {
        expect_gemm(As[i], false, Bs[i], false, T(2), T(1), C0s[i], Cs[i],
                    "vbatched " + std::to_string(i));
    }
    std::vector<Tensor<T>> Fa, Fb, Fc;
    for (int i = 0; i < 10; ++i) {
        Fa.push_back(test::random_tensor<T>({12, 8}, static_cast<std::uint32_t>(i)));
        Fb.push_back(test::random_tensor<T>({12, 5}, static_cast<std::uint32_t>(i + 50)));
        Fc.push_back(Tensor<T>({8, 5}, HOST));
    }
    linalg::gemm_batched(T(1), Fa, Fb, T(0), Fc, true, false);
    for (std::size_t i = 0; i < Fa.size(); ++i) {
        expect_gemm(Fa[i], true, Fb[i], false, T(1), T(0), Fc[i], Fc[i], "fixed");
    }
}

TEST(BatchedGemmErrors, MismatchedBatchAndShapes) {
    Tensor<float> C({3, 4, 5}, HOST);
    EXPECT_THROW(linalg::gemm_batched(1.0f, Tensor<float>({2, 4, 6}, HOST),
                                      Tensor<float>({3, 6, 5}, HOST), 0.0f, C),
                 ShapeError);
    EXPECT_THROW(linalg::gemm_batched(1.0f, Tensor<float>({3, 4, 6}, HOST),
                                      Tensor<float>({3, 7, 5}, HOST), 0.0f, C),
                 ShapeError);
    std::vector<Tensor<float>> a{Tensor<float>({2, 2}, HOST), Tensor<float>({3, 3}, HOST)};
    std::vector<Tensor<float>> b{Tensor<float>({2, 2}, HOST), Tensor<float>({3, 3}, HOST)};
    std::vector<Tensor<float>> c{Tensor<float>({2, 2}, HOST), Tensor<float>({3, 3}, HOST)};
    EXPECT_THROW(linalg::gemm_batched(1.0f, a, b, 0.0f, c), ShapeError);  // sizes differ
    EXPECT_NO_THROW(linalg::gemm_vbatched(1.0f, a, b, 0.0f, c));
    c.pop_back();
    EXPECT_THROW(linalg::gemm_vbatched(1.0f, a, b, 0.0f, c), ShapeError);
}

}  // namespace
}  // namespace magmadnn

namespace magmadnn {
namespace {

// Sets an environment variable for a scope, restoring the previous value.
class ScopedEnv {
  public:
    ScopedEnv(const char* name, const char* value) : name_(name) {
        if (const char* old = std::getenv(name)) old_ = old;
        setenv(name, value, 1);
    }
    ~ScopedEnv() {
        if (old_) {
            setenv(name_, old_->c_str(), 1);
        } else {
            unsetenv(name_);
        }
    }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

  private:
    const char* name_;
    std::optional<std::string> old_;
};

// The shapes libxsmm can take (alpha 1, beta 0 or 1, no transposes), through each host path.
void check_paths(const char* path) {
    ScopedEnv env("MAGMADNN_GEMM_BATCHED", path);
    for (index_t n : {4, 16, 24, 30, 64}) {
        for (float beta : {0.0f, 1.0f}) {
            const auto A = test::random_tensor<float>({37, n, n + 1}, 1);
            const auto B = test::random_tensor<float>({37, n + 1, n}, 2);
            const auto C0 = test::random_tensor<float>({37, n, n}, 3);
            Tensor<float> C = C0.clone();
            linalg::gemm_batched(1.0f, A, B, beta, C);
            for (index_t b : {0, 17, 36}) {
                expect_gemm(A[b], false, B[b], false, 1.0f, beta, C0[b], C[b],
                            std::string(path) + " n " + std::to_string(n) + " beta " +
                                std::to_string(beta) + " problem " + std::to_string(b));
            }
        }
    }
}

}  // namespace

TEST(BatchedGemmPaths, OwnKernelsLibxsmmAndTheMeasuredChoiceAgree) {
    check_paths("own");
    check_paths("libxsmm");
    check_paths("auto");
    // auto measured each shape once and recorded the winner under this CPU target
    const auto choices = linalg::gemm_batched_choices();
    const std::string target(cpu::isa_name(cpu::active_isa()));
    if (target != "scalar") {  // no libxsmm for the scalar target: nothing to choose
        for (const char* key : {"4x4x5|beta0|", "64x64x65|beta1|"}) {
            const auto it = choices.find(key + target);
            ASSERT_NE(it, choices.end()) << key << target;
            EXPECT_TRUE(it->second == "own" || it->second == "libxsmm") << it->second;
        }
    }
    ScopedEnv bad("MAGMADNN_GEMM_BATCHED", "fastest");
    const auto A = test::random_tensor<float>({3, 8, 8}, 1);
    Tensor<float> C({3, 8, 8});
    try {
        linalg::gemm_batched(1.0f, A, A, 0.0f, C);
        ADD_FAILURE() << "MAGMADNN_GEMM_BATCHED=fastest was accepted";
    } catch (const ValueError& e) {
        EXPECT_NE(std::string(e.what()).find("expected own, libxsmm or auto"), std::string::npos);
    }
}

}  // namespace magmadnn
