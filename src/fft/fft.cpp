// FFT dispatch: shapes, then FFTW on the host or cuFFT on the GPU; inverse transforms scaled by
// 1 / (transform size).
#include "magmadnn/fft/fft.h"

#include <fmt/format.h>

#include "common.h"
#include "cpu/fftw_plans.h"
#include "cuda/cufft.h"
#include "magmadnn/core/error.h"

namespace magmadnn::fft {

namespace {

int product(const std::vector<int>& v) {
    int p = 1;
    for (int x : v) p *= x;
    return p;
}

template <typename T>
void scale(Tensor<std::complex<T>>& x, T s) {
    if (x.memory() != HOST) {
#ifdef MAGMADNN_WITH_CUDA
        cuda::scale(2 * x.size(), reinterpret_cast<T*>(x.device_data()), s);
#endif
        return;
    }
    std::complex<T>* p = x.data();
    for (index_t i = 0; i < x.size(); ++i) p[i] *= s;
}
template <typename T>
void scale(Tensor<T>& x, T s) {
    if (x.memory() != HOST) {
#ifdef MAGMADNN_WITH_CUDA
        cuda::scale(x.size(), x.device_data(), s);
#endif
        return;
    }
    T* p = x.data();
    for (index_t i = 0; i < x.size(); ++i) p[i] *= s;
}

template <typename T>
Tensor<std::complex<T>> c2c(const char* routine, const Tensor<std::complex<T>>& x, int rank,
                            bool inverse) {
    const std::vector<int> dims = detail::transform_dims(routine, x.shape(), rank);
    const int batch = detail::batch_of(x.shape(), rank);
    Tensor<std::complex<T>> out(x.shape(), x.memory());
    if (x.size() == 0) return out;
    if (detail::on_device(routine, x.memory())) {
#ifdef MAGMADNN_WITH_CUDA
        cuda::c2c<T>(dims, batch, x.cdevice_data(), out.device_data(), inverse);
#endif
    } else {
        cpu::c2c<T>(dims, batch, x.cdata(), out.data(), inverse);
    }
    if (inverse) scale(out, T(1) / static_cast<T>(product(dims)));
    return out;
}

template <typename T>
Tensor<std::complex<T>> to_complex(const Tensor<T>& x) {
    Tensor<std::complex<T>> c(x.shape(), x.memory());
    if (x.memory() != HOST) {
#ifdef MAGMADNN_WITH_CUDA
        cuda::real_to_complex(x.size(), x.cdevice_data(), c.device_data());
#endif
        return c;
    }
    const T* p = x.cdata();
    std::complex<T>* q = c.data();
    for (index_t i = 0; i < x.size(); ++i) q[i] = {p[i], T(0)};
    return c;
}

template <typename T>
Tensor<std::complex<T>> r2c(const char* routine, const Tensor<T>& x, int rank) {
    const std::vector<int> dims = detail::transform_dims(routine, x.shape(), rank);
    const int batch = detail::batch_of(x.shape(), rank);
    Shape s = x.shape();
    s.back() = s.back() / 2 + 1;
    Tensor<std::complex<T>> out(s, x.memory());
    if (x.size() == 0) return out;
    if (detail::on_device(routine, x.memory())) {
#ifdef MAGMADNN_WITH_CUDA
        cuda::r2c<T>(dims, batch, x.cdevice_data(), out.device_data());
#endif
    } else {
        cpu::r2c<T>(dims, batch, x.cdata(), out.data());
    }
    return out;
}

template <typename T>
Tensor<T> c2r(const char* routine, const Tensor<std::complex<T>>& X, index_t n, int rank) {
    std::vector<int> dims = detail::transform_dims(routine, X.shape(), rank);
    if (n < 1 || n / 2 + 1 != dims.back()) {
        throw ShapeError(
            fmt::format("fft::{}: output length {} needs {} complex values on the "
                        "last axis (n / 2 + 1), X is {}",
                        routine, n, n / 2 + 1, to_string(X.shape())));
    }
    dims.back() = static_cast<int>(n);
    const int batch = detail::batch_of(X.shape(), rank);
    Shape s = X.shape();
    s.back() = n;
    Tensor<T> out(s, X.memory());
    if (out.size() == 0) return out;         // as c2c and r2c: cuFFT rejects a batch of 0
    Tensor<std::complex<T>> in = X.clone();  // c2r overwrites its input
    if (detail::on_device(routine, X.memory())) {
#ifdef MAGMADNN_WITH_CUDA
        cuda::c2r<T>(dims, batch, in.device_data(), out.device_data());
#endif
    } else {
        cpu::c2r<T>(dims, batch, in.data(), out.data());
    }
    scale(out, T(1) / static_cast<T>(product(dims)));
    return out;
}

}  // namespace

Tensor<c64> fft(const Tensor<c64>& x) { return c2c<float>("fft", x, 1, false); }
Tensor<c128> fft(const Tensor<c128>& x) { return c2c<double>("fft", x, 1, false); }
Tensor<c64> ifft(const Tensor<c64>& x) { return c2c<float>("ifft", x, 1, true); }
Tensor<c128> ifft(const Tensor<c128>& x) { return c2c<double>("ifft", x, 1, true); }
Tensor<c64> fft(const Tensor<float>& x) { return c2c<float>("fft", to_complex(x), 1, false); }
Tensor<c128> fft(const Tensor<double>& x) { return c2c<double>("fft", to_complex(x), 1, false); }
Tensor<c64> rfft(const Tensor<float>& x) { return r2c<float>("rfft", x, 1); }
Tensor<c128> rfft(const Tensor<double>& x) { return r2c<double>("rfft", x, 1); }
Tensor<float> irfft(const Tensor<c64>& X, index_t n) { return c2r<float>("irfft", X, n, 1); }
Tensor<double> irfft(const Tensor<c128>& X, index_t n) { return c2r<double>("irfft", X, n, 1); }

Tensor<c64> fft2(const Tensor<c64>& x) { return c2c<float>("fft2", x, 2, false); }
Tensor<c128> fft2(const Tensor<c128>& x) { return c2c<double>("fft2", x, 2, false); }
Tensor<c64> ifft2(const Tensor<c64>& x) { return c2c<float>("ifft2", x, 2, true); }
Tensor<c128> ifft2(const Tensor<c128>& x) { return c2c<double>("ifft2", x, 2, true); }
Tensor<c64> fft2(const Tensor<float>& x) { return c2c<float>("fft2", to_complex(x), 2, false); }
Tensor<c128> fft2(const Tensor<double>& x) { return c2c<double>("fft2", to_complex(x), 2, false); }
Tensor<c64> rfft2(const Tensor<float>& x) { return r2c<float>("rfft2", x, 2); }
Tensor<c128> rfft2(const Tensor<double>& x) { return r2c<double>("rfft2", x, 2); }
Tensor<float> irfft2(const Tensor<c64>& X, index_t w) { return c2r<float>("irfft2", X, w, 2); }
Tensor<double> irfft2(const Tensor<c128>& X, index_t w) { return c2r<double>("irfft2", X, w, 2); }

void set_planning(Planning p) { cpu::set_measure(p == Planning::measure); }

void clear_plan_cache() {
    cpu::clear_plans();
#ifdef MAGMADNN_WITH_CUDA
    cuda::clear_plans();
#endif
}

std::size_t plan_cache_size() {
    std::size_t n = cpu::plan_count();
#ifdef MAGMADNN_WITH_CUDA
    n += cuda::plan_count();
#endif
    return n;
}

}  // namespace magmadnn::fft
