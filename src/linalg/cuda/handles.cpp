#include "handles.h"

#include <fmt/format.h>

#include <cstring>
#include <map>

#include "core/cuda_check.h"
#include "magmadnn/core/error.h"

namespace magmadnn::linalg::cuda {

void check(cublasStatus_t st, const char* what) {
    if (st != CUBLAS_STATUS_SUCCESS) {
        throw DeviceError(fmt::format("{} failed: {} ({})", what, cublasGetStatusName(st),
                                      cublasGetStatusString(st)));
    }
}

void check(cusolverStatus_t st, const char* what) {
    if (st != CUSOLVER_STATUS_SUCCESS) {
        throw DeviceError(fmt::format("{} failed: cusolverStatus {}", what, static_cast<int>(st)));
    }
}

void check(cudaError_t st, const char* what) {
    if (st != cudaSuccess) {
        throw DeviceError(
            fmt::format("{} failed: {} ({})", what, cudaGetErrorName(st), cudaGetErrorString(st)));
    }
}

// One handle per host thread and device, created on first use: a handle works on the device
// that was current when it was created.
cublasHandle_t cublas() {
    struct Handle {
        cublasHandle_t h = nullptr;
        Handle() { check(cublasCreate(&h), "cublasCreate"); }
        ~Handle() { cublasDestroy(h); }
        Handle(const Handle&) = delete;
        Handle& operator=(const Handle&) = delete;
    };
    thread_local std::map<int, Handle> handles;
    return handles[magmadnn::detail::current_device("cuBLAS handle")].h;
}

cusolverDnHandle_t cusolver() {
    struct Handle {
        cusolverDnHandle_t h = nullptr;
        Handle() { check(cusolverDnCreate(&h), "cusolverDnCreate"); }
        ~Handle() { cusolverDnDestroy(h); }
        Handle(const Handle&) = delete;
        Handle& operator=(const Handle&) = delete;
    };
    thread_local std::map<int, Handle> handles;
    return handles[magmadnn::detail::current_device("cuSOLVER handle")].h;
}

std::unique_ptr<Storage> to_device(const void* host, std::size_t bytes) {
    Storage staging(bytes, HOST);
    std::memcpy(staging.host_write(), host, bytes);
    auto dev = std::make_unique<Storage>(bytes, DEVICE);
    copy_bytes(*dev, 0, staging, 0, bytes);
    return dev;
}

int read_info(const int* device_info) {
    int info = 0;
    check(cudaMemcpy(&info, device_info, sizeof(int), cudaMemcpyDeviceToHost), "cudaMemcpy(info)");
    return info;
}

}  // namespace magmadnn::linalg::cuda
