// Batched small GEMM (f32, square sizes 4..64, 10,000 problems): magmadnn's gemm_batched against
// a loop of cblas_sgemm and libxsmm's JIT kernels, all in the same run, each reference at its
// best configuration (serial and OpenMP-parallel loops both timed; the faster is reported).
// Prints a Markdown table of GFLOP/s and ratios. Usage: bench_linalg_batched_gemm [problems]
#include <cblas.h>
#include <fmt/format.h>
#include <libxsmm.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <vector>

#include "magmadnn/backend/threads.h"
#include "magmadnn/linalg/batched.h"

using magmadnn::index_t;
using magmadnn::Tensor;

namespace {

template <typename F>
double best_seconds(F f, int reps = 5) {
    f();  // warm up (JIT, page faults)
    double best = 1e30;
    for (int r = 0; r < reps; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        f();
        const auto t1 = std::chrono::steady_clock::now();
        best = std::min(best, std::chrono::duration<double>(t1 - t0).count());
    }
    return best;
}

}  // namespace

int main(int argc, char** argv) {
    const index_t batch = argc > 1 ? std::atol(argv[1]) : 10000;
    const char* core = std::getenv("OPENBLAS_CORETYPE");
    fmt::print("# batched SGEMM, {} problems, C = A B (row-major, square n), {} OpenMP threads\n",
               batch, omp_get_max_threads());
    fmt::print("# OpenBLAS: {} (OPENBLAS_CORETYPE={}), libxsmm {}\n", magmadnn::openblas_config(),
               core ? core : "unset", LIBXSMM_VERSION);
    fmt::print(
        "\n| n | magmadnn GFLOP/s | cblas_sgemm loop GFLOP/s (best of serial / omp) | "
        "libxsmm GFLOP/s (best of serial / omp) | vs loop | vs libxsmm |\n");
    fmt::print("| --- | --- | --- | --- | --- | --- |\n");
    libxsmm_init();
    for (index_t n : {4, 8, 16, 24, 32, 48, 64}) {
        Tensor<float> A({batch, n, n}, magmadnn::Filler(magmadnn::UNIFORM, {-1.0, 1.0}, 1));
        Tensor<float> B({batch, n, n}, magmadnn::Filler(magmadnn::UNIFORM, {-1.0, 1.0}, 2));
        Tensor<float> C({batch, n, n}, magmadnn::HOST);
        const float* a = A.cdata();
        const float* b = B.cdata();
        float* c = C.data();
        const index_t s = n * n;
        const auto ni = static_cast<blasint>(n);
        const double ours =
            best_seconds([&] { magmadnn::linalg::gemm_batched(1.0f, A, B, 0.0f, C); });
        const auto loop_body = [&](index_t i) {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, ni, ni, ni, 1.0f, a + i * s, ni,
                        b + i * s, ni, 0.0f, c + i * s, ni);
        };
        const double loop_serial = best_seconds([&] {
            for (index_t i = 0; i < batch; ++i) loop_body(i);
        });
        const double loop_omp = best_seconds([&] {
#pragma omp parallel for schedule(static)
            for (index_t i = 0; i < batch; ++i) loop_body(i);
        });
        // libxsmm is column-major: row-major C = A B is column-major C^T = B^T A^T.
        const libxsmm_blasint ld = static_cast<libxsmm_blasint>(n);
        const float alpha = 1.0f, beta = 0.0f;
        const libxsmm_smmfunction kernel =
            libxsmm_smmdispatch(ld, ld, ld, &ld, &ld, &ld, &alpha, &beta, nullptr, nullptr);
        double xsmm = 1e30;
        if (kernel != nullptr) {
            const double xs = best_seconds([&] {
                for (index_t i = 0; i < batch; ++i) kernel(b + i * s, a + i * s, c + i * s);
            });
            const double xo = best_seconds([&] {
#pragma omp parallel for schedule(static)
                for (index_t i = 0; i < batch; ++i) kernel(b + i * s, a + i * s, c + i * s);
            });
            xsmm = std::min(xs, xo);
        }
        const double flops = 2.0 * static_cast<double>(n * n * n) * static_cast<double>(batch);
        const double loop = std::min(loop_serial, loop_omp);
        fmt::print("| {} | {:.1f} | {:.1f} ({}) | {:.1f} | {:.2f}x | {:.2f}x |\n", n,
                   flops / ours / 1e9, flops / loop / 1e9,
                   loop_serial < loop_omp ? "serial" : "omp", flops / xsmm / 1e9, loop / ours,
                   xsmm / ours);
    }
    libxsmm_finalize();
    return 0;
}
