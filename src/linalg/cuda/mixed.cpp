// cuSOLVER IRS: factor in f16 / bf16 / tf32 (tensor cores) or f32, refine in f64 with classical
// refinement then GMRES (CUSOLVER_IRS_REFINE_CLASSICAL_GMRES), fall back to f64 when neither
// converges. The row-major A is transposed to the column-major layout cuSOLVER expects.
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

}  // namespace

MixedSolveResult solve_mixed(const Tensor<double>& A, const Tensor<double>& b,
                             const MixedOptions& opt, double tol) {
    const int n = static_cast<int>(A.shape(0));
    const int nrhs = static_cast<int>(b.ndim() == 1 ? 1 : b.shape(1));
    Tensor<double> a = math::transpose(A);
    Tensor<double> bc = b.ndim() == 1 ? b.clone() : math::transpose(b);
    Tensor<double> xc(bc.shape(), bc.memory());
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
    // GMRES-refined classical refinement for one right-hand side; cuSOLVER's GMRES refiners take
    // no more (CUSOLVER_STATUS_IRS_NRHS_NOT_SUPPORTED_FOR_REFINE_GMRES).
    const bool gmres = nrhs == 1;
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
    check(cusolverDnIRSParamsEnableFallback(params), "cusolverDnIRSParamsEnableFallback");
    std::size_t bytes = 0;
    check(cusolverDnIRSXgesv_bufferSize(cusolver(), params, n, nrhs, &bytes),
          "cusolverDnIRSXgesv_bufferSize");
    Storage work(bytes > 0 ? bytes : 1, DEVICE);
    Tensor<std::int32_t> info({1}, DEVICE);
    int niters = 0;
    check(cusolverDnIRSXgesv(cusolver(), params, infos, n, nrhs, a.device_data(), n,
                             bc.device_data(), n, xc.device_data(), n, work.device_write(), bytes,
                             &niters, info.device_data()),
          "cusolverDnIRSXgesv");
    const int i = read_info(info.cdevice_data());
    int outer = 0;
    check(cusolverDnIRSInfosGetOuterNiters(infos, &outer), "cusolverDnIRSInfosGetOuterNiters");
    if (i > 0) {
        throw NumericError("linalg::solve_mixed: A " + magmadnn::to_string(A.shape()) +
                           " is singular (zero pivot in the f64 fallback factorization)");
    }
    MixedSolveResult res;
    res.x = b.ndim() == 1 ? xc : math::transpose(xc);
    // A negative niters is cuSOLVER's code for "did not converge, fell back to f64", not a count.
    res.method = niters < 0            ? MixedMethod::f64_fallback
                 : gmres && niters > 0 ? MixedMethod::gmres_refinement
                                       : MixedMethod::refinement;
    res.iterations = outer;
    res.gmres_iterations = niters > outer ? niters - outer : 0;
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
