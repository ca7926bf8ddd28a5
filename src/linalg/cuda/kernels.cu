#include <cuda_runtime.h>

#include <string>

#include "kernels.h"
#include "magmadnn/core/error.h"
#include "magmadnn/core/memory.h"

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

// found holds n - i for the smallest flagged i (atomicMax keeps the largest n - i), 0 for none:
// the zeroed scratch block needs no set-up. A thread raises it only where it flags an element,
// so a clean input costs one read of the data and no atomics.
template <typename T>
__global__ void first_nonfinite_kernel(index_t n, const T* p, unsigned long long* found) {
    for (index_t i = blockIdx.x * static_cast<index_t>(blockDim.x) + threadIdx.x; i < n;
         i += static_cast<index_t>(gridDim.x) * blockDim.x) {
        if (!isfinite(p[i])) {
            atomicMax(found, static_cast<unsigned long long>(n - i));
            return;  // later elements of this thread have larger indices
        }
    }
}

template <typename T>
__global__ void first_zero_diagonal_kernel(index_t k, const T* a, index_t ld,
                                           unsigned long long* found) {
    for (index_t i = blockIdx.x * static_cast<index_t>(blockDim.x) + threadIdx.x; i < k;
         i += static_cast<index_t>(gridDim.x) * blockDim.x) {
        if (a[i * (ld + 1)] == T(0)) {
            atomicMax(found, static_cast<unsigned long long>(k - i));
            return;
        }
    }
}

// Runs launch(found) on a zeroed device word and reads back the smallest flagged index of n.
template <typename Launch>
index_t smallest_flagged(index_t n, const char* what, Launch&& launch) {
    Storage scratch(sizeof(unsigned long long), DEVICE);  // zeroed by Storage
    auto* found = static_cast<unsigned long long*>(scratch.device_write());
    launch(found);
    check_launch(what);
    unsigned long long v = 0;
    const cudaError_t st = cudaMemcpy(&v, found, sizeof v, cudaMemcpyDeviceToHost);
    if (st != cudaSuccess) {
        throw DeviceError(std::string("linalg ") + what +
                          ": reading the result back failed: " + cudaGetErrorString(st));
    }
    return v == 0 ? index_t(-1) : n - static_cast<index_t>(v);
}

}  // namespace

template <typename T>
index_t first_nonfinite(index_t n, const T* p) {
    if (n == 0) return -1;
    return smallest_flagged(n, "first_nonfinite", [&](unsigned long long* found) {
        first_nonfinite_kernel<<<blocks_for(n), 256>>>(n, p, found);
    });
}

template <typename T>
index_t first_zero_diagonal(index_t k, const T* a, index_t ld) {
    if (k == 0) return -1;
    return smallest_flagged(k, "first_zero_diagonal", [&](unsigned long long* found) {
        first_zero_diagonal_kernel<<<blocks_for(k), 256>>>(k, a, ld, found);
    });
}

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
template index_t first_nonfinite<float>(index_t, const float*);
template index_t first_nonfinite<double>(index_t, const double*);
template index_t first_zero_diagonal<float>(index_t, const float*, index_t);
template index_t first_zero_diagonal<double>(index_t, const double*, index_t);

}  // namespace magmadnn::linalg::cuda
