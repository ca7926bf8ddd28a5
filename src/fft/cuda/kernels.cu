#include <cuda_runtime.h>

#include <string>

#include "cufft.h"
#include "magmadnn/core/error.h"

namespace magmadnn::fft::cuda {

namespace {

void check_launch(const char* what) {
    const cudaError_t st = cudaGetLastError();
    if (st != cudaSuccess) {
        throw DeviceError(std::string("fft ") + what +
                          " kernel launch failed: " + cudaGetErrorString(st));
    }
}

int blocks_for(index_t n) {
    const index_t b = (n + 255) / 256;
    return static_cast<int>(b < 4096 ? b : 4096);
}

template <typename T>
__global__ void scale_kernel(index_t n, T* x, T s) {
    for (index_t i = blockIdx.x * static_cast<index_t>(blockDim.x) + threadIdx.x; i < n;
         i += static_cast<index_t>(gridDim.x) * blockDim.x) {
        x[i] *= s;
    }
}

template <typename T>
__global__ void real_to_complex_kernel(index_t n, const T* in, T* out) {
    for (index_t i = blockIdx.x * static_cast<index_t>(blockDim.x) + threadIdx.x; i < n;
         i += static_cast<index_t>(gridDim.x) * blockDim.x) {
        out[2 * i] = in[i];
        out[2 * i + 1] = T(0);
    }
}

}  // namespace

template <typename T>
void scale(index_t n, T* x, T s) {
    if (n == 0) return;
    scale_kernel<<<blocks_for(n), 256>>>(n, x, s);
    check_launch("scale");
}

template <typename T>
void real_to_complex(index_t n, const T* in, std::complex<T>* out) {
    if (n == 0) return;
    real_to_complex_kernel<<<blocks_for(n), 256>>>(n, in, reinterpret_cast<T*>(out));
    check_launch("real_to_complex");
}

template void scale<float>(index_t, float*, float);
template void scale<double>(index_t, double*, double);
template void real_to_complex<float>(index_t, const float*, std::complex<float>*);
template void real_to_complex<double>(index_t, const double*, std::complex<double>*);

}  // namespace magmadnn::fft::cuda
