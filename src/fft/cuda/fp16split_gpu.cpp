#include "fp16split_gpu.h"

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <cmath>
#include <numbers>
#include <utility>
#include <vector>

#include "linalg/cuda/handles.h"
#include "magmadnn/core/tensor.h"

namespace magmadnn::fft::cuda {

namespace {

using c64 = std::complex<float>;

// The R-point DFT as a real {2R, 2R} matrix on [Re v; Im v] (entries 0, +-1: exact in FP16),
// the host emulation's matrix.
std::vector<f16> dft_matrix(int R) {
    std::vector<f16> F(static_cast<std::size_t>(4 * R * R), f16(0.0f));
    const int m = 2 * R;
    for (int k = 0; k < R; ++k) {
        for (int r = 0; r < R; ++r) {
            const int q = (k * r) % R;
            const int turns = R == 4 ? q : 2 * q;
            const float re = turns == 0 ? 1.0f : turns == 2 ? -1.0f : 0.0f;
            const float im = turns == 1 ? -1.0f : turns == 3 ? 1.0f : 0.0f;
            F[k * m + r] = f16(re);
            F[k * m + R + r] = f16(-im);
            F[(R + k) * m + r] = f16(im);
            F[(R + k) * m + R + r] = f16(re);
        }
    }
    return F;
}

// [r * ns + k] = exp(-2 pi i r k / (ns R)), computed in f64 and rounded once.
std::vector<c64> twiddles(int R, index_t ns) {
    std::vector<c64> tw(static_cast<std::size_t>(R * ns));
    for (int r = 0; r < R; ++r) {
        for (index_t k = 0; k < ns; ++k) {
            const double a =
                -2.0 * std::numbers::pi * r * static_cast<double>(k) / static_cast<double>(ns * R);
            tw[r * ns + k] = {static_cast<float>(std::cos(a)), static_cast<float>(std::sin(a))};
        }
    }
    return tw;
}

// Y {2R, cols} row-major = F {2R, 2R} P {2R, cols}; in column-major terms Y^T = P^T F^T.
// FP16 operands, f32 accumulation and output: tensor cores.
void butterfly_gemm(int R, index_t cols, const f16* F, const f16* P, float* Y) {
    const float one = 1.0f, zero = 0.0f;
    linalg::cuda::check(
        cublasGemmEx(linalg::cuda::cublas(), CUBLAS_OP_N, CUBLAS_OP_N, static_cast<int>(cols),
                     2 * R, 2 * R, &one, P, CUDA_R_16F, static_cast<int>(cols), F, CUDA_R_16F,
                     2 * R, &zero, Y, CUDA_R_32F, static_cast<int>(cols), CUBLAS_COMPUTE_32F,
                     CUBLAS_GEMM_DEFAULT),
        "cublasGemmEx (FP16-split FFT butterflies)");
}

}  // namespace

void fft_rows_fp16(index_t rows, index_t n, c64* data, bool split) {
    if (rows == 0) return;
    if (n <= 1) {
        if (!split) launch_round(2 * rows * n, reinterpret_cast<float*>(data));
        return;
    }
    // Everything the stages need, uploaded and allocated once per transform (the host-to-device
    // copies are synchronous; the operand buffers have 2 rows n entries at every radix).
    std::vector<index_t> offset;  // each stage's twiddles in `all`
    std::vector<c64> all;
    for (index_t ns = 1; ns < n;) {
        const int R = (n / ns) % 4 == 0 ? 4 : 2;
        const std::vector<c64> tw = twiddles(R, ns);
        offset.push_back(static_cast<index_t>(all.size()));
        all.insert(all.end(), tw.begin(), tw.end());
        ns *= R;
    }
    const Tensor<c64> twiddle =
        Tensor<c64>::from_vector(all, {static_cast<index_t>(all.size())}).to(DEVICE);
    const Tensor<f16> F2 = Tensor<f16>::from_vector(dft_matrix(2), {4, 4}).to(DEVICE);
    const Tensor<f16> F4 = Tensor<f16>::from_vector(dft_matrix(4), {8, 8}).to(DEVICE);
    const index_t operand = 2 * rows * n;
    Tensor<f16> p1({operand}, DEVICE), p2({split ? operand : 1}, DEVICE);
    Tensor<float> y1({operand}, DEVICE), y2({split ? operand : 1}, DEVICE);
    Tensor<c64> other({rows * n}, DEVICE), scratch({rows * n}, DEVICE);
    Tensor<float> s1({rows}, DEVICE), s2({rows}, DEVICE);
    c64* src = data;
    c64* dst = other.device_data();
    if (!split) launch_round(2 * rows * n, reinterpret_cast<float*>(src));  // FP16 from the start
    std::size_t stage = 0;
    for (index_t ns = 1; ns < n; ++stage) {
        const int R = (n / ns) % 4 == 0 ? 4 : 2;
        const StageArgs a{n, n / R, ns, rows * (n / R), R};
        const f16* F = R == 4 ? F4.cdevice_data() : F2.cdevice_data();
        launch_split(a, rows, src, twiddle.cdevice_data() + offset[stage], scratch.device_data(),
                     p1.device_data(), p2.device_data(), s1.device_data(), s2.device_data(), split);
        butterfly_gemm(R, a.cols, F, p1.cdevice_data(), y1.device_data());
        if (split) butterfly_gemm(R, a.cols, F, p2.cdevice_data(), y2.device_data());
        launch_combine(a, rows, y1.cdevice_data(), y2.cdevice_data(), s1.cdevice_data(),
                       s2.cdevice_data(), dst, split);
        std::swap(src, dst);
        ns *= R;
    }
    if (src != data) {
        linalg::cuda::check(cudaMemcpy(data, src, static_cast<std::size_t>(rows * n) * sizeof(c64),
                                       cudaMemcpyDeviceToDevice),
                            "cudaMemcpy (FP16-split FFT result)");
    }
}

void transpose_batch(index_t batch, index_t h, index_t w, const c64* in, c64* out) {
    launch_transpose(batch, h, w, in, out);
}

}  // namespace magmadnn::fft::cuda
