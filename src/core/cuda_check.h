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

namespace magmadnn::detail {

// The calling thread's current CUDA device: the key of every per-device cache (allocator blocks,
// library handles, FFT plans), since a handle or a block belongs to the device it was made on.
inline int current_device(const char* context) {
    int d = 0;
    MAGMADNN_CUDA_CHECK(cudaGetDevice(&d), context);
    return d;
}

// Makes `device` current for the scope and restores the previous one.
class DeviceGuard {
  public:
    explicit DeviceGuard(int device) : previous_(current_device("DeviceGuard")) {
        if (device != previous_) MAGMADNN_CUDA_CHECK(cudaSetDevice(device), "DeviceGuard");
    }
    ~DeviceGuard() {
        int now = 0;
        if (cudaGetDevice(&now) == cudaSuccess && now != previous_) cudaSetDevice(previous_);
    }
    DeviceGuard(const DeviceGuard&) = delete;
    DeviceGuard& operator=(const DeviceGuard&) = delete;

  private:
    int previous_;
};

}  // namespace magmadnn::detail
#endif
