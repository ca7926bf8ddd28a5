// Batched small GEMM (f32, square sizes 4..64, 10,000 problems): magmadnn's gemm_batched against
// a loop of cblas_sgemm and libxsmm's JIT kernels, all in the same run, each reference at its
// best configuration (serial and OpenMP-parallel loops both timed; the faster is reported).
// Prints a Markdown table of GFLOP/s and ratios. Usage: bench_linalg_batched_gemm [problems]
// Without libxsmm at configure time its columns say n/a. (`magmadnn bench linalg --table gemm`
// prints the same table.)
#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "linalg_tables.h"
#include "magmadnn.h"

int main(int argc, char** argv) {
    namespace bench = magmadnn::bench;
    bench::GemmOptions options;
    if (argc > 1) options.problems = std::atol(argv[1]);
    fmt::print("{}{}", bench::title(options, bench::environment()), bench::gemm_markdown_header());
    bench::batched_gemm(options, [](const bench::GemmRow& row) {
        fmt::print("{}", bench::markdown_row(row));
        std::fflush(stdout);
    });
    // which host kernels gemm_batched measured faster for each shape (own or libxsmm)
    std::string chosen;
    for (const auto& [key, kernel] : magmadnn::linalg::gemm_batched_choices()) {
        chosen += fmt::format("{}{} {}", chosen.empty() ? "" : ", ", key, kernel);
    }
    fmt::print("\n# magmadnn's kernels: {}\n", chosen.empty() ? "none measured" : chosen);
    return 0;
}
