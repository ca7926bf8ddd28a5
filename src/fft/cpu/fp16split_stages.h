#pragma once
// Private: the FP16-split (and plain FP16) FFT along the last axis of a batch of rows, as a
// Stockham FFT whose radix-4 / radix-2 butterflies are GEMMs with the exact DFT matrix.
//
// Variants (validated against FFTW in f64 in tests/fft/fp16split_test.cpp):
//   split - each stage's twiddled f32 input is split per row into two FP16 parts with
//           power-of-two scales, X = s1 X1 + s2 X2; two GEMMs (FP16-rounded operands, f32
//           accumulation) and s1 Y1 + s2 Y2 in f32.
//   plain - one unscaled FP16 part, and FP16 storage between stages: what a half-precision FFT
//           does, for contrast.
#include <complex>

#include "magmadnn/core/types.h"

namespace magmadnn::fft::cpu {

// n must be a power of two. `data` {rows, n} is transformed in place (forward, unnormalized).
void fft_rows_fp16(index_t rows, index_t n, std::complex<float>* data, bool split);

}  // namespace magmadnn::fft::cpu
