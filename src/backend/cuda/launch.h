#pragma once
// Private: launch geometry and error checks shared by the CUDA kernels.

#include <cuda_runtime.h>

#include <algorithm>
#include <string>

#include "magmadnn/core/error.h"
#include "magmadnn/core/types.h"

namespace magmadnn::math::cuda {

inline constexpr int kThreads = 256;

inline unsigned blocks_for(index_t n) {
    const index_t b = (n + kThreads - 1) / kThreads;
    return static_cast<unsigned>(std::clamp<index_t>(b, 1, 65535 * 8));
}

inline void check_launch(const char* kernel) {
    const cudaError_t err = cudaGetLastError();
    if (err != cudaSuccess) {
        // (fmt's compile-time format checks do not build under nvcc)
        throw DeviceError(std::string("CUDA kernel ") + kernel +
                          " failed to launch: " + cudaGetErrorString(err));
    }
}

}  // namespace magmadnn::math::cuda
