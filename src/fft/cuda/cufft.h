#pragma once
// Private (CUDA builds only): cuFFT transforms through a cache of plans, and the small kernels
// the FFT layer needs. Declared without CUDA headers.
#ifdef MAGMADNN_WITH_CUDA
#include <complex>
#include <cstddef>
#include <vector>

#include "magmadnn/core/types.h"

namespace magmadnn::fft::cuda {

template <typename T>
void c2c(const std::vector<int>& dims, int batch, const std::complex<T>* in, std::complex<T>* out,
         bool inverse);
template <typename T>
void r2c(const std::vector<int>& dims, int batch, const T* in, std::complex<T>* out);
template <typename T>
void c2r(const std::vector<int>& dims, int batch, std::complex<T>* in, T* out);
void clear_plans();
std::size_t plan_count();

// x[i] *= s for n reals.
template <typename T>
void scale(index_t n, T* x, T s);
// out[i] = (in[i], 0).
template <typename T>
void real_to_complex(index_t n, const T* in, std::complex<T>* out);

}  // namespace magmadnn::fft::cuda
#endif
