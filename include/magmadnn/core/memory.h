#pragma once
// Storage shared by tensors: one block of bytes in one of the four memory types.
//
// MANAGED keeps a host and a device copy with a validity flag each; reading one side copies
// from the other only when that side is stale, writing one side marks the other stale.
//
// A borrowed storage wraps memory owned elsewhere (a NumPy array, a PyTorch tensor handed over
// by DLPack): it never allocates or frees, and keeps the owner alive as long as it lives.

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

    // `bytes` at `data`, which stays valid while `owner` lives: a host pointer for HOST, a device
    // pointer of GPU `device` for DEVICE and CUDA_MANAGED (MANAGED, two copies, cannot be
    // borrowed: ValueError). Nothing is copied; the owner is released with the storage.
    static std::shared_ptr<Storage> borrow(void* data, std::size_t bytes, memory_t memory,
                                           std::shared_ptr<void> owner, int device = 0);

    memory_t memory() const { return memory_; }
    std::size_t bytes() const { return bytes_; }
    // The GPU the device side lives on (-1 for HOST memory).
    int device() const { return device_index_; }
    bool borrowed() const { return owner_ != nullptr; }

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
    struct Borrowed {};
    Storage(Borrowed, std::size_t bytes, memory_t memory);

    std::size_t bytes_;
    memory_t memory_;
    void* host_ = nullptr;    // HOST, MANAGED (pinned), CUDA_MANAGED (same as device_)
    void* device_ = nullptr;  // DEVICE, MANAGED, CUDA_MANAGED
    int device_index_ = -1;
    std::shared_ptr<void> owner_;  // a borrowed storage's owner
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
