// FP16-split 2-D FFT (CPU emulation) against FFTW f32 on the same complex input, same run.
// FFTW runs at its best configuration here: FFTW_MEASURE plan, made once outside the timing,
// out of place, single-threaded (the library's threaded build is not linked); our split runs the
// library's OpenMP threads. Prints time per transform, the ratio, and the accuracy of both
// against FFTW f64. Usage: bench_fft_fp16split [n ...]  (default 256 512 1024)
#include <fftw3.h>
#include <fmt/format.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <vector>

#include "magmadnn/fft/fp16split.h"

using magmadnn::index_t;
using magmadnn::Tensor;
using magmadnn::fft::c128;
using magmadnn::fft::c64;

namespace {

template <typename F>
double best_seconds(F f, int reps) {
    double best = 1e30;
    for (int r = 0; r < reps; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        f();
        best = std::min(
            best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    return best;
}

double rel_err(const c64* a, const c128* ref, index_t n) {
    double num = 0, den = 0;
    for (index_t i = 0; i < n; ++i) {
        num += std::norm(c128(a[i].real(), a[i].imag()) - ref[i]);
        den += std::norm(ref[i]);
    }
    return std::sqrt(num / den);
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<index_t> sizes;
    for (int i = 1; i < argc; ++i) sizes.push_back(std::atol(argv[i]));
    if (sizes.empty()) sizes = {256, 512, 1024};
    fmt::print(
        "# 2-D complex FFT, FFTW {} f32 (FFTW_MEASURE, 1 thread) vs fft2_fp16split "
        "(CPU emulation, {} OpenMP threads)\n",
        fftwf_version, omp_get_max_threads());
    fmt::print(
        "\n| n x n | FFTW f32 ms | FP16-split ms | time ratio (split / FFTW) | FFTW f32 "
        "rel. error | FP16-split rel. error |\n");
    fmt::print("| --- | --- | --- | --- | --- | --- |\n");
    for (index_t n : sizes) {
        const Tensor<float> re({n, n}, magmadnn::Filler(magmadnn::UNIFORM, {-1.0, 1.0}, 5));
        const Tensor<float> im({n, n}, magmadnn::Filler(magmadnn::UNIFORM, {-1.0, 1.0}, 6));
        Tensor<c64> x({n, n}, magmadnn::HOST);
        Tensor<c128> xd({n, n}, magmadnn::HOST);
        for (index_t i = 0; i < n * n; ++i) {
            x.data()[i] = {re.cdata()[i], im.cdata()[i]};
            xd.data()[i] = {re.cdata()[i], im.cdata()[i]};
        }
        const Tensor<c128> ref = magmadnn::fft::fft2(xd);
        auto* in = static_cast<fftwf_complex*>(fftwf_malloc(sizeof(fftwf_complex) * n * n));
        auto* out = static_cast<fftwf_complex*>(fftwf_malloc(sizeof(fftwf_complex) * n * n));
        const fftwf_plan plan = fftwf_plan_dft_2d(static_cast<int>(n), static_cast<int>(n), in, out,
                                                  FFTW_FORWARD, FFTW_MEASURE);
        std::copy_n(reinterpret_cast<const float*>(x.cdata()), 2 * n * n,
                    reinterpret_cast<float*>(in));
        const double t_fftw = best_seconds([&] { fftwf_execute(plan); }, 10);
        const double e_fftw = rel_err(reinterpret_cast<const c64*>(out), ref.cdata(), n * n);
        Tensor<c64> F;
        magmadnn::fft::fft2_fp16split(x);  // warm up
        const double t_split = best_seconds([&] { F = magmadnn::fft::fft2_fp16split(x); }, 5);
        const double e_split = rel_err(F.cdata(), ref.cdata(), n * n);
        fmt::print("| {} | {:.3f} | {:.3f} | {:.1f}x | {:.1e} | {:.1e} |\n", n, 1e3 * t_fftw,
                   1e3 * t_split, t_split / t_fftw, e_fftw, e_split);
        fftwf_destroy_plan(plan);
        fftwf_free(in);
        fftwf_free(out);
    }
    return 0;
}
