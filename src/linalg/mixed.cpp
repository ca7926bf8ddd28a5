// Mixed-precision solve: f32 LU, f64 residuals, classical refinement -> GMRES-IR -> f64 LU.
#include "magmadnn/linalg/mixed.h"

#include <cblas.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "common.h"
#include "cpu/refine.h"
#include "cuda/mixed.h"
#include "magmadnn/core/error.h"
#include "magmadnn/linalg/solve.h"

namespace magmadnn::linalg {

const char* to_string(MixedMethod m) {
    switch (m) {
        case MixedMethod::refinement:
            return "refinement";
        case MixedMethod::gmres_refinement:
            return "gmres_refinement";
        case MixedMethod::f64_fallback:
            return "f64_fallback";
    }
    return "?";
}

namespace {

double vec_inf(index_t n, const double* v) {
    double best = 0;
    for (index_t i = 0; i < n; ++i) best = std::max(best, std::abs(v[i]));
    return best;
}

// One right-hand side at a time (columns of a row-major {n, nrhs} b are gathered).
struct Column {
    std::vector<double> b, x, r, d;
    double final_residual = -1;  // ||b - A x||_inf at the returned x, once known
};

// r = b - A x; returns ||r||_inf.
double residual(index_t n, const double* A, Column& c) {
    c.r = c.b;
    const auto bn = static_cast<blasint>(n);
    cblas_dgemv(CblasRowMajor, CblasNoTrans, bn, bn, -1.0, A, bn, c.x.data(), 1, 1.0, c.r.data(),
                1);
    for (double v : c.r) {
        if (!std::isfinite(v)) return std::numeric_limits<double>::infinity();
    }
    return vec_inf(n, c.r.data());
}

// Refinement stops at x once ||b - A x||_inf <= tol ||A||_inf ||x||_inf, keeping that residual.
bool accept(index_t n, double rn, double tol, double anorm, Column& c) {
    if (rn <= tol * anorm * vec_inf(n, c.x.data())) {
        c.final_residual = rn;
        return true;
    }
    return false;
}

// The steps of refining one column; `converged` tells whether its x was accepted.
struct Steps {
    bool converged = false;
    int steps = 0;
    int gmres_iterations = 0;
};

// x += d, with d = correct(r) for the residual r = b - A x, for at most `max_steps` steps and
// while the residual falls below `contraction` times the previous one. `correct` writes col.d and
// returns its GMRES steps.
template <typename Correct>
Steps refine_while_contracting(index_t n, const double* a, Column& col, int max_steps,
                               double contraction, double tol, double anorm, Correct&& correct) {
    Steps s;
    double prev = std::numeric_limits<double>::infinity();
    while (s.steps < max_steps) {
        const double rn = residual(n, a, col);
        if (accept(n, rn, tol, anorm, col)) {
            s.converged = true;
            break;
        }
        if (!(rn < contraction * prev)) break;
        prev = rn;
        s.gmres_iterations += correct();
        for (index_t i = 0; i < n; ++i) col.x[i] += col.d[i];
        ++s.steps;
    }
    return s;
}

// Classical refinement, d = (LU)^-1 r: it contracts by cond * u_f per step, so slower than 1/2
// means it stalls.
Steps classical_refinement(index_t n, const double* a, const cpu::F32Factors& lu, Column& col,
                           int max_steps, double tol, double anorm) {
    return refine_while_contracting(n, a, col, max_steps, 0.5, tol, anorm, [&] {
        lu.apply(col.r.data(), col.d.data());
        return 0;
    });
}

// GMRES-IR from the best iterate so far (plain refinement may have diverged), while the residual
// falls by a tenth per outer step and `used` + its steps stay within max_iterations.
Steps gmres_refinement(index_t n, const double* a, const cpu::F32Factors& lu, Column& col,
                       const MixedOptions& opt, int used, double tol, double anorm) {
    if (!std::isfinite(vec_inf(n, col.x.data()))) lu.apply(col.b.data(), col.x.data());
    return refine_while_contracting(n, a, col, opt.max_iterations - used, 0.9, tol, anorm, [&] {
        return cpu::gmres(n, a, lu, col.r.data(), col.d.data(), opt.max_gmres_iterations, 1e-10);
    });
}

// What refining every column gave: the method of the hardest column so far, the outer steps
// (the most classical steps of a column, plus every GMRES-IR step), and whether all converged.
struct Refined {
    bool converged = true;
    MixedMethod method = MixedMethod::refinement;
    int iterations = 0;
    int gmres_iterations = 0;
};

// Classical refinement of every column, then GMRES-IR for the ones that stall; stops at the
// first column that does not converge (the caller then solves in f64).
Refined refine(index_t n, const double* a, const cpu::F32Factors& lu, std::vector<Column>& cols,
               const MixedOptions& opt, double tol, double anorm) {
    Refined r;
    for (Column& col : cols) lu.apply(col.b.data(), col.x.data());
    for (Column& col : cols) {
        const Steps c = classical_refinement(n, a, lu, col, opt.max_iterations, tol, anorm);
        r.iterations = std::max(r.iterations, c.steps);
        if (c.converged) continue;
        r.method = MixedMethod::gmres_refinement;
        const Steps g = gmres_refinement(n, a, lu, col, opt, r.iterations, tol, anorm);
        r.gmres_iterations += g.gmres_iterations;
        r.iterations += g.steps;
        if (!g.converged) {
            r.converged = false;
            break;
        }
    }
    return r;
}

// The checks solve_mixed makes before choosing a path; returns the refinement tolerance.
double check_arguments(const char* routine, const Tensor<double>& A, const Tensor<double>& b,
                       const MixedOptions& opt, index_t& n, index_t& nrhs) {
    detail::require_ndim(routine, "A", A.shape(), 2);
    detail::require_square(routine, "A", A.shape());
    n = A.shape(0);
    nrhs = detail::require_rhs(routine, A.shape(), n, b.shape());
    detail::require_finite(routine, "b", b);  // A: on the host, in the pass that copies it
    if (opt.max_iterations < 0 || opt.max_gmres_iterations < 1 || opt.tolerance < 0) {
        throw ValueError(
            fmt::format("linalg::{}: options max_iterations {} (>= 0), "
                        "max_gmres_iterations {} (>= 1), tolerance {} (>= 0)",
                        routine, opt.max_iterations, opt.max_gmres_iterations, opt.tolerance));
    }
    return opt.tolerance > 0
               ? opt.tolerance
               : std::sqrt(static_cast<double>(n)) * std::numeric_limits<double>::epsilon();
}

// The host path: f32 LU of A, refinement of each column of b, the f64 solve when it fails.
MixedSolveResult solve_mixed_host(const char* routine, const Tensor<double>& A,
                                  const Tensor<double>& b, const MixedOptions& opt, index_t n,
                                  index_t nrhs, double tol) {
    const LowPrecision p = opt.precision;
    if (p != LowPrecision::automatic && p != LowPrecision::f32) {
        throw UnsupportedError(
            fmt::format("linalg::{}: f16 / bf16 / tf32 factorizations run on "
                        "the GPU only; pass DEVICE tensors or use "
                        "LowPrecision::f32 on the host",
                        routine));
    }
    MixedSolveResult res;
    res.x = Tensor<double>(b.shape(), HOST);
    if (n == 0) return res;
    const double* a = A.cdata();
    cpu::F32Factors lu;
    const cpu::F32Factors::Scan scan = lu.load(n, a);
    if (scan.first_nonfinite >= 0) {
        throw NumericError(fmt::format(
            "linalg::{}: A {} holds {} at flat index {}; the input must be finite", routine,
            magmadnn::to_string(A.shape()), a[scan.first_nonfinite], scan.first_nonfinite));
    }
    const double anorm = scan.norm_inf;
    const bool factored = lu.factor();

    const double* pb = b.cdata();
    double* px = res.x.data();
    std::vector<Column> cols(static_cast<std::size_t>(nrhs));
    for (index_t c = 0; c < nrhs; ++c) {
        Column& col = cols[c];
        col.b.resize(static_cast<std::size_t>(n));
        for (index_t i = 0; i < n; ++i) col.b[i] = pb[i * nrhs + c];
        col.x.assign(static_cast<std::size_t>(n), 0.0);
        col.d.resize(static_cast<std::size_t>(n));
    }
    Refined r;
    if (factored) {
        r = refine(n, a, lu, cols, opt, tol, anorm);
    } else {
        r.converged = false;
    }
    res.gmres_iterations = r.gmres_iterations;
    if (!r.converged) {
        r.method = MixedMethod::f64_fallback;
        const Tensor<double> x = solve(A, b);
        res.x.copy_from(x);
        const double* xs = x.cdata();
        for (index_t c = 0; c < nrhs; ++c) {
            for (index_t i = 0; i < n; ++i) cols[c].x[i] = xs[i * nrhs + c];
            cols[c].final_residual = -1;  // a new x
        }
    } else {
        for (index_t c = 0; c < nrhs; ++c) {
            for (index_t i = 0; i < n; ++i) px[i * nrhs + c] = cols[c].x[i];
        }
    }
    double berr = 0;
    for (Column& col : cols) {
        // a converged column's last residual was taken at its final x
        const double rn = col.final_residual >= 0 ? col.final_residual : residual(n, a, col);
        berr = std::max(berr, rn / (anorm * vec_inf(n, col.x.data()) + vec_inf(n, col.b.data())));
    }
    res.iterations = r.iterations;
    res.method = r.method;
    res.backward_error = berr;
    return res;
}

}  // namespace

void release_mixed_workspace() { cpu::release_workspace(); }

MixedSolveResult solve_mixed(const Tensor<double>& A, const Tensor<double>& b,
                             const MixedOptions& opt) {
    const char* routine = "solve_mixed";
    index_t n = 0, nrhs = 0;
    const double tol = check_arguments(routine, A, b, opt, n, nrhs);
    if (detail::on_device(routine, A, b)) {
#ifdef MAGMADNN_WITH_CUDA
        detail::require_finite(routine, "A", A);
        return cuda::solve_mixed(A, b, opt, tol);
#endif
    }
    return solve_mixed_host(routine, A, b, opt, n, nrhs, tol);
}

}  // namespace magmadnn::linalg
