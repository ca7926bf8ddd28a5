// `magmadnn bench <family>`: the benchmark tables of docs/PERFORMANCE.md, measured on this machine
// against the reference libraries in the same run.
#include <fmt/format.h>

#include <cstdio>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "commands.h"
#include "linalg_tables.h"
#include "magmadnn/core/device.h"
#include "magmadnn/core/error.h"

namespace magmadnn::cli {

namespace {

struct LinalgArgs {
    bool quick = false;
    bool json = false;
    std::string table = "all";
    std::vector<index_t> sizes;  // the solve table's n; empty: the default list
    std::string device = "cpu";  // cuda: the GPU solve and FFT tables
    index_t problems = 0;        // the GEMM table's batch; 0: the default
};

template <typename T>
nlohmann::json or_null(const std::optional<T>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

nlohmann::json to_json(const bench::GemmRow& r) {
    return {{"n", r.n},
            {"magmadnn_gflops", r.magmadnn_gflops},
            {"loop_gflops", r.loop_gflops},
            {"loop", r.loop_serial ? "serial" : "omp"},
            {"libxsmm_gflops", or_null(r.libxsmm_gflops)},
            {"onednn_loop_gflops", r.onednn_loop_gflops},
            {"blis_loop_gflops", or_null(r.blis_loop_gflops)},
            {"vs_loop", r.vs_loop()},
            {"vs_libxsmm", or_null(r.vs_libxsmm())}};
}

nlohmann::json to_json(const bench::SolveRow& r) {
    return {{"n", r.n},
            {"dgesv_s", r.dgesv_seconds},
            {"mixed_s", r.mixed_seconds},
            {"speedup", r.speedup()},
            {"method", r.method},
            {"iterations", r.iterations},
            {"dgesv_backward_error", r.dgesv_backward_error},
            {"mixed_backward_error", r.mixed_backward_error}};
}

nlohmann::json to_json(const bench::GpuSolveRow& r) {
    return {{"n", r.n},
            {"precision", r.precision},
            {"dgetrf_s", r.dgetrf_seconds},
            {"mixed_s", r.mixed_seconds},
            {"speedup", r.speedup()},
            {"method", r.method},
            {"iterations", r.iterations},
            {"dgetrf_backward_error", r.dgetrf_backward_error},
            {"mixed_backward_error", r.mixed_backward_error}};
}

nlohmann::json to_json(const bench::GpuFftRow& r) {
    return {{"n", r.n},           {"cufft_ms", r.cufft_ms},       {"split_ms", r.split_ms},
            {"ratio", r.ratio()}, {"cufft_error", r.cufft_error}, {"split_error", r.split_error}};
}

nlohmann::json to_json(const bench::FftRow& r) {
    return {{"n", r.n},           {"fftw_ms", r.fftw_ms},       {"split_ms", r.split_ms},
            {"ratio", r.ratio()}, {"fftw_error", r.fftw_error}, {"split_error", r.split_error}};
}

// One table: its title and header, then each row as soon as it is measured (the full sizes take
// minutes); with --json one object per row instead, tagged with the table's name.
template <typename Options, typename Measure>
void print_table(const char* name, const Options& options, const bench::Environment& env,
                 const std::string& header, Measure measure, bool json) {
    if (!json) fmt::print("{}{}", bench::title(options, env), header);
    std::fflush(stdout);
    measure(options, [&](const auto& row) {
        if (json) {
            nlohmann::json j = {{"table", name}};
            j.update(to_json(row));
            fmt::print("{}\n", j.dump());
        } else {
            fmt::print("{}", bench::markdown_row(row));
        }
        std::fflush(stdout);
    });
    if (!json) fmt::print("\n");
}

// --device cuda: cuSOLVER's mixed-precision solve against its f64 LU solve, and the FP16-split
// FFT on tensor cores against cuFFT (the batched GEMM on the GPU is cuBLAS's own).
void run_linalg_gpu(const LinalgArgs& a, const bench::Environment& env) {
    bench::GpuSolveOptions solve;
    bench::GpuFftOptions fft;
    if (a.quick) {
        solve.sizes = {500, 1000};
        solve.precisions = {"f16", "f32"};
        solve.repetitions = 2;
        fft.sizes = {256, 512};
        fft.repetitions = 3;
    }
    if (!a.sizes.empty()) solve.sizes = a.sizes;
    const bool all = a.table == "all";
    if (all || a.table == "solve") {
        print_table("gpu_solve", solve, env, bench::gpu_solve_markdown_header(),
                    bench::gpu_mixed_solve, a.json);
    }
    if (all || a.table == "fft") {
        print_table("gpu_fft", fft, env, bench::gpu_fft_markdown_header(), bench::gpu_fft_fp16split,
                    a.json);
    }
    if (a.table == "gemm") {
        throw ValueError(
            "magmadnn bench linalg --device cuda: no GPU GEMM table (gemm_batched on DEVICE "
            "tensors is cuBLAS's strided batched GEMM); use --table solve or fft");
    }
}

void run_linalg(const LinalgArgs& a) {
    if (a.device == "cuda") require_device("magmadnn bench linalg --device cuda");
    bench::GemmOptions gemm;
    bench::SolveOptions solve;
    bench::FftOptions fft;
    if (a.quick) {
        gemm.problems = 1000;
        gemm.repetitions = 3;
        solve.sizes = {200, 400};
        fft.sizes = {64, 128};
        fft.fftw_repetitions = 3;
        fft.split_repetitions = 2;
    }
    if (a.problems > 0) gemm.problems = a.problems;
    if (!a.sizes.empty()) solve.sizes = a.sizes;

    // The tables depend on the BLAS kernels and thread counts as much as on the code: say which.
    const bench::Environment env = bench::environment();
    if (a.json) {
        fmt::print("{}\n", nlohmann::json({{"table", "config"},
                                           {"openblas", env.openblas},
                                           {"openblas_coretype", or_null(env.coretype)},
                                           {"threads", env.threads},
                                           {"omp_threads", env.omp_threads},
                                           {"libxsmm", or_null(env.libxsmm)},
                                           {"onednn", env.onednn},
                                           {"blis", or_null(env.blis)},
                                           {"fftw", env.fftw},
                                           {"device", a.device},
                                           {"quick", a.quick},
                                           {"gemm_problems", gemm.problems}})
                               .dump());
    } else {
        fmt::print("magmadnn bench linalg{}\n",
                   a.quick ? " --quick (small sizes, few repetitions)" : "");
        fmt::print("BLAS:    {}, OPENBLAS_CORETYPE={}, {} threads ({} OpenMP)\n", env.openblas,
                   env.coretype.value_or("unset"), env.threads, env.omp_threads);
        fmt::print("libxsmm: {}; oneDNN: {}; BLIS: {}; FFTW: {}\n\n",
                   env.libxsmm.value_or("not linked in"), env.onednn,
                   env.blis.value_or("not installed"), env.fftw);
    }
    if (a.device == "cuda") {
        run_linalg_gpu(a, env);
        return;
    }
    const bool all = a.table == "all";
    if (all || a.table == "gemm") {
        print_table("gemm", gemm, env, bench::gemm_markdown_header(), bench::batched_gemm, a.json);
    }
    if (all || a.table == "solve") {
        print_table("solve", solve, env, bench::solve_markdown_header(), bench::mixed_solve,
                    a.json);
    }
    if (all || a.table == "fft") {
        print_table("fft", fft, env, bench::fft_markdown_header(), bench::fft_fp16split, a.json);
    }
}

void add_linalg(CLI::App& bench_cmd) {
    auto a = std::make_shared<LinalgArgs>();
    auto* cmd = bench_cmd.add_subcommand(
        "linalg",
        "Batched small GEMM vs cblas_sgemm / libxsmm, mixed-precision solve vs LAPACKE_dgesv, "
        "FP16-split FFT vs FFTW (docs/PERFORMANCE.md)");
    cmd->add_flag("--quick", a->quick, "small sizes and few repetitions: seconds, not minutes");
    cmd->add_flag("--json", a->json,
                  "one JSON object per line: the configuration, then one per table row");
    cmd->add_option("--table", a->table, "which table")
        ->check(CLI::IsMember({"gemm", "solve", "fft", "all"}))
        ->capture_default_str();
    const CLI::Range positive(index_t{1}, std::numeric_limits<index_t>::max());
    cmd->add_option("--sizes", a->sizes, "the solve table's n (default 1000 2000 4000 8000)")
        ->check(positive)
        ->delimiter(',');
    cmd->add_option("--problems", a->problems, "the GEMM table's batch (default 10000)")
        ->check(positive);
    cmd->add_option("--device", a->device,
                    "cuda: the GPU tables (mixed solve vs cusolverDnDgetrf, FP16-split vs cuFFT)")
        ->check(CLI::IsMember({"cpu", "cuda"}))
        ->capture_default_str();
    cmd->callback([a] { run_linalg(*a); });
}

}  // namespace

void add_bench_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("bench", "Run a benchmark family and print its tables");
    cmd->require_subcommand(1);
    add_linalg(*cmd);
}

}  // namespace magmadnn::cli
