#include "magmadnn/core/memory.h"

#include <fmt/format.h>

#include <compare>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <vector>

#include "host_alloc.h"
#include "magmadnn/core/device.h"
#include "magmadnn/core/error.h"

#ifdef MAGMADNN_WITH_CUDA
#include "cuda_check.h"
#endif

namespace magmadnn {

namespace {

#ifdef MAGMADNN_WITH_CUDA
// Device blocks are cached by (device, rounded size): a training loop that allocates the same
// sizes every step calls cudaMalloc only in its first step, and a block made on one GPU is
// handed out again only while that GPU is current.
class DeviceCache {
  public:
    static DeviceCache& instance() {
        static DeviceCache cache;
        return cache;
    }

    void* allocate(std::size_t bytes) {
        const Key key{detail::current_device("device allocation"), round(bytes)};
        std::lock_guard lock(mutex_);
        auto it = free_.find(key);
        if (it != free_.end() && !it->second.empty()) {
            void* p = it->second.back();
            it->second.pop_back();
            stats_.cached_bytes -= key.size;
            stats_.allocated_bytes += key.size;
            blocks_[p] = key;
            return p;
        }
        void* p = nullptr;
        cudaError_t err = cudaMalloc(&p, key.size);
        if (err == cudaErrorMemoryAllocation) {  // give the cache back and retry once
            cudaGetLastError();
            release_all_locked();
            err = cudaMalloc(&p, key.size);
        }
        if (err != cudaSuccess) {
            cudaGetLastError();
            throw DeviceError(fmt::format(
                "device allocation of {} bytes on GPU {} failed: {}; free tensors or use smaller "
                "batches",
                bytes, key.device, cudaGetErrorString(err)));
        }
        ++stats_.cuda_malloc_calls;
        stats_.allocated_bytes += key.size;
        blocks_[p] = key;
        return p;
    }

    // Back to the free list of the device it was made on, whichever device is current now.
    void release(void* p) {
        std::lock_guard lock(mutex_);
        auto it = blocks_.find(p);
        if (it == blocks_.end()) return;
        free_[it->second].push_back(p);
        stats_.allocated_bytes -= it->second.size;
        stats_.cached_bytes += it->second.size;
        blocks_.erase(it);
    }

    void empty() {
        std::lock_guard lock(mutex_);
        release_all_locked();
    }

    DeviceCacheStats stats() {
        std::lock_guard lock(mutex_);
        return stats_;
    }

  private:
    struct Key {
        int device;
        std::size_t size;
        auto operator<=>(const Key&) const = default;
    };

    static std::size_t round(std::size_t bytes) {
        constexpr std::size_t small = 512, large = 2u << 20;
        if (bytes <= (1u << 20))
            return (bytes + small - 1) / small * small + (bytes == 0 ? small : 0);
        return (bytes + large - 1) / large * large;
    }
    // Each block is freed with its own device current.
    void release_all_locked() {
        for (auto& [key, blocks] : free_) {
            if (blocks.empty()) continue;
            detail::DeviceGuard on(key.device);
            for (void* p : blocks) cudaFree(p);
            stats_.cached_bytes -= key.size * blocks.size();
            blocks.clear();
        }
    }

    std::mutex mutex_;
    std::map<Key, std::vector<void*>> free_;
    std::map<void*, Key> blocks_;
    DeviceCacheStats stats_;
};
#endif

[[noreturn]] void no_host_copy(const char* what) {
    throw DeviceError(fmt::format(
        "{}: the storage is DEVICE memory, which has no host copy; copy it to HOST first "
        "(tensor.to(HOST))",
        what));
}

[[noreturn]] void no_device_copy(const char* what) {
    throw DeviceError(fmt::format(
        "{}: the storage is HOST memory, which has no device copy; copy it to DEVICE or use "
        "MANAGED memory (tensor.to(DEVICE))",
        what));
}

}  // namespace

Storage::Storage(std::size_t bytes, memory_t memory) : bytes_(bytes), memory_(memory) {
    if (memory == HOST) {
        host_ = detail::host_alloc(bytes);
        return;
    }
    require_device(fmt::format("a {}-byte tensor in {} memory", bytes, to_string(memory)));
#ifdef MAGMADNN_WITH_CUDA
    device_index_ = detail::current_device("Storage");
    const std::size_t n = bytes == 0 ? 1 : bytes;
    // A constructor that throws runs no destructor: what was allocated before the failure is
    // given back here.
    const auto release_on_failure = [&](auto&& step) {
        try {
            step();
        } catch (...) {
            if (memory == CUDA_MANAGED) {
                if (device_ != nullptr) cudaFree(device_);
            } else if (device_ != nullptr) {
                DeviceCache::instance().release(device_);
            }
            throw;
        }
    };
    switch (memory) {
        case DEVICE:
            device_ = DeviceCache::instance().allocate(n);
            release_on_failure(
                [&] { MAGMADNN_CUDA_CHECK(cudaMemset(device_, 0, n), "Storage(DEVICE)"); });
            break;
        case MANAGED:
            device_ = DeviceCache::instance().allocate(n);
            release_on_failure([&] {
                MAGMADNN_CUDA_CHECK(cudaMemset(device_, 0, n), "Storage(MANAGED)");
                // the host side is pinned so that syncs run at full PCIe speed
                MAGMADNN_CUDA_CHECK(cudaMallocHost(&host_, n), "Storage(MANAGED) pinned host copy");
            });
            std::memset(host_, 0, n);
            break;
        case CUDA_MANAGED:
            MAGMADNN_CUDA_CHECK(cudaMallocManaged(&device_, n), "Storage(CUDA_MANAGED)");
            release_on_failure([&] {
                MAGMADNN_CUDA_CHECK(cudaMemset(device_, 0, n), "Storage(CUDA_MANAGED)");
                MAGMADNN_CUDA_CHECK(cudaDeviceSynchronize(), "Storage(CUDA_MANAGED)");
            });
            host_ = device_;
            break;
        case HOST:
            break;
    }
#endif
}

Storage::Storage(Borrowed, std::size_t bytes, memory_t memory) : bytes_(bytes), memory_(memory) {}

std::shared_ptr<Storage> Storage::borrow(void* data, std::size_t bytes, memory_t memory,
                                         std::shared_ptr<void> owner, int device) {
    if (memory == MANAGED) {
        throw ValueError(
            "Storage::borrow: MANAGED memory is a host and a device copy of magmadnn's own; borrow "
            "the host pointer as HOST or the device pointer as DEVICE");
    }
    if (data == nullptr && bytes > 0) {
        throw ValueError(fmt::format("Storage::borrow: a null pointer for {} bytes", bytes));
    }
    if (owner == nullptr) {
        throw ValueError("Storage::borrow: no owner keeps the memory alive");
    }
    if (memory != HOST) {
        require_device(fmt::format("borrowing {} bytes of {} memory", bytes, to_string(memory)));
    }
    auto s = std::shared_ptr<Storage>(new Storage(Borrowed{}, bytes, memory));
    s->owner_ = std::move(owner);
    if (memory == HOST) {
        s->host_ = data;
    } else {
        s->device_ = data;
        s->device_index_ = device;
        if (memory == CUDA_MANAGED) s->host_ = data;
    }
    return s;
}

Storage::~Storage() {
    if (owner_) return;  // borrowed: the owner frees the memory when it goes
    switch (memory_) {
        case HOST:
            detail::host_free(host_, bytes_);
            break;
#ifdef MAGMADNN_WITH_CUDA
        case DEVICE:
            DeviceCache::instance().release(device_);
            break;
        case MANAGED:
            DeviceCache::instance().release(device_);
            cudaFreeHost(host_);
            break;
        case CUDA_MANAGED:
            cudaFree(device_);
            break;
#else
        default:
            break;
#endif
    }
}

const void* Storage::host_read() {
    if (memory_ == DEVICE) no_host_copy("host read");
    sync_to_host();
    return host_;
}

void* Storage::host_write() {
    if (memory_ == DEVICE) no_host_copy("host write");
    sync_to_host();
    if (memory_ == MANAGED) device_valid_ = false;
    return host_;
}

const void* Storage::device_read() {
    if (memory_ == HOST) no_device_copy("device read");
    sync_to_device();
    return device_;
}

void* Storage::device_write() {
    if (memory_ == HOST) no_device_copy("device write");
    sync_to_device();
    if (memory_ == MANAGED) host_valid_ = false;
    return device_;
}

void Storage::sync_to_host() {
#ifdef MAGMADNN_WITH_CUDA
    if (memory_ == CUDA_MANAGED) {
        // kernels may still be writing the pages the host is about to read
        MAGMADNN_CUDA_CHECK(cudaDeviceSynchronize(), "sync_to_host(CUDA_MANAGED)");
    }
    if (memory_ != MANAGED || host_valid_) return;
    MAGMADNN_CUDA_CHECK(cudaMemcpy(host_, device_, bytes_, cudaMemcpyDeviceToHost),
                        "sync_to_host(MANAGED)");
    host_valid_ = true;
#endif
}

void Storage::sync_to_device() {
#ifdef MAGMADNN_WITH_CUDA
    if (memory_ != MANAGED || device_valid_) return;
    MAGMADNN_CUDA_CHECK(cudaMemcpy(device_, host_, bytes_, cudaMemcpyHostToDevice),
                        "sync_to_device(MANAGED)");
    device_valid_ = true;
#endif
}

void copy_bytes(Storage& dst, std::size_t dst_offset, Storage& src, std::size_t src_offset,
                std::size_t bytes) {
    if (dst_offset + bytes > dst.bytes() || src_offset + bytes > src.bytes()) {
        throw ValueError(fmt::format(
            "copy_bytes: {} bytes at offsets {} -> {} overrun the storages ({} -> {} bytes)", bytes,
            src_offset, dst_offset, src.bytes(), dst.bytes()));
    }
    if (bytes == 0) return;
    const memory_t sm = src.memory(), dm = dst.memory();
    if (sm == HOST && dm == HOST) {
        std::memmove(static_cast<char*>(dst.host_write()) + dst_offset,
                     static_cast<const char*>(src.host_read()) + src_offset, bytes);
        return;
    }
#ifdef MAGMADNN_WITH_CUDA
    // Read from the side that is fresh; write to the side that costs no transfer.
    const bool src_on_device = sm == DEVICE || (sm == MANAGED && !src.host_valid());
    const bool dst_on_device = dm == DEVICE || (dm == MANAGED && src_on_device);
    const char* s = static_cast<const char*>(src_on_device ? src.device_read() : src.host_read());
    char* d = static_cast<char*>(dst_on_device ? dst.device_write() : dst.host_write());
    // CUDA_MANAGED and pinned pointers work with cudaMemcpyDefault (unified addressing).
    MAGMADNN_CUDA_CHECK(cudaMemcpy(d + dst_offset, s + src_offset, bytes, cudaMemcpyDefault),
                        fmt::format("copy {} -> {}", to_string(sm), to_string(dm)));
#else
    throw UnsupportedError(
        fmt::format("copy {} -> {}: this build has no CUDA support", to_string(sm), to_string(dm)));
#endif
}

DeviceCacheStats device_cache_stats() {
#ifdef MAGMADNN_WITH_CUDA
    return DeviceCache::instance().stats();
#else
    return {};
#endif
}

void device_empty_cache() {
#ifdef MAGMADNN_WITH_CUDA
    DeviceCache::instance().empty();
#endif
}

}  // namespace magmadnn
