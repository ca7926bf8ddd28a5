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

}  // namespace

void release_mixed_workspace() { cpu::release_workspace(); }

MixedSolveResult solve_mixed(const Tensor<double>& A, const Tensor<double>& b,
                             const MixedOptions& opt) {
    const char* routine = "solve_mixed";
    detail::require_ndim(routine, "A", A.shape(), 2);
    detail::require_square(routine, "A", A.shape());
    const index_t n = A.shape(0);
    const index_t nrhs = detail::require_rhs(routine, A.shape(), n, b.shape());
    detail::require_finite(routine, "b", b);  // A: on the host, in the pass that copies it
    if (opt.max_iterations < 0 || opt.max_gmres_iterations < 1 || opt.tolerance < 0) {
        throw ValueError(
            fmt::format("linalg::{}: options max_iterations {} (>= 0), "
                        "max_gmres_iterations {} (>= 1), tolerance {} (>= 0)",
                        routine, opt.max_iterations, opt.max_gmres_iterations, opt.tolerance));
    }
    const double tol = opt.tolerance > 0 ? opt.tolerance
                                         : std::sqrt(static_cast<double>(n)) *
                                               std::numeric_limits<double>::epsilon();
    if (detail::on_device(routine, A, b)) {
#ifdef MAGMADNN_WITH_CUDA
        detail::require_finite(routine, "A", A);
        return cuda::solve_mixed(A, b, opt, tol);
#endif
    }
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
    bool converged = factored;
    MixedMethod method = MixedMethod::refinement;
    int iterations = 0;
    if (factored) {
        for (Column& col : cols) lu.apply(col.b.data(), col.x.data());
        // Classical refinement of every column, then GMRES-IR for the ones that stall.
        for (Column& col : cols) {
            double prev = std::numeric_limits<double>::infinity();
            bool done = false;
            bool stalled = false;
            int it = 0;
            while (!done && !stalled && it < opt.max_iterations) {
                const double rn = residual(n, a, col);
                if (rn <= tol * anorm * vec_inf(n, col.x.data())) {
                    done = true;
                    col.final_residual = rn;
                    break;
                }
                // Refinement contracts by cond * u_f per step; slower than 1/2 means it stalls.
                if (!(rn < 0.5 * prev)) {
                    stalled = true;
                    break;
                }
                prev = rn;
                lu.apply(col.r.data(), col.d.data());
                for (index_t i = 0; i < n; ++i) col.x[i] += col.d[i];
                ++it;
            }
            iterations = std::max(iterations, it);
            if (done) continue;
            method = MixedMethod::gmres_refinement;
            // GMRES-IR from the best iterate so far (plain refinement may have diverged).
            if (!std::isfinite(vec_inf(n, col.x.data()))) lu.apply(col.b.data(), col.x.data());
            int outer = 0;
            prev = std::numeric_limits<double>::infinity();
            while (iterations + outer < opt.max_iterations) {
                const double rn = residual(n, a, col);
                if (rn <= tol * anorm * vec_inf(n, col.x.data())) {
                    done = true;
                    col.final_residual = rn;
                    break;
                }
                if (!(rn < 0.9 * prev)) break;
                prev = rn;
                res.gmres_iterations += cpu::gmres(n, a, lu, col.r.data(), col.d.data(),
                                                   opt.max_gmres_iterations, 1e-10);
                for (index_t i = 0; i < n; ++i) col.x[i] += col.d[i];
                ++outer;
            }
            iterations += outer;
            if (!done) {
                converged = false;
                break;
            }
        }
    }
    if (!converged) {
        method = MixedMethod::f64_fallback;
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
    res.iterations = iterations;
    res.method = method;
    res.backward_error = berr;
    return res;
}

}  // namespace magmadnn::linalg
