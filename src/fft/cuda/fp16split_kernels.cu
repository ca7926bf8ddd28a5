// Kernels of the FP16-split FFT on the GPU (the driver is fp16split_gpu.cpp): per Stockham
// stage, one block per row twiddles it (f32), finds the row's maximum and writes the FP16 parts
// X1 = fp16(X / s1), X2 = fp16((X / s1 - X1) / s2') as the GEMM operand {2R, rows * n / R};
// after the tensor-core GEMMs, s1 Y1 + s2 Y2 goes to the Stockham output positions. Plain FP16
// (for contrast) rounds the operand and the result instead.
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <string>

#include "fp16split_gpu.h"
#include "magmadnn/core/error.h"

namespace magmadnn::fft::cuda {

namespace {

constexpr int kThreads = 256;

void check_launch(const char* what) {
    const cudaError_t st = cudaGetLastError();
    if (st != cudaSuccess) {
        throw DeviceError(std::string("fft fp16split ") + what +
                          " kernel launch failed: " + cudaGetErrorString(st));
    }
}

int blocks_for(index_t n) {
    const index_t b = (n + kThreads - 1) / kThreads;
    return static_cast<int>(b < 4096 ? b : 4096);
}

// The maximum over the block of each thread's v (every thread gets it).
__device__ float block_max(float v, float* shared) {
    for (int off = 16; off > 0; off /= 2) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, off));
    const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
    if (lane == 0) shared[warp] = v;
    __syncthreads();
    if (warp == 0) {
        v = lane < static_cast<int>(blockDim.x / 32) ? shared[lane] : 0.0f;
        for (int off = 16; off > 0; off /= 2) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, off));
        if (lane == 0) shared[0] = v;
    }
    __syncthreads();
    const float m = shared[0];
    __syncthreads();  // shared is reused by the next call
    return m;
}

// 2^(e - 14) for the largest e with 2^e <= m (maps m below 2^15; an exact power of two), at
// least 2^-126: below that the power would underflow to 0 for rows under 2^-112.
__device__ float scale_for(float m) {
    if (!(m > 0.0f) || isinf(m)) return 1.0f;
    return ldexpf(1.0f, max(ilogbf(m) - 14, -126));
}

__device__ float round_f16(float x) { return __half2float(__float2half_rn(x)); }

// One block per row: twiddle into t, then the FP16 operand(s) and the row's scales.
__global__ void split_kernel(StageArgs a, const float2* src, const float2* twiddle, float2* t,
                             __half* p1, __half* p2, float* s1, float* s2, bool split) {
    __shared__ float shared[32];
    const index_t b = blockIdx.x;
    const float2* v = src + b * a.n;
    float2* tb = t + b * a.n;
    float m = 0.0f;
    for (index_t e = threadIdx.x; e < a.n; e += blockDim.x) {
        const index_t r = e / a.per, j = e % a.per;
        const float2 w = twiddle[r * a.ns + j % a.ns];
        const float2 x = v[e];
        // each product rounded on its own, as the host's complex product: an FMA-contracted
        // product would round some FP16 operands differently from the emulation
        const float2 y = {__fsub_rn(__fmul_rn(x.x, w.x), __fmul_rn(x.y, w.y)),
                          __fadd_rn(__fmul_rn(x.x, w.y), __fmul_rn(x.y, w.x))};
        tb[e] = y;
        m = fmaxf(m, fmaxf(fabsf(y.x), fabsf(y.y)));
    }
    const index_t R = a.radix;
    if (!split) {
        for (index_t e = threadIdx.x; e < a.n; e += blockDim.x) {
            const index_t r = e / a.per, c = b * a.per + e % a.per;
            p1[r * a.cols + c] = __float2half_rn(tb[e].x);
            p1[(R + r) * a.cols + c] = __float2half_rn(tb[e].y);
        }
        return;
    }
    const float s = scale_for(block_max(m, shared));
    float m2 = 0.0f;
    for (index_t e = threadIdx.x; e < a.n; e += blockDim.x) {
        const index_t r = e / a.per, c = b * a.per + e % a.per;
        const float re = tb[e].x / s, im = tb[e].y / s;
        const __half hre = __float2half_rn(re), him = __float2half_rn(im);
        p1[r * a.cols + c] = hre;
        p1[(R + r) * a.cols + c] = him;
        m2 = fmaxf(m2, fmaxf(fabsf(re - __half2float(hre)), fabsf(im - __half2float(him))));
    }
    const float s_2 = scale_for(block_max(m2, shared));
    for (index_t e = threadIdx.x; e < a.n; e += blockDim.x) {
        const index_t r = e / a.per, c = b * a.per + e % a.per;
        const float re = tb[e].x / s, im = tb[e].y / s;
        // exact: re and its FP16 rounding are within a factor 2
        const float lo_re = re - __half2float(__float2half_rn(re));
        const float lo_im = im - __half2float(__float2half_rn(im));
        p2[r * a.cols + c] = __float2half_rn(lo_re / s_2);
        p2[(R + r) * a.cols + c] = __float2half_rn(lo_im / s_2);
    }
    if (threadIdx.x == 0) {
        s1[b] = s;
        s2[b] = s * s_2;
    }
}

// out[b, base + k ns] from the GEMM results (Stockham order).
__global__ void combine_kernel(StageArgs a, index_t rows, const float* y1, const float* y2,
                               const float* s1, const float* s2, float2* dst, bool split) {
    const index_t total = rows * a.n;
    const index_t R = a.radix;
    for (index_t i = blockIdx.x * static_cast<index_t>(blockDim.x) + threadIdx.x; i < total;
         i += static_cast<index_t>(gridDim.x) * blockDim.x) {
        const index_t b = i / a.n, rest = i % a.n;
        const index_t k = rest / a.per, j = rest % a.per;
        const index_t c = b * a.per + j;
        const index_t base = (j / a.ns) * a.ns * R + j % a.ns;
        float re = y1[k * a.cols + c];
        float im = y1[(R + k) * a.cols + c];
        if (split) {
            re = s1[b] * re + s2[b] * y2[k * a.cols + c];
            im = s1[b] * im + s2[b] * y2[(R + k) * a.cols + c];
        } else {
            re = round_f16(re);
            im = round_f16(im);
        }
        dst[b * a.n + base + k * a.ns] = {re, im};
    }
}

__global__ void round_kernel(index_t n, float* x) {
    for (index_t i = blockIdx.x * static_cast<index_t>(blockDim.x) + threadIdx.x; i < n;
         i += static_cast<index_t>(gridDim.x) * blockDim.x) {
        x[i] = round_f16(x[i]);
    }
}

__global__ void transpose_kernel(index_t batch, index_t h, index_t w, const float2* in,
                                 float2* out) {
    const index_t total = batch * h * w;
    for (index_t e = blockIdx.x * static_cast<index_t>(blockDim.x) + threadIdx.x; e < total;
         e += static_cast<index_t>(gridDim.x) * blockDim.x) {
        const index_t b = e / (h * w), rest = e % (h * w);
        const index_t i = rest / w, j = rest % w;
        out[b * h * w + j * h + i] = in[e];
    }
}

}  // namespace

void launch_round(index_t n, float* x) {
    if (n == 0) return;
    round_kernel<<<blocks_for(n), kThreads>>>(n, x);
    check_launch("round");
}

void launch_split(const StageArgs& a, index_t rows, const std::complex<float>* src,
                  const std::complex<float>* twiddle, std::complex<float>* scratch, f16* p1,
                  f16* p2, float* s1, float* s2, bool split) {
    split_kernel<<<static_cast<unsigned>(rows), kThreads>>>(
        a, reinterpret_cast<const float2*>(src), reinterpret_cast<const float2*>(twiddle),
        reinterpret_cast<float2*>(scratch), reinterpret_cast<__half*>(p1),
        reinterpret_cast<__half*>(p2), s1, s2, split);
    check_launch("split");
}

void launch_combine(const StageArgs& a, index_t rows, const float* y1, const float* y2,
                    const float* s1, const float* s2, std::complex<float>* dst, bool split) {
    combine_kernel<<<blocks_for(rows * a.n), kThreads>>>(a, rows, y1, y2, s1, s2,
                                                         reinterpret_cast<float2*>(dst), split);
    check_launch("combine");
}

void launch_transpose(index_t batch, index_t h, index_t w, const std::complex<float>* in,
                      std::complex<float>* out) {
    const index_t total = batch * h * w;
    if (total == 0) return;
    transpose_kernel<<<blocks_for(total), kThreads>>>(
        batch, h, w, reinterpret_cast<const float2*>(in), reinterpret_cast<float2*>(out));
    check_launch("transpose");
}

}  // namespace magmadnn::fft::cuda
