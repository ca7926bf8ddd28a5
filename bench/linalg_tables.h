#pragma once
// The linear-algebra and FFT benchmark tables of docs/PERFORMANCE.md: batched small SGEMM against
// loops of cblas_sgemm (OpenBLAS), dnnl_sgemm (oneDNN) and bli_sgemm (BLIS), and libxsmm, the
// mixed-precision solve against LAPACKE_dgesv, and the FP16-split FFT against FFTW f32. Each
// reference runs in the same process on the same data. Used by the bench_linalg_* / bench_fft_*
// executables and by `magmadnn bench linalg`.
//
//     const bench::GemmOptions o;
//     fmt::print("{}{}", bench::title(o, bench::environment()), bench::gemm_markdown_header());
//     auto print = [](const bench::GemmRow& r) { fmt::print("{}", bench::markdown_row(r)); };
//     bench::batched_gemm(o, print);

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "magmadnn/core/types.h"

namespace magmadnn::bench {

// What the numbers depend on besides the code: the BLAS build and its kernels, thread counts,
// and the reference libraries linked in.
struct Environment {
    std::string openblas;                 // magmadnn::openblas_config()
    std::optional<std::string> coretype;  // OPENBLAS_CORETYPE, when set
    int threads = 0;                      // magmadnn::num_threads()
    int omp_threads = 0;                  // omp_get_max_threads()
    std::optional<std::string> libxsmm;   // its version; empty when not linked in
    std::string onednn;                   // "3.0.0"
    std::optional<std::string> blis;      // its version; empty when libblis is not installed
    std::string fftw;                     // "fftw-3.3.10-sse2-avx"
};
Environment environment();

// Batched square SGEMM, C = A B row-major, `problems` problems per size.
struct GemmOptions {
    index_t problems = 10000;
    std::vector<index_t> sizes{4, 8, 16, 24, 32, 48, 64};
    int repetitions = 5;  // each time is the best of these, after a warm-up
};
struct GemmRow {
    index_t n = 0;
    double magmadnn_gflops = 0;
    double loop_gflops = 0;  // the faster of the serial and the OpenMP-parallel loop
    bool loop_serial = false;
    std::optional<double> libxsmm_gflops;    // empty without libxsmm or without a kernel for n
    double onednn_loop_gflops = 0;           // dnnl_sgemm per problem, best of serial / OpenMP
    std::optional<double> blis_loop_gflops;  // bli_sgemm per problem; empty without BLIS
    double vs_loop() const { return magmadnn_gflops / loop_gflops; }
    std::optional<double> vs_libxsmm() const;
};

// Mixed-precision solve of one right-hand side, uniform [-1, 1] matrices.
struct SolveOptions {
    std::vector<index_t> sizes{1000, 2000, 4000, 8000};
};
struct SolveRow {
    index_t n = 0;
    double dgesv_seconds = 0;
    double mixed_seconds = 0;
    std::string method;  // linalg::MixedMethod as text
    int iterations = 0;
    double dgesv_backward_error = 0;
    double mixed_backward_error = 0;
    double speedup() const { return dgesv_seconds / mixed_seconds; }
};

// 2-D complex FFT of n x n uniform [-1, 1] data; errors relative to FFTW f64.
struct FftOptions {
    std::vector<index_t> sizes{256, 512, 1024};
    int fftw_repetitions = 10;
    int split_repetitions = 5;
};
struct FftRow {
    index_t n = 0;
    double fftw_ms = 0;
    double split_ms = 0;
    double fftw_error = 0;
    double split_error = 0;
    double ratio() const { return split_ms / fftw_ms; }  // split / FFTW: > 1 means FFTW is faster
};

// GPU: the mixed-precision solve (cuSOLVER's IRS solver, one low precision per row) against the
// f64 LU solve (cusolverDnDgetrf + getrs, through linalg::solve on DEVICE tensors), one
// right-hand side, uniform [-1, 1] matrices.
struct GpuSolveOptions {
    std::vector<index_t> sizes{1000, 2000, 4000, 8000, 16000};
    std::vector<std::string> precisions{"f16", "bf16", "tf32", "f32"};
    int repetitions = 3;  // best of these, after a warm-up
};
struct GpuSolveRow {
    index_t n = 0;
    std::string precision;
    double dgetrf_seconds = 0;
    double mixed_seconds = 0;
    std::string method;
    int iterations = 0;
    double dgetrf_backward_error = 0;
    double mixed_backward_error = 0;
    double speedup() const { return dgetrf_seconds / mixed_seconds; }
};

// GPU: FP16-split 2-D FFT (tensor-core GEMMs) against cuFFT f32 (fft::fft2 on DEVICE tensors);
// errors relative to FFTW f64 on the host.
struct GpuFftOptions {
    std::vector<index_t> sizes{256, 512, 1024, 2048, 4096};
    int repetitions = 10;
};
struct GpuFftRow {
    index_t n = 0;
    double cufft_ms = 0;
    double split_ms = 0;
    double cufft_error = 0;
    double split_error = 0;
    double ratio() const { return split_ms / cufft_ms; }  // > 1: cuFFT is faster
};

// Each runs its sizes in order, hands every row to `on_row` as soon as it is measured (long runs
// show progress), and returns them all. The GPU tables throw DeviceError without a device.
std::vector<GemmRow> batched_gemm(const GemmOptions& options,
                                  const std::function<void(const GemmRow&)>& on_row = {});
std::vector<SolveRow> mixed_solve(const SolveOptions& options,
                                  const std::function<void(const SolveRow&)>& on_row = {});
std::vector<FftRow> fft_fp16split(const FftOptions& options,
                                  const std::function<void(const FftRow&)>& on_row = {});
std::vector<GpuSolveRow> gpu_mixed_solve(
    const GpuSolveOptions& options, const std::function<void(const GpuSolveRow&)>& on_row = {});
std::vector<GpuFftRow> gpu_fft_fp16split(const GpuFftOptions& options,
                                         const std::function<void(const GpuFftRow&)>& on_row = {});

// Markdown: "# ..." lines saying what is measured and how, then a blank line (title); the column
// names and the separator (*_markdown_header); one line per row (markdown_row).
std::string title(const GemmOptions& options, const Environment& env);
std::string title(const SolveOptions& options, const Environment& env);
std::string title(const FftOptions& options, const Environment& env);
std::string title(const GpuSolveOptions& options, const Environment& env);
std::string title(const GpuFftOptions& options, const Environment& env);
std::string gemm_markdown_header();
std::string solve_markdown_header();
std::string fft_markdown_header();
std::string gpu_solve_markdown_header();
std::string gpu_fft_markdown_header();
std::string markdown_row(const GemmRow& row);
std::string markdown_row(const SolveRow& row);
std::string markdown_row(const FftRow& row);
std::string markdown_row(const GpuSolveRow& row);
std::string markdown_row(const GpuFftRow& row);

}  // namespace magmadnn::bench
