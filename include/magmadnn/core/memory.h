#pragma once
// Storage shared by tensors: one block of bytes in one of the four memory types.
//
// MANAGED keeps a host and a device copy with a validity flag each; reading one side copies
// from the other only when that side is stale, writing one side marks the other stale.

#include <cstddef>
#include <memory>

#include "magmadnn/core/types.h"

namespace magmadnn {

class Storage {
  public:
    Storage(std::size_t bytes, memory_t memory);
    ~Storage();
    Storage(const Storage&) = delete;
    Storage& operator=(const Storage&) = delete;

    memory_t memory() const { return memory_; }
    std::size_t bytes() const { return bytes_; }

    // Host pointers. Throw DeviceError for DEVICE memory (use a copy to HOST instead).
    const void* host_read();
    void* host_write();  // valid for reading too; marks the device copy stale
    // Device pointers. Throw DeviceError for HOST memory.
    const void* device_read();
    void* device_write();  // valid for reading too; marks the host copy stale

    // MANAGED: bring the named side up to date (no-op for other memory types).
    void sync_to_host();
    void sync_to_device();
    bool host_valid() const { return host_valid_; }
    bool device_valid() const { return device_valid_; }

  private:
    std::size_t bytes_;
    memory_t memory_;
    void* host_ = nullptr;    // HOST, MANAGED (pinned), CUDA_MANAGED (same as device_)
    void* device_ = nullptr;  // DEVICE, MANAGED, CUDA_MANAGED
    bool host_valid_ = true;
    bool device_valid_ = true;
};

// Copies `bytes` between any two storages (all 16 memory-type pairs), reading the freshest copy
// of the source and marking the destination's other side stale.
void copy_bytes(Storage& dst, std::size_t dst_offset, Storage& src, std::size_t src_offset,
                std::size_t bytes);

// The device caching allocator: freed blocks are kept by size and reused.
struct DeviceCacheStats {
    std::size_t allocated_bytes = 0;  // handed out now
    std::size_t cached_bytes = 0;     // held for reuse
    std::size_t cuda_malloc_calls = 0;
};
DeviceCacheStats device_cache_stats();
void device_empty_cache();

}  // namespace magmadnn
