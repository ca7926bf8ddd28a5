#pragma once
// Private: FFTW transforms through a cache of plans keyed by (precision, kind, sizes, batch,
// alignment). Plans are made on scratch arrays and run on the caller's arrays with FFTW's
// new-array interface; arrays not aligned as FFTW likes get a plan made with FFTW_UNALIGNED.
#include <complex>
#include <cstddef>
#include <vector>

namespace magmadnn::fft::cpu {

// dims: {n} or {h, w}; `batch` transforms laid out one after another.
template <typename T>
void c2c(const std::vector<int>& dims, int batch, const std::complex<T>* in, std::complex<T>* out,
         bool inverse);
template <typename T>
void r2c(const std::vector<int>& dims, int batch, const T* in, std::complex<T>* out);
// `in` is overwritten (FFTW's multi-dimensional c2r does not preserve its input).
template <typename T>
void c2r(const std::vector<int>& dims, int batch, std::complex<T>* in, T* out);

void set_measure(bool measure);
void clear_plans();
std::size_t plan_count();

}  // namespace magmadnn::fft::cpu
