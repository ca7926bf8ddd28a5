#pragma once
// Mixed-precision solve of A x = b (A, b f64): factor A once in low precision, then refine x with
// f64 residuals to f64 accuracy (Carson and Higham's iterative refinement). When plain
// refinement stalls (the low-precision factors are too poor for the condition number), it
// switches to GMRES-IR (GMRES in f64 preconditioned by the same factors), and when that does not
// converge either, to a full f64 LU solve. The result says which method finished the job.
//
//     auto [x, iters] = linalg::solve_mixed(A, b);
//     linalg::MixedSolveResult r = linalg::solve_mixed(A, b);
//     r.method, r.backward_error, r.gmres_iterations
//
// Host: f32 LU (LAPACK sgetrf), f64 residuals. GPU: cuSOLVER's IRS solver (cusolverDnIRSXgesv)
// with f16, bf16 or tf32 tensor-core factorizations, or f32.

#include <cstddef>
#include <tuple>

#include "magmadnn/core/tensor.h"

namespace magmadnn::linalg {

enum class LowPrecision {
    automatic,  // f32 on the host, f16 on the GPU
    f32,
    f16,   // GPU only
    bf16,  // GPU only
    tf32,  // GPU only
};

enum class MixedMethod {
    refinement,        // classical iterative refinement converged
    gmres_refinement,  // GMRES-IR converged after classical refinement stalled
    f64_fallback,      // neither converged (or the low-precision factorization failed): f64 LU
};

const char* to_string(MixedMethod m);

struct MixedOptions {
    LowPrecision precision = LowPrecision::automatic;
    int max_iterations = 30;        // outer refinement steps, classical and GMRES-IR together
    int max_gmres_iterations = 50;  // inner GMRES steps per outer GMRES-IR step
    // Converged when ||b - A x||_inf <= tolerance ||A||_inf ||x||_inf; 0 means sqrt(n) eps(f64),
    // LAPACK dsgesv's criterion.
    double tolerance = 0.0;
};

struct MixedSolveResult {
    Tensor<double> x;
    int iterations = 0;  // outer refinement steps (0 when the f64 fallback ran from the start)
    MixedMethod method = MixedMethod::refinement;
    // max over right-hand sides of ||b - A x||_inf / (||A||_inf ||x||_inf + ||b||_inf)
    double backward_error = 0.0;
    int gmres_iterations = 0;  // inner GMRES steps in total

    // `auto [x, iters] = solve_mixed(A, b)` binds the first two members.
    template <std::size_t I>
    auto& get() & {
        if constexpr (I == 0)
            return x;
        else
            return iterations;
    }
    template <std::size_t I>
    const auto& get() const& {
        if constexpr (I == 0)
            return x;
        else
            return iterations;
    }
    template <std::size_t I>
    auto&& get() && {
        if constexpr (I == 0)
            return std::move(x);
        else
            return std::move(iterations);
    }
};

// A {n, n}, b {n} or {n, nrhs}. Errors as linalg::solve (non-square, mismatched b, NaN).
// On the host the f32 copy of A (n^2 floats) is kept by the calling thread after the solve and
// reused by its next one: writing fresh memory for the first time can cost as much as the
// refinement. release_mixed_workspace() gives it back.
MixedSolveResult solve_mixed(const Tensor<double>& A, const Tensor<double>& b,
                             const MixedOptions& options = {});
// Frees the calling thread's solve_mixed workspace.
void release_mixed_workspace();

}  // namespace magmadnn::linalg

template <>
struct std::tuple_size<magmadnn::linalg::MixedSolveResult>
    : std::integral_constant<std::size_t, 2> {};
template <>
struct std::tuple_element<0, magmadnn::linalg::MixedSolveResult> {
    using type = magmadnn::Tensor<double>;
};
template <>
struct std::tuple_element<1, magmadnn::linalg::MixedSolveResult> {
    using type = int;
};
