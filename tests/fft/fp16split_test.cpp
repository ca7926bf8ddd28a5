// The FP16-split FFT against an f64 FFTW reference over input magnitudes 1e-7..1e5: relative
// error ||F - F_ref||_2 / ||F_ref||_2 <= 1e-4 for the split, while plain FP16 loses everything
// at the extremes (subnormals below 6e-5, flush below 6e-8, overflow above 65504). The table is
// printed.
#include "magmadnn/fft/fp16split.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "magmadnn/core/error.h"
#include "test_util.h"

namespace magmadnn {
namespace {

double rel_err(const Tensor<fft::c64>& F, const Tensor<fft::c128>& ref) {
    double num = 0, den = 0;
    for (index_t i = 0; i < F.size(); ++i) {
        const std::complex<double> a(F.cdata()[i].real(), F.cdata()[i].imag());
        num += std::norm(a - ref.cdata()[i]);
        den += std::norm(ref.cdata()[i]);
    }
    return std::sqrt(num / den);
}

TEST(Fp16SplitFft, ErrorTableAgainstF64Reference) {
    constexpr double kBound = 1e-4;  // the requirement for the split
    std::printf("| size | input magnitude | FP16-split rel. error | plain FP16 rel. error |\n");
    std::printf("| --- | --- | --- | --- |\n");
    for (index_t n : {64, 128}) {
        for (double mag : {1e-7, 1e-5, 1e-3, 1.0, 1e2, 1e3, 1e5}) {
            const Tensor<float> x = test::random_tensor<float>({n, n}, 17, -mag, mag);
            const Tensor<fft::c128> ref = fft::fft2(x.cast<double>());
            const double split = rel_err(fft::fft2_fp16split(x), ref);
            const double plain = rel_err(fft::fft2_fp16(x), ref);
            std::printf("| %ldx%ld | %.0e | %.2e | %.2e |\n", static_cast<long>(n),
                        static_cast<long>(n), mag, split, plain);
            EXPECT_LE(split, kBound) << "n " << n << " magnitude " << mag;
            // Plain FP16 keeps 11 bits at best (error >= 10x the split's, or not finite), and at
            // the extremes flushes to subnormals / zero or overflows (error >= 0.1 or not finite).
            EXPECT_TRUE(!(plain <= 10 * split)) << "n " << n << " magnitude " << mag;
            if (mag <= 1e-7 || mag >= 1e5) {
                EXPECT_TRUE(!(plain < 0.1)) << "n " << n << " magnitude " << mag << ": " << plain;
            }
        }
    }
}

TEST(Fp16SplitFft, ComplexBatchedRectangularAndErrors) {
    // {2, 32, 8}: batch of two, radix-2 final stage on one axis (32 = 4 * 4 * 2).
    Tensor<fft::c64> x({2, 32, 8}, HOST);
    const Tensor<float> re = test::random_tensor<float>({2, 32, 8}, 18);
    const Tensor<float> im = test::random_tensor<float>({2, 32, 8}, 19);
    Tensor<fft::c128> xd({2, 32, 8}, HOST);
    for (index_t i = 0; i < x.size(); ++i) {
        x.data()[i] = {re.cdata()[i], im.cdata()[i]};
        xd.data()[i] = {re.cdata()[i], im.cdata()[i]};
    }
    EXPECT_LE(rel_err(fft::fft2_fp16split(x), fft::fft2(xd)), 1e-4);
    EXPECT_THROW(fft::fft2_fp16split(Tensor<float>({12, 16}, HOST)), ValueError);
    EXPECT_THROW(fft::fft2_fp16split(Tensor<float>({16}, HOST)), ShapeError);
}

TEST(Fp16SplitFft, SubnormalRowsStayFinite) {
    // Rows far below FP16's range (f32 subnormals down to 1e-42): each row's scale is clamped at
    // 2^-126, where 2^(ilogb(max) - 14) would underflow to 0 and turn the row into inf / NaN.
    // The bound is looser than the table's: the f32 result itself is subnormal here (about
    // 1e-40), with at most ~17 significant bits.
    for (double mag : {1e-36, 1e-39, 1e-42}) {
        const Tensor<float> x = test::random_tensor<float>({32, 32}, 23, -mag, mag);
        const double err = rel_err(fft::fft2_fp16split(x), fft::fft2(x.cast<double>()));
        EXPECT_LE(err, 1e-3) << "magnitude " << mag;  // NaN fails too
    }
}

TEST(Fp16SplitFftGpu, TensorCoreGemmsMatchTheHostEmulation) {
    MAGMADNN_SKIP_WITHOUT_GPU();
    // The GPU path (cublasGemmEx, FP16 operands, f32 accumulation) and the host emulation round
    // the same operands; only the order of the f32 sums may differ, so they agree to a few f32
    // ulps, and the GPU result keeps the split's accuracy against f64 at every magnitude.
    for (double mag : {1e-7, 1.0, 1e5}) {
        const Tensor<float> x = test::random_tensor<float>({2, 64, 32}, 21, -mag, mag);
        const Tensor<fft::c128> ref = fft::fft2(x.cast<double>());
        const Tensor<fft::c64> host = fft::fft2_fp16split(x);
        const Tensor<fft::c64> dev = fft::fft2_fp16split(x.to(DEVICE));
        EXPECT_EQ(dev.memory(), DEVICE);
        const Tensor<fft::c64> back = dev.to(HOST);
        EXPECT_LE(rel_err(back, ref), 1e-4) << "magnitude " << mag;
        Tensor<fft::c128> host_d(host.shape(), HOST);
        for (index_t i = 0; i < host.size(); ++i) {
            host_d.data()[i] = {host.cdata()[i].real(), host.cdata()[i].imag()};
        }
        EXPECT_LE(rel_err(back, host_d), 1e-6) << "magnitude " << mag;
        // plain FP16 on the GPU loses what it loses on the host
        const Tensor<fft::c64> plain = fft::fft2_fp16(x.to(DEVICE)).to(HOST);
        EXPECT_TRUE(!(rel_err(plain, ref) <= 10 * rel_err(back, ref))) << "magnitude " << mag;
    }
    // MANAGED memory and a complex input take the same path
    const Tensor<float> img = test::random_tensor<float>({16, 16}, 22);
    const Tensor<fft::c64> m = fft::fft2_fp16split(img.to(MANAGED));
    EXPECT_EQ(m.memory(), MANAGED);
    EXPECT_LE(rel_err(m.to(HOST), fft::fft2(img.cast<double>())), 1e-4);
}

}  // namespace
}  // namespace magmadnn
