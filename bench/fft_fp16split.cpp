// FP16-split 2-D FFT (CPU emulation) against FFTW f32 on the same complex input, same run.
// FFTW runs at its best configuration here: FFTW_MEASURE plan, made once outside the timing,
// out of place, single-threaded (the library's threaded build is not linked); our split runs the
// library's OpenMP threads. Prints time per transform, the ratio, and the accuracy of both
// against FFTW f64. Usage: bench_fft_fp16split [n ...]  (default 256 512 1024)
// (`magmadnn bench linalg --table fft` prints the same table.)
#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>

#include "linalg_tables.h"

int main(int argc, char** argv) {
    namespace bench = magmadnn::bench;
    bench::FftOptions options;
    if (argc > 1) options.sizes.clear();
    for (int i = 1; i < argc; ++i) options.sizes.push_back(std::atol(argv[i]));
    fmt::print("{}{}", bench::title(options, bench::environment()), bench::fft_markdown_header());
    bench::fft_fp16split(options, [](const bench::FftRow& row) {
        fmt::print("{}", bench::markdown_row(row));
        std::fflush(stdout);
    });
    return 0;
}
