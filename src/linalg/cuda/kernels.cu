#include <cuda_runtime.h>

#include <string>

#include "kernels.h"
#include "magmadnn/core/error.h"

namespace magmadnn::linalg::cuda {

namespace {

void check_launch(const char* what) {
    const cudaError_t st = cudaGetLastError();
    if (st != cudaSuccess) {
        throw DeviceError(std::string("linalg ") + what +
                          " kernel launch failed: " + cudaGetErrorString(st));
    }
}

int blocks_for(index_t n) {
    const index_t b = (n + 255) / 256;
    return static_cast<int>(b < 4096 ? b : 4096);
}

template <typename T>
__global__ void zero_triangle_kernel(index_t n, index_t rows, index_t cols, T* a, bool upper) {
    for (index_t t = blockIdx.x * static_cast<index_t>(blockDim.x) + threadIdx.x; t < n;
         t += static_cast<index_t>(gridDim.x) * blockDim.x) {
        const index_t i = (t / cols) % rows;
        const index_t j = t % cols;
        if (upper ? j > i : j < i) a[t] = T(0);
    }
}

template <typename T>
__global__ void transpose_kernel(index_t n, index_t rows, index_t cols, const T* src, T* dst) {
    for (index_t t = blockIdx.x * static_cast<index_t>(blockDim.x) + threadIdx.x; t < n;
         t += static_cast<index_t>(gridDim.x) * blockDim.x) {
        const index_t per = rows * cols;
        const index_t b = t / per;
        const index_t i = (t % per) / cols;
        const index_t j = t % cols;
        dst[b * per + j * rows + i] = src[t];
    }
}

}  // namespace

template <typename T>
void zero_triangle(index_t batch, index_t rows, index_t cols, T* a, bool upper) {
    const index_t n = batch * rows * cols;
    if (n == 0) return;
    zero_triangle_kernel<<<blocks_for(n), 256>>>(n, rows, cols, a, upper);
    check_launch("zero_triangle");
}

template <typename T>
void transpose_batched(index_t batch, index_t rows, index_t cols, const T* src, T* dst) {
    const index_t n = batch * rows * cols;
    if (n == 0) return;
    transpose_kernel<<<blocks_for(n), 256>>>(n, rows, cols, src, dst);
    check_launch("transpose_batched");
}

template void zero_triangle<float>(index_t, index_t, index_t, float*, bool);
template void zero_triangle<double>(index_t, index_t, index_t, double*, bool);
template void transpose_batched<float>(index_t, index_t, index_t, const float*, float*);
template void transpose_batched<double>(index_t, index_t, index_t, const double*, double*);

}  // namespace magmadnn::linalg::cuda
