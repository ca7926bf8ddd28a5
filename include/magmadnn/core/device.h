#pragma once
// What the build and the machine offer: whether CUDA was compiled in, the GPUs present, versions.

#include <string>
#include <vector>

namespace magmadnn {

struct GpuInfo {
    int index = 0;
    std::string name;
    int compute_major = 0;
    int compute_minor = 0;
    std::size_t total_memory = 0;
};

// True when the library was built with -DMAGMADNN_CUDA=ON.
bool cuda_compiled();

// Number of usable CUDA devices; 0 in a CPU-only build or where no device is found. The first
// call in a CUDA build without a device prints one line to stderr saying the CPU is used.
int device_count();
inline bool has_device() { return device_count() > 0; }

// Throws DeviceError naming `what` when no device is present (or UnsupportedError in a
// CPU-only build). Called before anything that needs a GPU.
void require_device(const std::string& what);

std::vector<GpuInfo> gpus();

// Versions as "major.minor[.patch]", or "" where not compiled in (cuDNN: a CUDA build with
// -DMAGMADNN_CUDNN=OFF has none).
std::string cuda_runtime_version();
std::string cuda_driver_version();
std::string cudnn_version();
std::string nccl_version();
std::string cublas_version();

// For the ranks of a job that share a host: makes GPU local_rank mod the GPUs visible the
// calling thread's current device and returns it; -1 (and nothing printed) without a GPU.
int use_device_for_local_rank(int local_rank);

// Waits for all queued device work (no-op without a device).
void device_synchronize();

}  // namespace magmadnn
