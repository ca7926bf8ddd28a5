// op::solve, op::lstsq and op::batched_matmul: finite-difference gradient checks in f64 (harness
// and bound: gradient_check.h) for every shape form, forward values against linalg:: and
// residuals, f32 forward values, and the errors for bad shapes, singular matrices and GPU memory.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "gradient_check.h"
#include "magmadnn.h"
#include "test_util.h"

using namespace magmadnn;
using OpD = op::OpPtr<double>;
using test::check_gradients;
using test::rnd;

namespace {

// Random matrices plus n I (each of a batch): diagonally dominant, so the condition number stays
// near 1 and finite differences through a solve keep their accuracy.
template <typename T = double>
Tensor<T> well_conditioned(const Shape& s, std::uint32_t seed) {
    Tensor<T> a = test::random_tensor<T>(s, seed);
    const index_t n = s.back();
    const index_t batch = a.size() / (n * n);
    T* p = a.data();
    for (index_t b = 0; b < batch; ++b) {
        for (index_t i = 0; i < n; ++i) p[b * n * n + i * n + i] += static_cast<T>(n);
    }
    return a;
}

// C = A B for row-major A {m, k}, B {k, n} given as pointers, in double.
void ref_matmul(const double* a, const double* b, double* c, index_t m, index_t k, index_t n) {
    for (index_t i = 0; i < m; ++i) {
        for (index_t j = 0; j < n; ++j) {
            double s = 0;
            for (index_t p = 0; p < k; ++p) s += a[i * k + p] * b[p * n + j];
            c[i * n + j] = s;
        }
    }
}

double max_abs_diff(const Tensor<double>& x, const Tensor<double>& y) {
    EXPECT_EQ(x.shape(), y.shape());
    double d = 0;
    for (index_t i = 0; i < x.size(); ++i)
        d = std::max(d, std::fabs(x.get_flat(i) - y.get_flat(i)));
    return d;
}

// The message of the exception `f` throws as E ("" and a test failure if it throws nothing).
template <typename E, typename F>
std::string message_of(F&& f) {
    try {
        f();
    } catch (const E& e) {
        return e.what();
    }
    ADD_FAILURE() << "no exception thrown";
    return "";
}

bool contains(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
}

}  // namespace

// --- gradients ---

TEST(LinalgOpsGradCheck, SolveVectorRhs) {
    check_gradients([](auto v) { return op::solve(v[0], v[1]); },
                    {well_conditioned({4, 4}, 1), rnd({4}, 2)});
}

TEST(LinalgOpsGradCheck, SolveMatrixRhs) {
    check_gradients([](auto v) { return op::solve(v[0], v[1]); },
                    {well_conditioned({5, 5}, 3), rnd({5, 3}, 4)});
}

TEST(LinalgOpsGradCheck, SolveBatched) {
    check_gradients([](auto v) { return op::solve(v[0], v[1]); },
                    {well_conditioned({3, 4, 4}, 5), rnd({3, 4, 2}, 6)});
    check_gradients([](auto v) { return op::solve(v[0], v[1]); },
                    {well_conditioned({2, 3, 3}, 7), rnd({2, 3}, 8)});
}

TEST(LinalgOpsGradCheck, SolveWithAUsedTwice) {
    // A reaches the solve as the matrix and through the right-hand side A C: both gradient
    // contributions must accumulate.
    check_gradients([](auto v) { return op::solve(v[0], op::matmul(op::transpose(v[0]), v[1])); },
                    {well_conditioned({4, 4}, 9), rnd({4, 2}, 10)});
}

TEST(LinalgOpsGradCheck, LstsqVectorRhs) {
    check_gradients([](auto v) { return op::lstsq(v[0], v[1]); }, {rnd({6, 3}, 11), rnd({6}, 12)});
}

TEST(LinalgOpsGradCheck, LstsqMatrixRhs) {
    check_gradients([](auto v) { return op::lstsq(v[0], v[1]); },
                    {rnd({7, 4}, 13), rnd({7, 2}, 14)});
}

TEST(LinalgOpsGradCheck, LstsqSquareIsASolve) {
    // m = n: the residual is zero and the gradients are those of solve.
    check_gradients([](auto v) { return op::lstsq(v[0], v[1]); },
                    {well_conditioned({4, 4}, 15), rnd({4, 2}, 16)});
}

TEST(LinalgOpsGradCheck, BatchedMatmulBothBatched) {
    check_gradients([](auto v) { return op::batched_matmul(v[0], v[1]); },
                    {rnd({3, 2, 4}, 17), rnd({3, 4, 5}, 18)});
}

TEST(LinalgOpsGradCheck, BatchedMatmulSharedOperand) {
    check_gradients([](auto v) { return op::batched_matmul(v[0], v[1]); },
                    {rnd({2, 4}, 19), rnd({3, 4, 5}, 20)});
    check_gradients([](auto v) { return op::batched_matmul(v[0], v[1]); },
                    {rnd({3, 2, 4}, 21), rnd({4, 5}, 22)});
}

TEST(LinalgOpsGradCheck, BatchedMatmulBatchOfOneBroadcasts) {
    check_gradients([](auto v) { return op::batched_matmul(v[0], v[1]); },
                    {rnd({1, 2, 4}, 23), rnd({3, 4, 5}, 24)});
    check_gradients([](auto v) { return op::batched_matmul(v[0], v[1]); },
                    {rnd({3, 2, 4}, 25), rnd({1, 4, 5}, 26)});
}

TEST(LinalgOpsGradCheck, BatchedMatmulPlainAndAccumulating) {
    check_gradients([](auto v) { return op::batched_matmul(v[0], v[1]); },
                    {rnd({3, 4}, 27), rnd({4, 2}, 28)});
    // the same operand on both sides, and a shared weight used by two products
    check_gradients([](auto v) { return op::batched_matmul(v[0], v[0]); }, {rnd({2, 3, 3}, 29)});
    check_gradients(
        [](auto v) {
            return op::add(op::batched_matmul(v[0], v[2]), op::batched_matmul(v[1], v[2]));
        },
        {rnd({2, 3, 4}, 30), rnd({2, 3, 4}, 31), rnd({4, 2}, 32)});
    check_gradients(
        [](auto v) {
            return op::add(op::batched_matmul(v[2], v[0]), op::batched_matmul(v[2], v[1]));
        },
        {rnd({2, 4, 3}, 33), rnd({2, 4, 3}, 34), rnd({2, 4}, 35)});
}

TEST(LinalgOpsGradCheck, ChainedOps) {
    // a least-squares fit of batched products, then a solve with the fitted coefficients
    check_gradients(
        [](auto v) {
            auto prod = op::batched_matmul(v[0], v[1]);  // {6, 3}
            auto coef = op::lstsq(prod, v[2]);           // {3, 2}
            return op::solve(v[3], coef);
        },
        {rnd({6, 4}, 36), rnd({4, 3}, 37), rnd({6, 2}, 38), well_conditioned({3, 3}, 39)});
}

// --- forward values ---

TEST(LinalgOpsForward, SolveMatchesLinalgAndSolves) {
    const Tensor<double> A = well_conditioned({6, 6}, 40);
    const Tensor<double> B = rnd({6, 3}, 41);
    const Tensor<double> X = op::solve(op::var("A", A), op::var("B", B))->eval().clone();
    // the node factors once and keeps the factors for the backward pass
    EXPECT_EQ(max_abs_diff(X, linalg::lu_solve(linalg::lu_factor(A), B)), 0.0);
    EXPECT_LT(max_abs_diff(X, linalg::solve(A, B)), 1e-14);
    Tensor<double> AX({6, 3}, HOST);
    ref_matmul(A.cdata(), X.cdata(), AX.data(), 6, 6, 3);
    EXPECT_LT(max_abs_diff(AX, B), 1e-13);

    const Tensor<double> As = well_conditioned({4, 5, 5}, 42);
    const Tensor<double> bs = rnd({4, 5}, 43);
    const Tensor<double> xs = op::solve(op::var("As", As), op::var("bs", bs))->eval().clone();
    ASSERT_EQ(xs.shape(), (Shape{4, 5}));
    EXPECT_EQ(max_abs_diff(xs, linalg::solve_batched(As, bs)), 0.0);
    for (index_t b = 0; b < 4; ++b) {
        Tensor<double> r({5}, HOST);
        ref_matmul(As[b].cdata(), xs[b].cdata(), r.data(), 5, 5, 1);
        EXPECT_LT(max_abs_diff(r, bs[b].clone()), 1e-13) << "problem " << b;
    }
}

TEST(LinalgOpsForward, LstsqMatchesLinalgAndNormalEquations) {
    const Tensor<double> A = rnd({9, 4}, 44);
    const Tensor<double> B = rnd({9, 2}, 45);
    const Tensor<double> X = op::lstsq(op::var("A", A), op::var("B", B))->eval().clone();
    ASSERT_EQ(X.shape(), (Shape{4, 2}));
    EXPECT_EQ(max_abs_diff(X, linalg::lstsq(A, B)), 0.0);
    // A^T (A X - B) = 0
    Tensor<double> r({9, 2}, HOST);
    ref_matmul(A.cdata(), X.cdata(), r.data(), 9, 4, 2);
    for (index_t i = 0; i < r.size(); ++i) r.data()[i] -= B.cdata()[i];
    Tensor<double> At = math::transpose(A);
    Tensor<double> atr({4, 2}, HOST);
    ref_matmul(At.cdata(), r.cdata(), atr.data(), 4, 9, 2);
    EXPECT_LT(max_abs_diff(atr, Tensor<double>({4, 2}, HOST)), 1e-13);

    const Tensor<double> b = rnd({9}, 46);
    const Tensor<double> x = op::lstsq(op::var("A", A), op::var("b", b))->eval().clone();
    ASSERT_EQ(x.shape(), (Shape{4}));
    EXPECT_EQ(max_abs_diff(x, linalg::lstsq(A, b)), 0.0);
}

TEST(LinalgOpsForward, BatchedMatmulMatchesPerProblemProducts) {
    const Tensor<double> A = rnd({3, 5, 7}, 47);
    const Tensor<double> B = rnd({3, 7, 4}, 48);
    const Tensor<double> W = rnd({7, 4}, 49);
    const Tensor<double> C = op::batched_matmul(op::var("A", A), op::var("B", B))->eval().clone();
    const Tensor<double> D = op::batched_matmul(op::var("A", A), op::var("W", W))->eval().clone();
    ASSERT_EQ(C.shape(), (Shape{3, 5, 4}));
    ASSERT_EQ(D.shape(), (Shape{3, 5, 4}));
    for (index_t b = 0; b < 3; ++b) {
        Tensor<double> ref({5, 4}, HOST);
        ref_matmul(A[b].cdata(), B[b].cdata(), ref.data(), 5, 7, 4);
        EXPECT_LT(max_abs_diff(C[b].clone(), ref), 1e-13) << "problem " << b;
        ref_matmul(A[b].cdata(), W.cdata(), ref.data(), 5, 7, 4);
        EXPECT_LT(max_abs_diff(D[b].clone(), ref), 1e-13) << "shared, problem " << b;
    }
    const Tensor<double> P = rnd({5, 7}, 50);
    const Tensor<double> E = op::batched_matmul(op::var("P", P), op::var("W", W))->eval().clone();
    ASSERT_EQ(E.shape(), (Shape{5, 4}));
    EXPECT_LT(max_abs_diff(E, math::matmul(P, W)), 1e-13);
}

TEST(LinalgOpsForward, Float32MatchesFloat64) {
    const Tensor<float> A = well_conditioned<float>({2, 5, 5}, 51);
    const Tensor<float> B = test::random_tensor<float>({2, 5, 3}, 52);
    const Tensor<float> X = op::solve(op::var("A", A), op::var("B", B))->eval();
    const Tensor<double> Xd = linalg::solve_batched(A.cast<double>(), B.cast<double>());
    EXPECT_LT(max_abs_diff(X.cast<double>(), Xd), 1e-5);

    const Tensor<float> M = test::random_tensor<float>({8, 3}, 53);
    const Tensor<float> c = test::random_tensor<float>({8}, 54);
    const Tensor<float> y = op::lstsq(op::var("M", M), op::var("c", c))->eval();
    EXPECT_LT(max_abs_diff(y.cast<double>(), linalg::lstsq(M.cast<double>(), c.cast<double>())),
              1e-4);

    const Tensor<float> P = test::random_tensor<float>({3, 4, 6}, 55);
    const Tensor<float> Q = test::random_tensor<float>({6, 2}, 56);
    const Tensor<float> R = op::batched_matmul(op::var("P", P), op::var("Q", Q))->eval();
    const Tensor<double> Rd = linalg::gemm_batched(P.cast<double>(), Q.cast<double>());
    EXPECT_LT(max_abs_diff(R.cast<double>(), Rd), 1e-5);
}

TEST(LinalgOpsForward, Float32BackwardRuns) {
    auto A = op::var("A", well_conditioned<float>({4, 4}, 57));
    auto B = op::var("B", test::random_tensor<float>({4, 2}, 58));
    auto loss = op::reduce_sum(op::solve(A, B));
    loss->eval();
    op::GradTable<float> table;
    op::get_grad_table({A, B}, loss, table);
    // d sum(A^-1 B) / dB = A^-T 1
    const Tensor<double> ones({4, 2}, Filler(ONE));
    const Tensor<double> ref = linalg::solve(math::transpose(op::value_of(A).cast<double>()), ones);
    EXPECT_LT(max_abs_diff(table.get(B).cast<double>(), ref), 1e-5);
}

TEST(LinalgOpsForward, DocumentedExampleRuns) {
    // the example of docs/LINALG.md
    auto A = op::var<double>("A", {4, 4}, {UNIFORM, {-1, 1}});
    auto B = op::var<double>("B", {4, 2}, {UNIFORM, {-1, 1}});
    op::value_of(A).copy_from(well_conditioned({4, 4}, 69));
    auto X = op::solve(A, B);
    auto M = op::var<double>("M", {20, 3}, {NORMAL, {0, 1}});
    auto y = op::var<double>("y", {20}, {NORMAL, {0, 1}});
    auto w = op::lstsq(M, y);
    auto H = op::var<double>("H", {8, 5, 4}, {GLOROT, {}});
    auto W = op::var<double>("W", {4, 6}, {GLOROT, {}});
    auto Z = op::batched_matmul(H, W);
    auto loss = op::add(op::reduce_sum(X), op::add(op::reduce_sum(w), op::reduce_sum(Z)));
    loss->eval();
    op::GradTable<double> grads;
    op::get_grad_table({A, B, M, y, H, W}, loss, grads);
    EXPECT_EQ(Z->shape(), (Shape{8, 5, 6}));
    EXPECT_EQ(grads.get(A).shape(), (Shape{4, 4}));
    EXPECT_EQ(grads.get(M).shape(), (Shape{20, 3}));
    EXPECT_EQ(grads.get(W).shape(), (Shape{4, 6}));
}

// --- errors ---

TEST(LinalgOpsErrors, SolveShapes) {
    const auto a = op::var<double>("a", {3, 4});
    const auto b = op::var<double>("b", {3});
    std::string msg = message_of<ShapeError>([&] { op::solve(a, b); });
    EXPECT_TRUE(contains(msg, "op::solve(a, b)")) << msg;
    EXPECT_TRUE(contains(msg, "{3, 4}")) << msg;
    const auto sq = op::var<double>("sq", {3, 3});
    EXPECT_THROW(op::solve(sq, op::var<double>("b4", {4})), ShapeError);
    EXPECT_THROW(op::solve(sq, op::var<double>("b3", {3, 2, 1})), ShapeError);
    const auto batch = op::var<double>("batch", {2, 3, 3});
    EXPECT_THROW(op::solve(batch, op::var<double>("wrong_batch", {4, 3, 1})), ShapeError);
    EXPECT_THROW(op::solve(batch, op::var<double>("rows", {2, 4})), ShapeError);
    EXPECT_THROW(op::solve(op::var<double>("r", {2, 3, 4}), op::var<double>("x", {2, 3})),
                 ShapeError);
    EXPECT_THROW(op::solve(OpD{}, b), ValueError);
}

TEST(LinalgOpsErrors, LstsqShapes) {
    const std::string msg = message_of<ShapeError>([] {
        op::lstsq(op::var<double>("wide", {3, 5}), op::var<double>("b", {3}));
    });
    EXPECT_TRUE(contains(msg, "op::lstsq(wide, b)")) << msg;
    EXPECT_TRUE(contains(msg, "{3, 5}")) << msg;
    EXPECT_THROW(op::lstsq(op::var<double>("A", {6, 3}), op::var<double>("b", {5})), ShapeError);
    EXPECT_THROW(op::lstsq(op::var<double>("A", {2, 6, 3}), op::var<double>("b", {2, 6})),
                 ShapeError);
    EXPECT_THROW(op::lstsq(op::var<double>("A", {6, 3}), op::var<double>("b", {6, 1, 1})),
                 ShapeError);
}

TEST(LinalgOpsErrors, BatchedMatmulShapes) {
    std::string msg = message_of<ShapeError>([] {
        op::batched_matmul(op::var<double>("p", {2, 3, 4}), op::var<double>("q", {2, 5, 6}));
    });
    EXPECT_TRUE(contains(msg, "op::batched_matmul(p, q)")) << msg;
    EXPECT_TRUE(contains(msg, "{2, 3, 4}") && contains(msg, "{2, 5, 6}")) << msg;
    msg = message_of<ShapeError>([] {
        op::batched_matmul(op::var<double>("p", {2, 3, 4}), op::var<double>("q", {3, 4, 6}));
    });
    EXPECT_TRUE(contains(msg, "batch")) << msg;
    EXPECT_THROW(
        op::batched_matmul(op::var<double>("p", {1, 2, 3, 4}), op::var<double>("q", {4, 2})),
        ShapeError);
    EXPECT_THROW(op::batched_matmul(op::var<double>("p", {4}), op::var<double>("q", {4, 2})),
                 ShapeError);
}

TEST(LinalgOpsErrors, SingularMatrixNamesTheOp) {
    Tensor<double> sing = rnd({4, 4}, 59);
    for (index_t i = 0; i < 4; ++i) sing.set({i, 1}, 0.0);  // a zero column
    auto x = op::solve(op::var("S", sing), op::var("b", rnd({4}, 60)));
    std::string msg = message_of<NumericError>([&] { x->eval(); });
    EXPECT_TRUE(contains(msg, "op::solve(S, b)")) << msg;
    EXPECT_TRUE(contains(msg, "singular")) << msg;

    Tensor<double> batch = well_conditioned({3, 4, 4}, 61);
    for (index_t i = 0; i < 4; ++i) batch.set({2, i, 0}, 0.0);
    auto xs = op::solve(op::var("Ss", batch), op::var("bs", rnd({3, 4}, 62)));
    msg = message_of<NumericError>([&] { xs->eval(); });
    EXPECT_TRUE(contains(msg, "op::solve(Ss, bs)")) << msg;
    EXPECT_TRUE(contains(msg, "matrix 2")) << msg;

    Tensor<double> deficient = rnd({6, 3}, 63);
    for (index_t i = 0; i < 6; ++i) deficient.set({i, 1}, 0.0);
    auto y = op::lstsq(op::var("D", deficient), op::var("c", rnd({6}, 64)));
    msg = message_of<NumericError>([&] { y->eval(); });
    EXPECT_TRUE(contains(msg, "op::lstsq(D, c)")) << msg;
    EXPECT_TRUE(contains(msg, "rank deficient")) << msg;
}

TEST(LinalgOpsGpu, SolveAndLstsqAskForHostBatchedMatmulRuns) {
    MAGMADNN_SKIP_WITHOUT_GPU();
    const auto A = op::var("A", well_conditioned({3, 3}, 65).to(DEVICE));
    const auto b = op::var("b", rnd({3}, 66).to(DEVICE));
    const std::string msg = message_of<UnsupportedError>([&] { op::solve(A, b); });
    EXPECT_TRUE(contains(msg, "op::solve(A, b)") && contains(msg, "HOST")) << msg;
    EXPECT_THROW(op::lstsq(A, b), UnsupportedError);

    const Tensor<double> P = rnd({2, 3, 4}, 67);
    const Tensor<double> Q = rnd({4, 5}, 68);
    const auto p = op::var("p", P.to(DEVICE));
    const auto q = op::var("q", Q.to(DEVICE));
    auto loss = op::reduce_sum(op::batched_matmul(p, q));
    loss->eval();
    op::GradTable<double> table;
    op::get_grad_table({p, q}, loss, table);
    const auto ph = op::var("p", P.clone());
    const auto qh = op::var("q", Q.clone());
    auto loss_h = op::reduce_sum(op::batched_matmul(ph, qh));
    loss_h->eval();
    op::GradTable<double> table_h;
    op::get_grad_table({ph, qh}, loss_h, table_h);
    EXPECT_LT(max_abs_diff(table.get(p).to(HOST), table_h.get(ph)), 1e-12);
    EXPECT_LT(max_abs_diff(table.get(q).to(HOST), table_h.get(qh)), 1e-12);
}
