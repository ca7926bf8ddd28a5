#pragma once
// Fast Fourier transforms on tensors: 1-D along the last axis and 2-D over the last two axes,
// batched over the leading ones; real and complex, forward and inverse, f32 and f64. HOST
// tensors use FFTW, GPU tensors cuFFT; plans are cached per (type, sizes, batch, direction).
// Forward transforms are unnormalized, inverse ones divide by the transform size (numpy's
// "backward" convention).
//
//     Tensor<std::complex<float>> F = fft::fft2(img);   // img {H, W} float: the full spectrum
//     Tensor<float> back = fft::irfft2(fft::rfft2(img), W);
//     Tensor<std::complex<double>> s = fft::fft(signal);  // {batch, n} -> {batch, n}

#include <complex>

#include "magmadnn/core/tensor.h"

namespace magmadnn::fft {

using c64 = std::complex<float>;
using c128 = std::complex<double>;

// Complex to complex along the last axis.
Tensor<c64> fft(const Tensor<c64>& x);
Tensor<c128> fft(const Tensor<c128>& x);
Tensor<c64> ifft(const Tensor<c64>& x);
Tensor<c128> ifft(const Tensor<c128>& x);
// Real input: the full complex spectrum (n values per row).
Tensor<c64> fft(const Tensor<float>& x);
Tensor<c128> fft(const Tensor<double>& x);
// Real input: the non-redundant half, n / 2 + 1 values per row.
Tensor<c64> rfft(const Tensor<float>& x);
Tensor<c128> rfft(const Tensor<double>& x);
// The inverse of rfft; n is the length of the real output (n / 2 + 1 must match X's last axis).
Tensor<float> irfft(const Tensor<c64>& X, index_t n);
Tensor<double> irfft(const Tensor<c128>& X, index_t n);

// The same over the last two axes ({..., H, W}).
Tensor<c64> fft2(const Tensor<c64>& x);
Tensor<c128> fft2(const Tensor<c128>& x);
Tensor<c64> ifft2(const Tensor<c64>& x);
Tensor<c128> ifft2(const Tensor<c128>& x);
Tensor<c64> fft2(const Tensor<float>& x);
Tensor<c128> fft2(const Tensor<double>& x);
Tensor<c64> rfft2(const Tensor<float>& x);  // {..., H, W / 2 + 1}
Tensor<c128> rfft2(const Tensor<double>& x);
Tensor<float> irfft2(const Tensor<c64>& X, index_t w);  // w: the real output's last extent
Tensor<double> irfft2(const Tensor<c128>& X, index_t w);

// FFTW planning for host plans made from now on: estimate (default; plans instantly) or
// measure (times candidate algorithms once per size, then runs faster).
enum class Planning { estimate, measure };
void set_planning(Planning p);
// Drops every cached plan (host and GPU).
void clear_plan_cache();
std::size_t plan_cache_size();

}  // namespace magmadnn::fft
