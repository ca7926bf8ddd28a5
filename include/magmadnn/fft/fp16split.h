#pragma once
// The FP16-split mixed-precision 2-D FFT (after Sorna et al., "Optimizing the Fast Fourier
// Transform using Mixed Precision on Tensor Core Hardware", 2018).
//
// Each radix-4 stage (radix 2 for a last odd power of two) of a Stockham FFT is a GEMM with the
// 4 x 4 DFT matrix, whose entries (+-1, +-i) are exact in FP16. The stage input, after its
// twiddle factors are applied in f32, is split into two FP16 parts X = s1 X1 + s2 X2 with
// power-of-two scales (s1 maps max |X| to 2^15; X2 holds the rounding error of X1, rescaled), the
// GEMMs run with FP16 operands and f32 accumulation (tensor cores on the GPU; on the CPU an
// emulation with the same rounding: FP16-rounded operands, exact products, f32 sums), and
// s1 Y1 + s2 Y2 is formed in f32. The result keeps about 22 bits where plain FP16 keeps 11 and
// overflows above 65504 or flushes below 6e-8.
//
//     Tensor<std::complex<float>> F = fft::fft2_fp16split(img);   // img {..., H, W}, powers of 2
//     Tensor<std::complex<float>> G = fft::fft2_fp16(img);        // plain FP16, for contrast

#include "magmadnn/fft/fft.h"

namespace magmadnn::fft {

Tensor<c64> fft2_fp16split(const Tensor<float>& x);
Tensor<c64> fft2_fp16split(const Tensor<c64>& x);
// The same pipeline with a single unscaled FP16 part and FP16 storage between stages.
Tensor<c64> fft2_fp16(const Tensor<float>& x);
Tensor<c64> fft2_fp16(const Tensor<c64>& x);

}  // namespace magmadnn::fft
