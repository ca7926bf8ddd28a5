// One example per linear-algebra and FFT family (docs/LINALG.md): BLAS, batched GEMM, tensor
// contractions, solvers and decompositions, mixed-precision refinement, differentiable solves,
// FFTs and the FP16-split FFT. Each prints a residual or an error, and the program fails (exit 1)
// if one is not as small as it should be.
#include <cmath>
#include <complex>
#include <cstdio>

#include "magmadnn.h"

using namespace magmadnn;

namespace {

// max |a - b| over all elements
template <typename T>
double max_diff(const Tensor<T>& a, const Tensor<T>& b) {
    double m = 0;
    for (index_t i = 0; i < a.size(); ++i) {
        m = std::max(m, std::abs(double(a.get_flat(i)) - double(b.get_flat(i))));
    }
    return m;
}

double max_abs(const Tensor<double>& a) {
    double m = 0;
    for (index_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(a.get_flat(i)));
    return m;
}

// A well-conditioned n x n matrix: random plus n on the diagonal.
Tensor<double> spd_like(index_t n, std::uint64_t seed) {
    Tensor<double> A({n, n}, Filler(UNIFORM, {-1.0, 1.0}, seed));
    for (index_t i = 0; i < n; ++i) A.set({i, i}, A.get({i, i}) + double(n));
    return A;
}

// Prints and records a failed expectation (every check still runs).
bool all_ok = true;
void expect_below(const char* what, double value, double bound) {
    if (!(value <= bound)) {
        std::printf("FAILED: %s is %.3e, expected at most %.1e\n", what, value, bound);
        all_ok = false;
    }
}

}  // namespace

int main() {
    // BLAS levels 1-3 on tensors
    const Tensor<double> x({1000}, Filler(UNIFORM, {-1.0, 1.0}, 1));
    Tensor<double> y({1000}, Filler(UNIFORM, {-1.0, 1.0}, 2));
    const double d = linalg::dot(x, y);
    linalg::axpy(2.0, x, y);  // y += 2 x
    std::printf("blas:        dot %.4f, |x| %.4f, |y + 2x| %.4f\n", d, linalg::nrm2(x),
                linalg::nrm2(y));

    // Batched GEMM: 10,000 products of 16 x 16 matrices, against one of them done alone
    const Tensor<float> As({10000, 16, 16}, Filler(UNIFORM, {-1.0, 1.0}, 3));
    const Tensor<float> Bs({10000, 16, 16}, Filler(UNIFORM, {-1.0, 1.0}, 4));
    Tensor<float> Cs({10000, 16, 16});
    linalg::gemm_batched(1.0f, As, Bs, 0.0f, Cs);
    const double batched = max_diff(Cs[42], linalg::gemm(As[42], Bs[42]));
    std::printf("batched:     problem 42 differs from gemm by %.1e\n", batched);
    expect_below("batched GEMM vs gemm", batched, 1e-4);  // 16 f32 products of |.| <= 1

    // Contractions: the FEM kernel C[i1,i2,i3] = sum_k A[k,i1] B[k,i2,i3], and einsum style
    const Tensor<double> A({7, 5}, Filler(UNIFORM, {-1.0, 1.0}, 5));
    const Tensor<double> B({7, 4, 6}, Filler(UNIFORM, {-1.0, 1.0}, 6));
    const Tensor<double> C = linalg::contract_fem(A, B);
    const Tensor<double> C2 = linalg::contract("ki,kjl->ijl", A, B);
    std::printf("contract:    C %s, fem vs einsum %.1e\n", to_string(C.shape()).c_str(),
                max_diff(C, C2));
    expect_below("contract_fem vs contract", max_diff(C, C2), 1e-13);

    // Solvers: LU, Cholesky, least squares, symmetric eigenvalues, SVD
    const index_t n = 200;
    const Tensor<double> M = spd_like(n, 7);
    const Tensor<double> b({n}, Filler(UNIFORM, {-1.0, 1.0}, 8));
    const Tensor<double> sol = linalg::solve(M, b);
    std::printf("solve:       ||M x - b||_max %.1e\n", max_diff(linalg::gemv(M, sol), b));
    expect_below("solve residual", max_diff(linalg::gemv(M, sol), b), 1e-12);
    const Tensor<double> S = linalg::gemm(M, M, true, false);  // M^T M: symmetric positive definite
    const Tensor<double> L = linalg::cholesky(S);
    const double chol = max_diff(linalg::gemm(L, L, false, true), S) / max_abs(S);
    std::printf("cholesky:    ||L L^T - S||_max / ||S||_max %.1e\n", chol);
    expect_below("cholesky residual", chol, 1e-13);
    const auto [vals, vecs] = linalg::eigh(S);
    const auto [U, s, Vt] = linalg::svd(M);
    std::printf("eigh / svd:  largest eigenvalue of M^T M %.6e = largest singular value^2 %.6e\n",
                vals.get_flat(n - 1), s.get_flat(0) * s.get_flat(0));
    expect_below(
        "eigh vs svd, relative",
        std::abs(vals.get_flat(n - 1) - s.get_flat(0) * s.get_flat(0)) / vals.get_flat(n - 1),
        1e-12);

    // Mixed precision: f32 LU, f64 refinement to f64 accuracy
    const linalg::MixedSolveResult r = linalg::solve_mixed(M, b);
    std::printf("solve_mixed: %s, %d iterations, backward error %.1e\n",
                linalg::to_string(r.method), r.iterations, r.backward_error);
    expect_below("solve_mixed backward error", r.backward_error, 1e-14);

    // Differentiable solve: the gradient of sum(x) with respect to b, x = M^-1 b, is M^-T 1
    auto Mv = op::var<double>("M", M);
    auto bv = op::var<double>("b", b);
    auto loss = op::reduce_sum(op::solve(Mv, bv));
    loss->eval();
    op::GradTable<double> grads;
    op::get_grad_table<double>({bv}, loss, grads);
    const Tensor<double> ones({n}, Filler(ONE));
    const double dsolve = max_diff(grads.get(bv), linalg::solve(math::transpose(M), ones));
    std::printf("op::solve:   dL/db vs M^-T 1: %.1e\n", dsolve);
    expect_below("op::solve gradient", dsolve, 1e-12);

    // FFT: a forward and inverse 2-D transform, and the FP16-split transform against FFTW
    const Tensor<float> img({64, 64}, Filler(UNIFORM, {-1.0, 1.0}, 9));
    const Tensor<std::complex<float>> F = fft::rfft2(img);
    const double roundtrip = max_diff(fft::irfft2(F, 64), img);
    std::printf("fft:         irfft2(rfft2(img)) vs img %.1e\n", roundtrip);
    expect_below("fft round trip", roundtrip, 1e-5);
    const Tensor<std::complex<float>> ref = fft::fft2(img);
    const Tensor<std::complex<float>> split = fft::fft2_fp16split(img);
    const Tensor<std::complex<float>> plain = fft::fft2_fp16(img);
    double e_split = 0, e_plain = 0, norm = 0;
    for (index_t i = 0; i < ref.size(); ++i) {
        e_split += std::norm(split.get_flat(i) - ref.get_flat(i));
        e_plain += std::norm(plain.get_flat(i) - ref.get_flat(i));
        norm += std::norm(ref.get_flat(i));
    }
    std::printf("fp16split:   relative error %.1e (plain FP16: %.1e)\n", std::sqrt(e_split / norm),
                std::sqrt(e_plain / norm));
    expect_below("fp16split relative error", std::sqrt(e_split / norm), 1e-5);
    expect_below("fp16split error / plain FP16 error", std::sqrt(e_split / e_plain), 0.01);
    return all_ok ? 0 : 1;
}
