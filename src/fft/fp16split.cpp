// FP16-split 2-D FFT: rows, transpose, rows, transpose back (each pass the Stockham GEMM FFT of
// cpu/fp16split_stages.cpp, or on the GPU of cuda/fp16split_gpu.cpp with tensor-core GEMMs).
#include "magmadnn/fft/fp16split.h"

#include <fmt/format.h>

#include <bit>

#include "common.h"
#include "cpu/fp16split_stages.h"
#include "cuda/cufft.h"
#include "cuda/fp16split_gpu.h"
#include "magmadnn/core/error.h"

namespace magmadnn::fft {

namespace {

void transpose_batch(index_t batch, index_t h, index_t w, const c64* in, c64* out) {
#pragma omp parallel for schedule(static)
    for (index_t b = 0; b < batch; ++b) {
        const c64* src = in + b * h * w;
        c64* dst = out + b * h * w;
        for (index_t i = 0; i < h; ++i) {
            for (index_t j = 0; j < w; ++j) dst[j * h + i] = src[i * w + j];
        }
    }
}

Tensor<c64> fft2_split_impl(const char* routine, const Tensor<c64>& x, bool split) {
    const std::vector<int> dims = detail::transform_dims(routine, x.shape(), 2);
    const index_t h = dims[0];
    const index_t w = dims[1];
    if (!std::has_single_bit(static_cast<unsigned long long>(h)) ||
        !std::has_single_bit(static_cast<unsigned long long>(w))) {
        throw ValueError(
            fmt::format("fft::{}: the last two extents of {} must be powers of two "
                        "(the radix-4/2 GEMM stages need them); zero-pad the input "
                        "or use fft::fft2",
                        routine, to_string(x.shape())));
    }
    const index_t batch = detail::batch_of(x.shape(), 2);
    if (detail::on_device(routine, x.memory())) {
#ifdef MAGMADNN_WITH_CUDA
        // tensor-core GEMMs for the butterflies, in the tensor's own memory
        Tensor<c64> a = x.to(x.memory(), true);
        Tensor<c64> t(x.shape(), x.memory());
        cuda::fft_rows_fp16(batch * h, w, a.device_data(), split);
        cuda::transpose_batch(batch, h, w, a.cdevice_data(), t.device_data());
        cuda::fft_rows_fp16(batch * w, h, t.device_data(), split);
        cuda::transpose_batch(batch, w, h, t.cdevice_data(), a.device_data());
        return a;
#endif
    }
    Tensor<c64> a = x.to(HOST, true);
    Tensor<c64> t(x.shape(), HOST);
    cpu::fft_rows_fp16(batch * h, w, a.data(), split);
    transpose_batch(batch, h, w, a.cdata(), t.data());
    cpu::fft_rows_fp16(batch * w, h, t.data(), split);
    transpose_batch(batch, w, h, t.cdata(), a.data());
    return a;
}

Tensor<c64> complex_of(const Tensor<float>& x) {
#ifdef MAGMADNN_WITH_CUDA
    if (x.memory() != HOST) {
        Tensor<c64> c(x.shape(), x.memory());
        cuda::real_to_complex(x.size(), x.cdevice_data(), c.device_data());
        return c;
    }
#endif
    const Tensor<float> h = x.to(HOST);
    Tensor<c64> c(x.shape(), HOST);
    for (index_t i = 0; i < h.size(); ++i) c.data()[i] = {h.cdata()[i], 0.0f};
    return x.memory() == HOST ? c : c.to(x.memory());
}

}  // namespace

Tensor<c64> fft2_fp16split(const Tensor<c64>& x) {
    return fft2_split_impl("fft2_fp16split", x, true);
}
Tensor<c64> fft2_fp16split(const Tensor<float>& x) {
    return fft2_split_impl("fft2_fp16split", complex_of(x), true);
}
Tensor<c64> fft2_fp16(const Tensor<c64>& x) { return fft2_split_impl("fft2_fp16", x, false); }
Tensor<c64> fft2_fp16(const Tensor<float>& x) {
    return fft2_split_impl("fft2_fp16", complex_of(x), false);
}

}  // namespace magmadnn::fft
