// Mixed-precision solve (f32 LU + f64 refinement) against LAPACKE_dgesv on the same matrices, in
// the same run. The reference runs at its best configuration: column-major (no LAPACKE layout
// transposes), OpenBLAS with all cores. Matrices: uniform [-1, 1] entries (well conditioned in
// the sense of iterative refinement: cond x u(f32) << 1). Prints a Markdown table.
// Usage: bench_linalg_mixed_solve [n ...]   (default 1000 2000 4000 8000)
// (`magmadnn bench linalg --table solve --sizes ...` prints the same table.)
#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>

#include "linalg_tables.h"

int main(int argc, char** argv) {
    namespace bench = magmadnn::bench;
    bench::SolveOptions options;
    if (argc > 1) options.sizes.clear();
    for (int i = 1; i < argc; ++i) options.sizes.push_back(std::atol(argv[i]));
    fmt::print("{}{}", bench::title(options, bench::environment()), bench::solve_markdown_header());
    bench::mixed_solve(options, [](const bench::SolveRow& row) {
        fmt::print("{}", bench::markdown_row(row));
        std::fflush(stdout);
    });
    return 0;
}
