// GPU versions of the linear-algebra routines against the host results or known spectra
// (label unit_gpu; each GPU test skips where no device is present). Bounds as in the host tests.
// Empty shapes run on the host too: both sides must return empty results, not errors.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "linalg_test_util.h"
#include "magmadnn/backend/math.h"
#include "magmadnn/core/device.h"
#include "magmadnn/core/error.h"
#include "magmadnn/linalg/batched.h"
#include "magmadnn/linalg/batched_solve.h"
#include "magmadnn/linalg/blas.h"
#include "magmadnn/linalg/decomp.h"
#include "magmadnn/linalg/mixed.h"
#include "magmadnn/linalg/solve.h"
#include "test_util.h"

namespace magmadnn {
namespace {

constexpr double kRatio = 30.0;  // LAPACK's threshold

TEST(BlasGpu, MatchesHost) {
    MAGMADNN_SKIP_WITHOUT_GPU();
    const Tensor<double> A = test::random_tensor<double>({30, 20}, 11);
    const Tensor<double> x = test::random_tensor<double>({20}, 12);
    const Tensor<double> Ad = A.to(DEVICE);
    const Tensor<double> xd = x.to(DEVICE);
    EXPECT_NEAR(linalg::dot(xd, xd), linalg::dot(x, x), 1e-12);
    EXPECT_NEAR(linalg::nrm2(xd), linalg::nrm2(x), 1e-12);
    const test::Mat yd = test::to_mat(linalg::gemv(Ad, xd));
    const test::Mat yh = test::to_mat(linalg::gemv(A, x));
    for (std::size_t i = 0; i < yh.size(); ++i) EXPECT_NEAR(yd[i], yh[i], 1e-12);
    EXPECT_THROW(linalg::dot(x, xd), DeviceError);
}

// Extents past 2^31 - 1 go through cuBLAS's 64-bit interface whole (the int one would cut them):
// x = y = ones of 2^31 + 7 floats (17 GiB together; skipped on smaller GPUs).
TEST(BlasGpu, VectorsPast32BitExtents) {
    MAGMADNN_SKIP_WITHOUT_GPU();
    if (gpus().front().total_memory < (std::size_t(32) << 30)) {
        GTEST_SKIP() << "needs a GPU with 32 GiB or more";
    }
    const index_t n = (index_t(1) << 31) + 7;
    const double want = static_cast<double>(n);
    Tensor<float> x({n}, DEVICE);  // zeroed, then filled with ones on the device
    Tensor<float> y({n}, DEVICE);
    math::unary(math::UnaryOp::add_scalar, x, x, 1.0f);
    math::unary(math::UnaryOp::add_scalar, y, y, 1.0f);
    EXPECT_NEAR(linalg::dot(x, y), want, 1e-5 * want);
    EXPECT_NEAR(linalg::nrm2(x), std::sqrt(want), 1e-5 * std::sqrt(want));
    linalg::axpy(2.0f, x, y);
    EXPECT_EQ(y.get_flat(0), 3.0f);
    EXPECT_EQ(y.get_flat(n - 1), 3.0f);
    // gemv and gemm with a leading dimension and an inner extent of n
    const Tensor<float> row = x.reshape({1, n});
    EXPECT_NEAR(linalg::gemv(row, x).get_flat(0), want, 1e-5 * want);
    EXPECT_NEAR(linalg::gemm(row, x.reshape({n, 1})).get_flat(0), want, 1e-5 * want);
}

TEST(SolveGpu, MatchesHostResidual) {
    MAGMADNN_SKIP_WITHOUT_GPU();
    const index_t n = 100;
    const Tensor<double> A = test::with_spectrum<double>(n, n, test::log_spectrum(n, 1e6), 31);
    const Tensor<double> b = test::random_tensor<double>({n, 2}, 32);
    for (memory_t m : {DEVICE, MANAGED}) {
        const Tensor<double> x = linalg::solve(A.to(m), b.to(m));
        EXPECT_EQ(x.memory(), m);
        EXPECT_LT(test::solve_ratio(A, x.to(HOST), b), kRatio);
        const auto f = linalg::lu_factor(A.to(m));
        EXPECT_LT(test::solve_ratio(A, linalg::lu_solve(f, b.to(m)).to(HOST), b), kRatio);
        const Tensor<double> At = math::transpose(A);
        EXPECT_LT(test::solve_ratio(At, linalg::lu_solve(f, b.to(m), true).to(HOST), b), kRatio);
    }
}

TEST(CholeskyGpu, MatchesHost) {
    MAGMADNN_SKIP_WITHOUT_GPU();
    const index_t n = 64;
    const Tensor<double> A =
        test::symmetric_with_eigenvalues<double>(test::log_spectrum(n, 1e5), 45);
    const Tensor<double> L = linalg::cholesky(A.to(DEVICE));
    const Tensor<double> Lh = linalg::cholesky(A);
    const test::Mat a = test::to_mat(L);
    const test::Mat b = test::to_mat(Lh);
    for (std::size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-12);
    const Tensor<double> rhs = test::random_tensor<double>({n}, 46);
    EXPECT_LT(test::solve_ratio(A, linalg::cholesky_solve(L, rhs.to(DEVICE)).to(HOST), rhs),
              kRatio);
}

TEST(LstsqGpu, MatchesHost) {
    MAGMADNN_SKIP_WITHOUT_GPU();
    const Tensor<double> A = test::random_tensor<double>({80, 20}, 59);
    const Tensor<double> b = test::random_tensor<double>({80, 2}, 60);
    const test::Mat xd = test::to_mat(linalg::lstsq(A.to(DEVICE), b.to(DEVICE)));
    const test::Mat xh = test::to_mat(linalg::lstsq(A, b));
    for (std::size_t i = 0; i < xh.size(); ++i) EXPECT_NEAR(xd[i], xh[i], 1e-10);
}

// Q orthonormal, R upper triangular and Q R = A, tall, wide and square, as the host test.
template <typename T>
void expect_thin_qr(std::uint32_t seed) {
    for (auto [m, n] : {std::pair<index_t, index_t>{70, 30}, {30, 70}, {40, 40}}) {
        SCOPED_TRACE(::testing::Message() << "A {" << m << ", " << n << "}");
        const Tensor<T> A = test::random_tensor<T>({m, n}, seed);
        const auto [Q, R] = linalg::qr(A.to(DEVICE));
        const index_t k = std::min(m, n);
        ASSERT_EQ(Q.shape(), (Shape{m, k}));
        ASSERT_EQ(R.shape(), (Shape{k, n}));
        EXPECT_LT(test::orthogonality_ratio(Q.to(HOST)), kRatio);
        EXPECT_LT(test::qr_reconstruction_ratio(A, Q, R), kRatio);
        EXPECT_EQ(test::below_diagonal_max(R), 0.0);
    }
}

TEST(QrGpu, OrthogonalTriangularAndReconstructs) {
    MAGMADNN_SKIP_WITHOUT_GPU();
    expect_thin_qr<float>(61);
    expect_thin_qr<double>(62);
}

// Eigenvalues against the known spectrum, S V = V diag(w) and V orthogonal: a transposed V
// (eigenvectors in rows) fails the residual.
template <typename T>
void expect_eigh(index_t n, std::uint32_t seed) {
    const std::vector<double> w = test::log_spectrum(n, 1e3);  // descending; eigh ascends
    const Tensor<T> S = test::symmetric_with_eigenvalues<T>(w, seed);
    const auto [vals, vecs] = linalg::eigh(S.to(DEVICE));
    EXPECT_EQ(vals.memory(), DEVICE);
    const test::Mat v = test::to_mat(vals);
    for (index_t i = 0; i < n; ++i) {
        EXPECT_LT(std::abs(v[i] - w[n - 1 - i]) / (n * test::eps<T>()), kRatio) << i;
    }
    EXPECT_LT(test::eigh_residual_ratio(S, vals, vecs), kRatio);
    EXPECT_LT(test::orthogonality_ratio(vecs.to(HOST)), kRatio);
}

TEST(EighGpu, KnownSpectrumResidualAndOrthogonality) {
    MAGMADNN_SKIP_WITHOUT_GPU();
    expect_eigh<float>(40, 63);
    expect_eigh<double>(50, 64);
}

// Singular values against the known spectrum, U and V orthonormal, U diag(s) Vt = A.
template <typename T>
void expect_svd(std::uint32_t seed) {
    for (auto [m, n] : {std::pair<index_t, index_t>{60, 30}, {30, 60}}) {
        SCOPED_TRACE(::testing::Message() << "A {" << m << ", " << n << "}");
        const index_t k = std::min(m, n);
        const std::vector<double> s = test::log_spectrum(k, 1e4);
        const Tensor<T> A = test::with_spectrum<T>(m, n, s, seed);
        const auto r = linalg::svd(A.to(DEVICE));
        ASSERT_EQ(r.U.shape(), (Shape{m, k}));
        ASSERT_EQ(r.S.shape(), (Shape{k}));
        ASSERT_EQ(r.Vt.shape(), (Shape{k, n}));
        const test::Mat sv = test::to_mat(r.S);
        for (index_t i = 0; i < k; ++i) {
            EXPECT_LT(std::abs(sv[i] - s[i]) / (std::max(m, n) * test::eps<T>()), kRatio) << i;
        }
        EXPECT_LT(test::orthogonality_ratio(r.U.to(HOST)), kRatio);
        EXPECT_LT(test::orthogonality_ratio(test::rows_as_columns(r.Vt)), kRatio);
        EXPECT_LT(test::svd_reconstruction_ratio(A, r.U, r.S, r.Vt), kRatio);
    }
}

TEST(SvdGpu, KnownSpectrumOrthogonalityAndReconstruction) {
    MAGMADNN_SKIP_WITHOUT_GPU();
    expect_svd<float>(74);
    expect_svd<double>(75);
}

// The errors the host promises, from the GPU path: a NaN found by the device scan (its flat
// index and value in the message), a rank-deficient least-squares A.
TEST(LinalgErrorsGpu, NanAndRankDeficiency) {
    MAGMADNN_SKIP_WITHOUT_GPU();
    for (memory_t m : {DEVICE, MANAGED}) {
        Tensor<double> A = test::random_tensor<double>({300, 300}, 81);
        A.set({299, 298}, std::nan(""));
        const Tensor<double> b = test::random_tensor<double>({300}, 82);
        try {
            linalg::solve(A.to(m), b.to(m));
            ADD_FAILURE() << "no NumericError for a NaN in A";
        } catch (const NumericError& e) {
            const std::string msg = e.what();
            EXPECT_NE(msg.find("flat index 89998"), std::string::npos) << msg;
            EXPECT_NE(msg.find("nan"), std::string::npos) << msg;
        }
        Tensor<float> inf = test::random_tensor<float>({20, 20}, 83);
        inf.set({0, 3}, std::numeric_limits<float>::infinity());
        inf.set({7, 1}, std::nanf(""));
        try {
            linalg::eigh(inf.to(m));
            ADD_FAILURE() << "no NumericError for an infinity in S";
        } catch (const NumericError& e) {
            EXPECT_NE(std::string(e.what()).find("flat index 3;"), std::string::npos) << e.what();
        }
        Tensor<double> D = test::random_tensor<double>({6, 3}, 84);
        for (index_t i = 0; i < 6; ++i) D.set({i, 1}, 0.0);
        try {
            linalg::lstsq(D.to(m), Tensor<double>({6}, m));
            ADD_FAILURE() << "no NumericError for a rank-deficient A";
        } catch (const NumericError& e) {
            const std::string msg = e.what();
            EXPECT_NE(msg.find("rank deficient"), std::string::npos) << msg;
            EXPECT_NE(msg.find("diagonal element 1 "), std::string::npos) << msg;
        }
    }
    // more elements than the scan's grid covers in one sweep (4096 blocks of 256 threads): a
    // finite b passes, a NaN in its last element is found
    const index_t n = 2048, nrhs = 1024;
    Tensor<float> eye({n, n}, HOST);
    for (index_t i = 0; i < n; ++i) eye.set({i, i}, 1.0f);
    const Tensor<float> L = eye.to(DEVICE);
    Tensor<float> big = test::random_tensor<float>({n, nrhs}, 85);
    EXPECT_EQ(linalg::cholesky_solve(L, big.to(DEVICE)).to_vector(), big.to_vector());
    big.set({n - 1, nrhs - 1}, std::nanf(""));
    try {
        linalg::cholesky_solve(L, big.to(DEVICE));
        ADD_FAILURE() << "no NumericError for a NaN in b";
    } catch (const NumericError& e) {
        EXPECT_NE(std::string(e.what()).find("flat index 2097151;"), std::string::npos) << e.what();
    }
}

// Host results (or errors) element by element, within tol.
template <typename T>
void expect_close(const Tensor<T>& got, const Tensor<T>& want, double tol, const char* what) {
    ASSERT_EQ(got.shape(), want.shape()) << what;
    const test::Mat g = test::to_mat(got.to(HOST));
    const test::Mat w = test::to_mat(want);
    for (std::size_t i = 0; i < w.size(); ++i) EXPECT_NEAR(g[i], w[i], tol) << what << " " << i;
}

TEST(MixedSolveGpu, RefinesToF64OnTensorCoresAndInF32) {
    MAGMADNN_SKIP_WITHOUT_GPU();
    const index_t n = 200;
    const Tensor<double> A = test::with_spectrum<double>(n, n, test::log_spectrum(n, 1e2), 91);
    const double bound = std::sqrt(static_cast<double>(n)) * test::eps<double>();
    for (const index_t nrhs : {index_t(1), index_t(3)}) {
        const Tensor<double> b = nrhs == 1 ? test::random_tensor<double>({n}, 92)
                                           : test::random_tensor<double>({n, nrhs}, 92);
        for (const auto p : {linalg::LowPrecision::automatic, linalg::LowPrecision::f32,
                             linalg::LowPrecision::bf16, linalg::LowPrecision::tf32}) {
            // bf16 (8 bits) contracts by about cond u = 0.4 per step: GMRES-IR (one right-hand
            // side) copes, plain classical refinement (several) would need ~40 steps
            if (p == linalg::LowPrecision::bf16 && nrhs > 1) continue;
            linalg::MixedOptions o;
            o.precision = p;
            const linalg::MixedSolveResult r = linalg::solve_mixed(A.to(DEVICE), b.to(DEVICE), o);
            SCOPED_TRACE(::testing::Message()
                         << "nrhs " << nrhs << " method " << linalg::to_string(r.method)
                         << " iterations " << r.iterations << " gmres " << r.gmres_iterations);
            EXPECT_EQ(r.x.memory(), DEVICE);
            EXPECT_NE(r.method, linalg::MixedMethod::f64_fallback);  // cond 1e2 converges
            EXPECT_GE(r.iterations, 1);  // no low precision is f64-accurate by itself
            EXPECT_LE(r.backward_error, bound);
            EXPECT_LT(test::solve_ratio(A, r.x.to(HOST), b), kRatio);
            // f32, f16 and tf32 contract by cond u <= 0.05 per step: classical refinement
            // converges by itself, and the result says so (not GMRES-IR)
            if (p != linalg::LowPrecision::bf16) {
                EXPECT_EQ(r.method, linalg::MixedMethod::refinement);
            }
            if (r.method != linalg::MixedMethod::gmres_refinement) {
                EXPECT_EQ(r.gmres_iterations, 0);
            }
        }
    }
}

// One right-hand side, cond 1e6 with an f16 LU (cond u ~ 500): classical refinement diverges,
// so GMRES-IR or the f64 solve finishes, and the result names which one did.
TEST(MixedSolveGpu, ReportsGmresOnlyWhereClassicalRefinementFailed) {
    MAGMADNN_SKIP_WITHOUT_GPU();
    const index_t n = 200;
    const Tensor<double> A = test::with_spectrum<double>(n, n, test::log_spectrum(n, 1e6), 94);
    const Tensor<double> b = test::random_tensor<double>({n}, 95);
    linalg::MixedOptions o;
    o.precision = linalg::LowPrecision::f16;
    const linalg::MixedSolveResult r = linalg::solve_mixed(A.to(DEVICE), b.to(DEVICE), o);
    SCOPED_TRACE(::testing::Message() << "method " << linalg::to_string(r.method) << " iterations "
                                      << r.iterations << " gmres " << r.gmres_iterations);
    EXPECT_NE(r.method, linalg::MixedMethod::refinement);
    if (r.method == linalg::MixedMethod::gmres_refinement) {
        EXPECT_GE(r.gmres_iterations, 1);
    }
    EXPECT_LE(r.backward_error, std::sqrt(static_cast<double>(n)) * test::eps<double>());
    EXPECT_LT(test::solve_ratio(A, r.x.to(HOST), b), kRatio);
}

TEST(BatchedSolveGpu, MatchesHost) {
    MAGMADNN_SKIP_WITHOUT_GPU();
    const index_t batch = 7, n = 12;
    Tensor<double> A({batch, n, n}, HOST);
    Tensor<double> S({batch, n, n}, HOST);
    for (index_t i = 0; i < batch; ++i) {
        A[i].copy_from(test::with_spectrum<double>(n, n, test::log_spectrum(n, 1e3),
                                                   static_cast<std::uint32_t>(100 + i)));
        S[i].copy_from(test::symmetric_with_eigenvalues<double>(
            test::log_spectrum(n, 1e3), static_cast<std::uint32_t>(200 + i)));
    }
    const Tensor<double> b = test::random_tensor<double>({batch, n, 2}, 93);
    expect_close(linalg::solve_batched(A.to(DEVICE), b.to(DEVICE)), linalg::solve_batched(A, b),
                 1e-9, "solve_batched");
    const auto f = linalg::lu_factor_batched(A.to(DEVICE));
    const auto fh = linalg::lu_factor_batched(A);
    for (const bool t : {false, true}) {
        expect_close(linalg::lu_solve_batched(f, b.to(DEVICE), t),
                     linalg::lu_solve_batched(fh, b, t), 1e-9, "lu_solve_batched");
    }
    const Tensor<double> L = linalg::cholesky_batched(S.to(DEVICE));
    expect_close(L, linalg::cholesky_batched(S), 1e-12, "cholesky_batched");
    expect_close(linalg::cholesky_solve_batched(L, b.to(DEVICE)),
                 linalg::cholesky_solve_batched(linalg::cholesky_batched(S), b), 1e-9,
                 "cholesky_solve_batched");
}

TEST(BatchedGemmGpu, StridedListsAndZeroDepthMatchHost) {
    MAGMADNN_SKIP_WITHOUT_GPU();
    for (const bool ta : {false, true}) {
        for (const bool tb : {false, true}) {
            const Tensor<double> A =
                test::random_tensor<double>(ta ? Shape{5, 7, 3} : Shape{5, 3, 7}, 94);
            const Tensor<double> B =
                test::random_tensor<double>(tb ? Shape{5, 4, 7} : Shape{5, 7, 4}, 95);
            expect_close(linalg::gemm_batched(A.to(DEVICE), B.to(DEVICE), ta, tb),
                         linalg::gemm_batched(A, B, ta, tb), 1e-12, "gemm_batched");
        }
    }
    // k = 0: C = beta C (cuBLAS needs leading dimensions >= 1 here)
    const Tensor<double> C0 = test::random_tensor<double>({2, 3, 4}, 96);
    Tensor<double> C = C0.to(DEVICE);
    linalg::gemm_batched(1.0, Tensor<double>({2, 3, 0}, DEVICE), Tensor<double>({2, 0, 4}, DEVICE),
                         0.5, C);
    Tensor<double> half = C0.clone();
    for (index_t i = 0; i < half.size(); ++i) half.data()[i] *= 0.5;
    expect_close(C, half, 1e-15, "k = 0");
    // variable sizes, one with k = 0
    std::vector<Tensor<double>> As, Bs, Cs, Hs;
    const index_t dims[][3] = {{3, 4, 5}, {6, 2, 1}, {2, 5, 0}};
    for (const auto& d : dims) {
        As.push_back(test::random_tensor<double>({d[0], d[2]}, 97));
        Bs.push_back(test::random_tensor<double>({d[2], d[1]}, 98));
        Hs.push_back(test::random_tensor<double>({d[0], d[1]}, 99));
        Cs.push_back(Hs.back().to(DEVICE));
    }
    std::vector<Tensor<double>> Ad, Bd;
    for (std::size_t i = 0; i < As.size(); ++i) {
        Ad.push_back(As[i].to(DEVICE));
        Bd.push_back(Bs[i].to(DEVICE));
    }
    linalg::gemm_vbatched(1.0, Ad, Bd, 0.5, Cs);
    linalg::gemm_vbatched(1.0, As, Bs, 0.5, Hs);
    for (std::size_t i = 0; i < Hs.size(); ++i) expect_close(Cs[i], Hs[i], 1e-12, "gemm_vbatched");
}

// Empty problems give empty results of the right shapes, on either side.
void expect_empty_results(memory_t m) {
    const Tensor<double> A00({0, 0}, m);
    const Tensor<double> b0({0}, m);
    EXPECT_EQ(linalg::solve(A00, b0).shape(), (Shape{0}));
    const auto f = linalg::lu_factor(A00);
    EXPECT_EQ(f.lu.shape(), (Shape{0, 0}));
    EXPECT_EQ(linalg::lu_solve(f, b0).shape(), (Shape{0}));
    EXPECT_EQ(linalg::cholesky(A00).shape(), (Shape{0, 0}));
    EXPECT_EQ(linalg::cholesky_solve(A00, b0).shape(), (Shape{0}));
    EXPECT_EQ(linalg::eigh(A00).eigenvalues.shape(), (Shape{0}));
    const Tensor<double> A03({0, 3}, m);
    const auto q = linalg::qr(A03);
    EXPECT_EQ(q.Q.shape(), (Shape{0, 0}));
    EXPECT_EQ(q.R.shape(), (Shape{0, 3}));
    const auto s = linalg::svd(A03);
    EXPECT_EQ(s.S.shape(), (Shape{0}));
    EXPECT_EQ(s.Vt.shape(), (Shape{0, 3}));
    EXPECT_EQ(linalg::lstsq(Tensor<double>({3, 0}, m), Tensor<double>({3}, m)).shape(), (Shape{0}));
    const Tensor<double> batch0({0, 4, 4}, m);
    const Tensor<double> rhs0({0, 4}, m);
    EXPECT_EQ(linalg::solve_batched(batch0, rhs0).shape(), (Shape{0, 4}));
    EXPECT_EQ(linalg::lu_solve_batched(linalg::lu_factor_batched(batch0), rhs0).shape(),
              (Shape{0, 4}));
    EXPECT_EQ(linalg::cholesky_solve_batched(linalg::cholesky_batched(batch0), rhs0).shape(),
              (Shape{0, 4}));
}

TEST(LinalgEmptyShapes, Host) { expect_empty_results(HOST); }

TEST(LinalgEmptyShapesGpu, Device) {
    MAGMADNN_SKIP_WITHOUT_GPU();
    expect_empty_results(DEVICE);
}

}  // namespace
}  // namespace magmadnn
