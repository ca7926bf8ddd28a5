#pragma once
// Private (CUDA builds only): the FP16-split FFT on the GPU. The driver (fp16split_gpu.cpp) runs
// the Stockham stages of cpu/fp16split_stages.cpp with the butterflies as tensor-core GEMMs
// (cublasGemmEx, FP16 operands, f32 accumulation); the kernels (fp16split_kernels.cu) twiddle
// and split each row, and combine the GEMM results. Declared without CUDA headers.
#ifdef MAGMADNN_WITH_CUDA
#include <complex>

#include "magmadnn/core/half.h"
#include "magmadnn/core/types.h"

namespace magmadnn::fft::cuda {

// Row FFTs of length n (a power of two) on device data {rows, n}, in place; `split`: FP16-split,
// else plain FP16 storage.
void fft_rows_fp16(index_t rows, index_t n, std::complex<float>* data, bool split);

// out {batch, w, h} = each {h, w} matrix of in transposed (device pointers).
void transpose_batch(index_t batch, index_t h, index_t w, const std::complex<float>* in,
                     std::complex<float>* out);

// One Stockham stage: radix-R butterflies over rows of n, after sub-transforms of length ns;
// per = n / R butterflies per row, cols = rows * per GEMM columns.
struct StageArgs {
    index_t n, per, ns, cols;
    int radix;
};

void launch_round(index_t n, float* x);  // x = fp16(x), elementwise
void launch_split(const StageArgs& a, index_t rows, const std::complex<float>* src,
                  const std::complex<float>* twiddle, std::complex<float>* scratch, f16* p1,
                  f16* p2, float* s1, float* s2, bool split);
void launch_combine(const StageArgs& a, index_t rows, const float* y1, const float* y2,
                    const float* s1, const float* s2, std::complex<float>* dst, bool split);
void launch_transpose(index_t batch, index_t h, index_t w, const std::complex<float>* in,
                      std::complex<float>* out);

}  // namespace magmadnn::fft::cuda
#endif
