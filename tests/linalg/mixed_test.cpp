// Mixed-precision refinement: f64 backward error where the condition number allows f32 factors
// to converge, GMRES-IR or the f64 fallback where it does not, and the method reported.
#include "magmadnn/linalg/mixed.h"

#include <gtest/gtest.h>

#include <limits>

#include "linalg_test_util.h"
#include "magmadnn/core/error.h"
#include "magmadnn/linalg/solve.h"
#include "test_util.h"

namespace magmadnn {
namespace {

// Converged refinement guarantees ||r|| <= sqrt(n) eps ||A|| ||x|| (the stopping test), so the
// reported backward error is below sqrt(n) eps. The fallback is plain f64 LU: LAPACK's 30 n eps.
double converged_bound(index_t n) {
    return std::sqrt(static_cast<double>(n)) * test::eps<double>();
}
double lu_bound(index_t n) { return 30.0 * static_cast<double>(n) * test::eps<double>(); }

TEST(SolveMixed, WellConditionedRefinesToF64) {
    for (index_t n : {50, 250}) {
        const Tensor<double> A = test::with_spectrum<double>(n, n, test::log_spectrum(n, 1e2), 81);
        const Tensor<double> b = test::random_tensor<double>({n}, 82);
        auto [x, iters] = linalg::solve_mixed(A, b);
        const linalg::MixedSolveResult r = linalg::solve_mixed(A, b);
        EXPECT_EQ(r.method, linalg::MixedMethod::refinement);
        EXPECT_GE(iters, 1);
        EXPECT_LE(iters, 5);  // cond 1e2 x u(f32) 6e-8: about 6 digits gained per step
        EXPECT_LE(r.backward_error, converged_bound(n));
        EXPECT_LT(test::solve_ratio(A, x, b), 30.0);  // as good as f64 LU
    }
}

TEST(SolveMixed, ConditionNumberSweepNeverLosesAccuracy) {
    const index_t n = 150;
    for (double cond : {1e4, 1e6, 1e8, 1e10, 1e12}) {
        const Tensor<double> A = test::with_spectrum<double>(n, n, test::log_spectrum(n, cond), 83);
        const Tensor<double> b = test::random_tensor<double>({n, 2}, 84);
        const linalg::MixedSolveResult r = linalg::solve_mixed(A, b);
        SCOPED_TRACE(::testing::Message()
                     << "cond " << cond << " method " << linalg::to_string(r.method)
                     << " iterations " << r.iterations << " gmres " << r.gmres_iterations);
        if (r.method == linalg::MixedMethod::f64_fallback) {
            EXPECT_LE(r.backward_error, lu_bound(n));
        } else {
            EXPECT_LE(r.backward_error, converged_bound(n));
        }
        if (cond <= 1e6) {
            EXPECT_EQ(r.method, linalg::MixedMethod::refinement);
        }
        // cond x u(f32) > 1: classical refinement cannot converge on its own.
        if (cond >= 1e8) {
            EXPECT_NE(r.method, linalg::MixedMethod::refinement);
        }
        EXPECT_LT(test::solve_ratio(A, r.x, b), 30.0);
    }
}

TEST(SolveMixed, SingularInF32FallsBackToF64) {
    // Rows 0 and 1 coincide once rounded to f32 (1 + 1e-10 -> 1): the f32 LU meets a zero pivot.
    const index_t n = 60;
    Tensor<double> A({n, n}, Filler(IDENTITY));
    A.set({0, 1}, 1.0);
    A.set({1, 0}, 1.0);
    A.set({1, 1}, 1.0 + 1e-10);
    const Tensor<double> b = test::random_tensor<double>({n}, 85);
    const linalg::MixedSolveResult r = linalg::solve_mixed(A, b);
    EXPECT_EQ(r.method, linalg::MixedMethod::f64_fallback);
    EXPECT_EQ(r.iterations, 0);
    EXPECT_LE(r.backward_error, lu_bound(n));
}

TEST(SolveMixed, Errors) {
    EXPECT_THROW(linalg::solve_mixed(Tensor<double>({3, 4}, HOST), Tensor<double>({3}, HOST)),
                 ShapeError);
    const Tensor<double> A = test::random_tensor<double>({4, 4}, 86);
    EXPECT_THROW(linalg::solve_mixed(A, Tensor<double>({5}, HOST)), ShapeError);
    Tensor<double> nan = A.clone();
    nan.set({0, 0}, std::nan(""));
    EXPECT_THROW(linalg::solve_mixed(nan, Tensor<double>({4}, HOST)), NumericError);
    linalg::MixedOptions half;
    half.precision = linalg::LowPrecision::f16;
    EXPECT_THROW(linalg::solve_mixed(A, Tensor<double>({4}, HOST), half), UnsupportedError);
    Tensor<double> zero({4, 4}, HOST);
    EXPECT_THROW(linalg::solve_mixed(zero, Tensor<double>({4}, HOST)), NumericError);  // f64 too
    // the first non-finite element is named, whichever row the parallel scan meets first
    Tensor<double> bad = test::random_tensor<double>({64, 64}, 87);
    bad.set({40, 3}, std::numeric_limits<double>::infinity());
    bad.set({9, 50}, std::nan(""));
    try {
        linalg::solve_mixed(bad, test::random_tensor<double>({64}, 88));
        ADD_FAILURE() << "no error for a NaN in A";
    } catch (const NumericError& e) {
        EXPECT_NE(std::string(e.what()).find("flat index 626"), std::string::npos) << e.what();
    }
}

TEST(SolveMixed, FiniteButBeyondF32FallsBackToF64) {
    // 1e200 is a finite f64 that overflows f32: not an input error, but no f32 factorization
    const index_t n = 30;
    Tensor<double> A({n, n}, Filler(IDENTITY));
    for (index_t i = 0; i < n; ++i) A.set({i, i}, 1e200);
    const Tensor<double> b = test::random_tensor<double>({n}, 89);
    const linalg::MixedSolveResult r = linalg::solve_mixed(A, b);
    EXPECT_EQ(r.method, linalg::MixedMethod::f64_fallback);
    for (index_t i = 0; i < n; ++i) EXPECT_DOUBLE_EQ(r.x.get_flat(i), b.get_flat(i) / 1e200);
}

}  // namespace
}  // namespace magmadnn
