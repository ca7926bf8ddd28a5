// cuSOLVER IRS: factor in f16 / bf16 / tf32 (tensor cores) or f32 and refine in f64, as the
// host does: classical refinement first; for one right-hand side, when that does not converge,
// GMRES-IR (CUSOLVER_IRS_REFINE_CLASSICAL_GMRES); the f64 solve when neither does. The result
// names the method that converged. The row-major A is transposed to cuSOLVER's column-major.
#include "mixed.h"

#include <algorithm>
#include <cmath>

#include "handles.h"
#include "magmadnn/backend/math.h"
#include "magmadnn/core/error.h"
#include "magmadnn/linalg/blas.h"

namespace magmadnn::linalg::cuda {

namespace {

cusolverPrecType_t lowest(LowPrecision p) {
    switch (p) {
        case LowPrecision::f32:
            return CUSOLVER_R_32F;
        case LowPrecision::bf16:
            return CUSOLVER_R_16BF;
        case LowPrecision::tf32:
            return CUSOLVER_R_TF32;
        case LowPrecision::automatic:
        case LowPrecision::f16:
            return CUSOLVER_R_16F;
    }
    return CUSOLVER_R_16F;
}

// One cusolverDnIRSXgesv call on column-major A and b (a {n, n}, bc {n} or {nrhs, n}).
struct Attempt {
    cusolverStatus_t status = CUSOLVER_STATUS_SUCCESS;
    int niters = 0;  // < 0: not converged (the f64 fallback ran if enabled)
    int outer = 0;   // outer refinement steps
    int info = 0;    // > 0: a zero pivot
};

Attempt irs_gesv(Tensor<double> a, Tensor<double> bc, Tensor<double>& xc, const MixedOptions& opt,
                 double tol, bool gmres, bool fallback) {
    const int n = static_cast<int>(a.shape(0));
    const int nrhs = static_cast<int>(bc.ndim() == 1 ? 1 : bc.shape(0));
    cusolverDnIRSParams_t params = nullptr;
    cusolverDnIRSInfos_t infos = nullptr;
    check(cusolverDnIRSParamsCreate(&params), "cusolverDnIRSParamsCreate");
    struct Guard {
        cusolverDnIRSParams_t p;
        cusolverDnIRSInfos_t* i;
        ~Guard() {
            if (*i != nullptr) cusolverDnIRSInfosDestroy(*i);
            cusolverDnIRSParamsDestroy(p);
        }
    } guard{params, &infos};
    check(cusolverDnIRSInfosCreate(&infos), "cusolverDnIRSInfosCreate");
    check(cusolverDnIRSParamsSetSolverPrecisions(params, CUSOLVER_R_64F, lowest(opt.precision)),
          "cusolverDnIRSParamsSetSolverPrecisions");
    check(cusolverDnIRSParamsSetRefinementSolver(
              params, gmres ? CUSOLVER_IRS_REFINE_CLASSICAL_GMRES : CUSOLVER_IRS_REFINE_CLASSICAL),
          "cusolverDnIRSParamsSetRefinementSolver");
    check(cusolverDnIRSParamsSetTol(params, tol), "cusolverDnIRSParamsSetTol");
    // cuSOLVER's MaxIters counts outer and inner steps together and must be >= MaxItersInner;
    // the options count outer steps, each with up to max_gmres_iterations inner ones.
    const int inner = gmres ? opt.max_gmres_iterations : 0;
    check(cusolverDnIRSParamsSetMaxIters(params, std::max(1, opt.max_iterations) * (1 + inner)),
          "cusolverDnIRSParamsSetMaxIters");
    if (gmres) {
        check(cusolverDnIRSParamsSetMaxItersInner(params, opt.max_gmres_iterations),
              "cusolverDnIRSParamsSetMaxItersInner");
    }
    check(fallback ? cusolverDnIRSParamsEnableFallback(params)
                   : cusolverDnIRSParamsDisableFallback(params),
          "cusolverDnIRSParams{Enable,Disable}Fallback");
    std::size_t bytes = 0;
    check(cusolverDnIRSXgesv_bufferSize(cusolver(), params, n, nrhs, &bytes),
          "cusolverDnIRSXgesv_bufferSize");
    Storage work(bytes > 0 ? bytes : 1, DEVICE);
    Tensor<std::int32_t> info({1}, DEVICE);
    Attempt r;
    r.status = cusolverDnIRSXgesv(cusolver(), params, infos, n, nrhs, a.device_data(), n,
                                  bc.device_data(), n, xc.device_data(), n, work.device_write(),
                                  bytes, &r.niters, info.device_data());
    if (r.status != CUSOLVER_STATUS_SUCCESS) return r;
    r.info = read_info(info.cdevice_data());
    check(cusolverDnIRSInfosGetOuterNiters(infos, &r.outer), "cusolverDnIRSInfosGetOuterNiters");
    return r;
}

}  // namespace

MixedSolveResult solve_mixed(const Tensor<double>& A, const Tensor<double>& b,
                             const MixedOptions& opt, double tol) {
    const int n = static_cast<int>(A.shape(0));
    const int nrhs = static_cast<int>(b.ndim() == 1 ? 1 : b.shape(1));
    const Tensor<double> a = math::transpose(A);
    const Tensor<double> bc = b.ndim() == 1 ? b.clone() : math::transpose(b);
    Tensor<double> xc(bc.shape(), bc.memory());
    // Classical refinement alone first. cuSOLVER's GMRES refiner takes one right-hand side
    // (CUSOLVER_STATUS_IRS_NRHS_NOT_SUPPORTED_FOR_REFINE_GMRES): several go to the f64 solve
    // when classical refinement fails, one to GMRES-IR first.
    // cuSOLVER leaves A unchanged only where refinement converged: a first attempt that may be
    // followed by a second works on copies.
    const bool gmres_next = nrhs == 1;
    const Attempt first = gmres_next ? irs_gesv(a.clone(), bc.clone(), xc, opt, tol, false, false)
                                     : irs_gesv(a, bc, xc, opt, tol, false, true);
    int classical_steps = 0;
    MixedMethod method = MixedMethod::refinement;
    Attempt last = first;
    const bool converged =
        first.status == CUSOLVER_STATUS_SUCCESS && first.niters >= 0 && first.info == 0;
    if (!converged && gmres_next) {
        classical_steps = first.status == CUSOLVER_STATUS_SUCCESS ? first.outer : 0;
        last = irs_gesv(a, bc, xc, opt, tol, true, true);
        method = MixedMethod::gmres_refinement;
    }
    check(last.status, "cusolverDnIRSXgesv");
    if (last.info > 0) {
        throw NumericError("linalg::solve_mixed: A " + magmadnn::to_string(A.shape()) +
                           " is singular (zero pivot in the f64 fallback factorization)");
    }
    // A negative niters is cuSOLVER's code for "did not converge, fell back to f64", not a count.
    if (last.niters < 0) method = MixedMethod::f64_fallback;
    MixedSolveResult res;
    res.x = b.ndim() == 1 ? xc : math::transpose(xc);
    res.method = method;
    res.iterations = classical_steps + last.outer;
    res.gmres_iterations = method == MixedMethod::gmres_refinement && last.niters > last.outer
                               ? last.niters - last.outer
                               : 0;
    // Backward error from f64 residuals, all reductions on the device: only ||A||_inf and one
    // max per column come back (copying A to the host cost more than the solve at large n).
    Tensor<double> r = b.clone();
    const Tensor<double> X = res.x.ndim() == 1 ? res.x.reshape({n, 1}) : res.x;
    Tensor<double> R = r.reshape({n, nrhs});
    gemm(-1.0, A, false, X, false, 1.0, R);
    using math::UnaryOp;
    const auto column_max = [&](const Tensor<double>& M) {  // max |M(:, c)| per column
        return math::max(math::unary(UnaryOp::abs, M), 0).to(HOST);
    };
    const double anorm = math::max(math::sum(math::unary(UnaryOp::abs, A), 1)).to(HOST).cdata()[0];
    const Tensor<double> rn = column_max(R);
    const Tensor<double> xn = column_max(X);
    const Tensor<double> bn = column_max(b.reshape({n, nrhs}));
    for (int c = 0; c < nrhs; ++c) {
        res.backward_error =
            std::max(res.backward_error, rn.cdata()[c] / (anorm * xn.cdata()[c] + bn.cdata()[c]));
    }
    return res;
}

}  // namespace magmadnn::linalg::cuda
