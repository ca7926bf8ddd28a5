#include "magmadnn/core/device.h"

#include <fmt/format.h>

#include <cstdio>
#include <mutex>

#include "magmadnn/core/error.h"

#ifdef MAGMADNN_WITH_CUDA
#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <nccl.h>
#ifdef MAGMADNN_WITH_CUDNN
#include <cudnn.h>
#endif

#include "cuda_check.h"
#endif

namespace magmadnn {

bool cuda_compiled() {
#ifdef MAGMADNN_WITH_CUDA
    return true;
#else
    return false;
#endif
}

namespace {

#ifdef MAGMADNN_WITH_CUDA
struct DeviceProbe {
    int count = 0;
    std::string reason;  // why none was found
};

const DeviceProbe& probe() {
    static const DeviceProbe result = [] {
        DeviceProbe p;
        const cudaError_t err = cudaGetDeviceCount(&p.count);
        if (err != cudaSuccess) {
            p.count = 0;
            p.reason = fmt::format("{}: {}", cudaGetErrorName(err), cudaGetErrorString(err));
            cudaGetLastError();  // clear the sticky error state
        } else if (p.count == 0) {
            p.reason = "cudaGetDeviceCount found 0 devices";
        }
        if (p.count == 0) {
            std::fprintf(
                stderr, "magmadnn: built with CUDA but no GPU is usable (%s); running on the CPU\n",
                p.reason.c_str());
        }
        return p;
    }();
    return result;
}

std::string version_string(int v, int major_div, int minor_div, int minor_mod) {
    return fmt::format("{}.{}", v / major_div, (v / minor_div) % minor_mod);
}
#endif

}  // namespace

int device_count() {
#ifdef MAGMADNN_WITH_CUDA
    return probe().count;
#else
    return 0;
#endif
}

void require_device(const std::string& what) {
#ifdef MAGMADNN_WITH_CUDA
    if (probe().count == 0) {
        throw DeviceError(fmt::format(
            "{} needs a CUDA device, but none is present ({}); use HOST memory / --device cpu",
            what, probe().reason));
    }
#else
    throw UnsupportedError(
        fmt::format("{} needs CUDA, but this build of magmadnn has no CUDA support; rebuild with "
                    "-DMAGMADNN_CUDA=ON or use HOST memory / --device cpu",
                    what));
#endif
}

int use_device_for_local_rank(int local_rank) {
#ifdef MAGMADNN_WITH_CUDA
    int count = 0;
    if (cudaGetDeviceCount(&count) != cudaSuccess || count == 0) {
        cudaGetLastError();  // a machine without a GPU: no sticky error left behind
        return -1;
    }
    const int device = local_rank % count;
    MAGMADNN_CUDA_CHECK(cudaSetDevice(device), "choosing the GPU of a data-parallel rank");
    return device;
#else
    (void)local_rank;
    return -1;
#endif
}

std::vector<GpuInfo> gpus() {
    std::vector<GpuInfo> out;
#ifdef MAGMADNN_WITH_CUDA
    for (int i = 0; i < device_count(); ++i) {
        cudaDeviceProp prop{};
        MAGMADNN_CUDA_CHECK(cudaGetDeviceProperties(&prop, i), "gpus()");
        out.push_back({i, prop.name, prop.major, prop.minor, prop.totalGlobalMem});
    }
#endif
    return out;
}

std::string cuda_runtime_version() {
#ifdef MAGMADNN_WITH_CUDA
    int v = 0;
    if (cudaRuntimeGetVersion(&v) != cudaSuccess) return "unknown";
    return version_string(v, 1000, 10, 100);
#else
    return "";
#endif
}

std::string cuda_driver_version() {
#ifdef MAGMADNN_WITH_CUDA
    int v = 0;
    if (cudaDriverGetVersion(&v) != cudaSuccess || v == 0) return "none";
    return version_string(v, 1000, 10, 100);
#else
    return "";
#endif
}

std::string cudnn_version() {
#ifdef MAGMADNN_WITH_CUDNN
    const auto v = static_cast<int>(cudnnGetVersion());
    // cuDNN 9 encodes major*10000 + minor*100 + patch
    return fmt::format("{}.{}.{}", v / 10000, (v / 100) % 100, v % 100);
#else
    return "";
#endif
}

std::string nccl_version() {
#ifdef MAGMADNN_WITH_CUDA
    int v = 0;
    if (ncclGetVersion(&v) != ncclSuccess) return "unknown";
    return fmt::format("{}.{}.{}", v / 10000, (v / 100) % 100, v % 100);
#else
    return "";
#endif
}

std::string cublas_version() {
#ifdef MAGMADNN_WITH_CUDA
    // The library's own version, callable without a device.
    const auto v = static_cast<int>(cublasGetCudartVersion());
    (void)v;
    return fmt::format("{}.{}.{}", CUBLAS_VER_MAJOR, CUBLAS_VER_MINOR, CUBLAS_VER_PATCH);
#else
    return "";
#endif
}

void device_synchronize() {
#ifdef MAGMADNN_WITH_CUDA
    if (device_count() > 0) MAGMADNN_CUDA_CHECK(cudaDeviceSynchronize(), "device_synchronize");
#endif
}

}  // namespace magmadnn
