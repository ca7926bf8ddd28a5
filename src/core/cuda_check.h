#pragma once
// Private: turns a failed CUDA runtime call into a DeviceError naming the call and the context.

#ifdef MAGMADNN_WITH_CUDA
#include <cuda_runtime.h>
#include <fmt/format.h>

#include "magmadnn/core/error.h"

#define MAGMADNN_CUDA_CHECK(call, context)                                                        \
    do {                                                                                          \
        const cudaError_t magmadnn_err_ = (call);                                                 \
        if (magmadnn_err_ != cudaSuccess) {                                                       \
            throw ::magmadnn::DeviceError(fmt::format("{}: {} failed: {} ({})", (context), #call, \
                                                      cudaGetErrorName(magmadnn_err_),            \
                                                      cudaGetErrorString(magmadnn_err_)));        \
        }                                                                                         \
    } while (0)
#endif
