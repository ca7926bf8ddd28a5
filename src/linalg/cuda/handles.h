#pragma once
// Private (CUDA builds only): per-thread cuBLAS / cuSOLVER handles and status checks that
// turn failures into DeviceError naming the call.
#ifdef MAGMADNN_WITH_CUDA
#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cusolverDn.h>

#include <memory>
#include <vector>

#include "magmadnn/core/memory.h"

namespace magmadnn::linalg::cuda {

cublasHandle_t cublas();
cusolverDnHandle_t cusolver();

void check(cublasStatus_t st, const char* what);
void check(cusolverStatus_t st, const char* what);
void check(cudaError_t st, const char* what);

// A device copy of `bytes` host bytes (arrays of device pointers for batched calls).
std::unique_ptr<Storage> to_device(const void* host, std::size_t bytes);
template <typename P>
std::unique_ptr<Storage> device_array(const std::vector<P>& values) {
    return to_device(values.data(), values.size() * sizeof(P));
}

// Reads one device int (a cuSOLVER info) back to the host.
int read_info(const int* device_info);

}  // namespace magmadnn::linalg::cuda
#endif
