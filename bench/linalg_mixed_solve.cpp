// Mixed-precision solve (f32 LU + f64 refinement) against LAPACKE_dgesv on the same matrices, in
// the same run. The reference runs at its best configuration: column-major (no LAPACKE layout
// transposes), OpenBLAS with all cores. Matrices: uniform [-1, 1] entries (well conditioned in
// the sense of iterative refinement: cond x u(f32) << 1). Prints a Markdown table.
// Usage: bench_linalg_mixed_solve [n ...]   (default 1000 2000 4000 8000)
#include <cblas.h>
#include <fmt/format.h>
#include <lapacke.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <vector>

#include "magmadnn/backend/threads.h"
#include "magmadnn/linalg/mixed.h"

using magmadnn::index_t;
using magmadnn::Tensor;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// ||b - A x||_inf / (||A||_inf ||x||_inf + ||b||_inf) with A row-major.
double backward_error(index_t n, const double* A, const double* x, const double* b) {
    std::vector<double> r(b, b + n);
    cblas_dgemv(CblasRowMajor, CblasNoTrans, static_cast<blasint>(n), static_cast<blasint>(n), -1.0,
                A, static_cast<blasint>(n), x, 1, 1.0, r.data(), 1);
    double rn = 0, xn = 0, bn = 0, an = 0;
    for (index_t i = 0; i < n; ++i) {
        rn = std::max(rn, std::abs(r[i]));
        xn = std::max(xn, std::abs(x[i]));
        bn = std::max(bn, std::abs(b[i]));
        double s = 0;
        for (index_t j = 0; j < n; ++j) s += std::abs(A[i * n + j]);
        an = std::max(an, s);
    }
    return rn / (an * xn + bn);
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<index_t> sizes;
    for (int i = 1; i < argc; ++i) sizes.push_back(std::atol(argv[i]));
    if (sizes.empty()) sizes = {1000, 2000, 4000, 8000};
    const char* core = std::getenv("OPENBLAS_CORETYPE");
    fmt::print("# {} (OPENBLAS_CORETYPE={}), {} threads\n", magmadnn::openblas_config(),
               core ? core : "unset", magmadnn::num_threads());
    fmt::print(
        "\n| n | LAPACKE_dgesv s | solve_mixed s | speedup | method | iterations | "
        "dgesv backward error | mixed backward error |\n");
    fmt::print("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for (index_t n : sizes) {
        const Tensor<double> A({n, n}, magmadnn::Filler(magmadnn::UNIFORM, {-1.0, 1.0}, 3));
        const Tensor<double> b({n}, magmadnn::Filler(magmadnn::UNIFORM, {-1.0, 1.0}, 4));
        // Reference: the column-major copy holds A^T; solve A^T y = b with it (same work as A x =
        // b).
        std::vector<double> a(A.cdata(), A.cdata() + n * n);
        std::vector<double> x(b.cdata(), b.cdata() + n);
        std::vector<lapack_int> ipiv(static_cast<std::size_t>(n));
        auto t0 = std::chrono::steady_clock::now();
        LAPACKE_dgesv(LAPACK_COL_MAJOR, static_cast<lapack_int>(n), 1, a.data(),
                      static_cast<lapack_int>(n), ipiv.data(), x.data(),
                      static_cast<lapack_int>(n));
        const double t_ref = seconds_since(t0);
        // backward error of y for A^T: transpose A once for the check
        std::vector<double> at(static_cast<std::size_t>(n * n));
        for (index_t i = 0; i < n; ++i) {
            for (index_t j = 0; j < n; ++j) at[j * n + i] = A.cdata()[i * n + j];
        }
        const double berr_ref = backward_error(n, at.data(), x.data(), b.cdata());
        t0 = std::chrono::steady_clock::now();
        const magmadnn::linalg::MixedSolveResult r = magmadnn::linalg::solve_mixed(A, b);
        const double t_mixed = seconds_since(t0);
        fmt::print("| {} | {:.3f} | {:.3f} | {:.2f}x | {} | {} | {:.1e} | {:.1e} |\n", n, t_ref,
                   t_mixed, t_ref / t_mixed, magmadnn::linalg::to_string(r.method), r.iterations,
                   berr_ref, r.backward_error);
    }
    return 0;
}
