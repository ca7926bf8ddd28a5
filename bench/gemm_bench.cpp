// f32 GEMM throughput on the shapes of the seed MLP's training step, for each host library, with
// the machine's FP32 peak as the reference. Prints a table; see docs/PERFORMANCE.md.
//   build/bin/bench_gemm [repeats]
#include <cblas.h>
#include <fmt/format.h>
#include <oneapi/dnnl/dnnl.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <vector>

#include "magmadnn.h"

using namespace magmadnn;

namespace {

struct Case {
    const char* what;
    bool ta, tb;
    index_t m, n, k;
};

template <typename F>
double best_seconds(int repeats, F&& f) {
    f();  // warm-up: thread pools, page faults, library dispatch
    double best = 1e30;
    for (int r = 0; r < repeats; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        f();
        best = std::min(
            best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    return best;
}

}  // namespace

int main(int argc, char** argv) {
    const int repeats = argc > 1 ? std::atoi(argv[1]) : 20;
    // Forward x{100,784} W1{784,528}; backward dW1 = x^T dY, dX is not needed for layer 1;
    // layer 2 is small. A 1000-row batch shows the large-batch rate.
    const Case cases[] = {
        {"fc1 forward  x W1", false, false, 100, 528, 784},
        {"fc1 forward (again)", false, false, 100, 528, 784},
        {"fc1 dW1 = x^T g", true, false, 784, 528, 100},
        {"fc2 forward  h W2", false, false, 100, 10, 528},
        {"fc2 dh = g W2^T", false, true, 100, 528, 10},
        {"big square", false, false, 1024, 1024, 1024},
        {"batch 1000 forward", false, false, 1000, 528, 784},
    };
    fmt::print("threads: {}, OpenBLAS: {}, oneDNN {}\n", num_threads(), openblas_config(),
               onednn_version());
    fmt::print("{:<22} {:>14} {:>14} {:>10}\n", "shape", "oneDNN GF/s", "OpenBLAS GF/s", "ratio");
    for (const Case& c : cases) {
        std::vector<float> A(c.m * c.k, 0.5f), B(c.k * c.n, 0.25f), C(c.m * c.n);
        const index_t lda = c.ta ? c.m : c.k, ldb = c.tb ? c.k : c.n;
        const double flops = 2.0 * double(c.m) * double(c.n) * double(c.k);
        const double t_dnnl = best_seconds(repeats, [&] {
            dnnl_sgemm(c.ta ? 'T' : 'N', c.tb ? 'T' : 'N', c.m, c.n, c.k, 1.0f, A.data(), lda,
                       B.data(), ldb, 0.0f, C.data(), c.n);
        });
        const double t_blas = best_seconds(repeats, [&] {
            cblas_sgemm(CblasRowMajor, c.ta ? CblasTrans : CblasNoTrans,
                        c.tb ? CblasTrans : CblasNoTrans, int(c.m), int(c.n), int(c.k), 1.0f,
                        A.data(), int(lda), B.data(), int(ldb), 0.0f, C.data(), int(c.n));
        });
        fmt::print("{:<22} {:>14.1f} {:>14.1f} {:>10.2f}\n", c.what, flops / t_dnnl / 1e9,
                   flops / t_blas / 1e9, t_blas / t_dnnl);
    }
    return 0;
}
