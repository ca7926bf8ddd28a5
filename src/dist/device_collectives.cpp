// Collectives on GPU memory: NCCL, CUDA-aware MPI or host staging (see device_collectives.h).
#include "magmadnn/dist/device_collectives.h"

#include <fmt/format.h>

#include <array>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "magmadnn/core/device.h"
#include "magmadnn/core/error.h"

#ifdef MAGMADNN_WITH_CUDA
#include <cuda_runtime.h>
#include <nccl.h>

#include "backend/kernels.h"
#include "core/cuda_check.h"

static_assert(NCCL_VERSION_CODE >= NCCL_VERSION(2, 10, 0), "ncclAvg needs NCCL 2.10 or newer");
#endif

namespace magmadnn::dist {

std::string to_string(DeviceTransport t) {
    switch (t) {
        case DeviceTransport::nccl:
            return "nccl";
        case DeviceTransport::mpi:
            return "mpi";
        case DeviceTransport::host:
            return "host";
    }
    return "?";
}

namespace {

// Why `t` cannot serve this process ("" when it can).
std::string unavailable(DeviceTransport t, const Communicator& comm) {
    switch (t) {
        case DeviceTransport::nccl:
            if (!cuda_compiled()) return "this build has no CUDA (-DMAGMADNN_CUDA=ON)";
            if (device_count() == 0) return "no GPU is present";
            return "";
        case DeviceTransport::mpi:
            if (comm.size() > 1 && !comm.cuda_aware()) {
                return fmt::format("the MPI library ({}) is not CUDA-aware", comm.library());
            }
            return "";
        case DeviceTransport::host:
            return "";
    }
    return "unknown transport";
}

}  // namespace

DeviceTransport DeviceCollectives::choose(const Communicator& comm) {
    if (const char* v = std::getenv("MAGMADNN_DIST_DEVICE"); v != nullptr && *v != '\0') {
        for (DeviceTransport t :
             {DeviceTransport::nccl, DeviceTransport::mpi, DeviceTransport::host}) {
            if (to_string(t) != v) continue;
            if (const std::string why = unavailable(t, comm); !why.empty()) {
                throw DeviceError(fmt::format(
                    "MAGMADNN_DIST_DEVICE={}: {}; choose another of nccl, mpi, host or unset it", v,
                    why));
            }
            return t;
        }
        throw ValueError(fmt::format("MAGMADNN_DIST_DEVICE='{}': expected nccl, mpi or host", v));
    }
    if (unavailable(DeviceTransport::nccl, comm).empty()) return DeviceTransport::nccl;
    if (comm.size() > 1 && comm.cuda_aware()) return DeviceTransport::mpi;
    return DeviceTransport::host;
}

DeviceCollectives& DeviceCollectives::world() {
    static DeviceCollectives d(Communicator::world(), choose(Communicator::world()));
    return d;
}

#ifdef MAGMADNN_WITH_CUDA

namespace {

void nccl_check(ncclResult_t r, const char* call) {
    if (r != ncclSuccess) {
        throw DeviceError(fmt::format("dist (NCCL): {} failed: {} ({}); NCCL_DEBUG=WARN says more",
                                      call, ncclGetErrorString(r), static_cast<int>(r)));
    }
}

template <typename T>
ncclDataType_t nccl_type() {
    if constexpr (std::is_same_v<T, float>) return ncclFloat32;
    if constexpr (std::is_same_v<T, double>) return ncclFloat64;
}

// cudaStreamLegacy: the stream every kernel and copy of the library is queued on.
const cudaStream_t kDefaultStream = nullptr;

}  // namespace

struct DeviceCollectives::Nccl {
    ncclComm_t comm = nullptr;
    cudaStream_t stream = nullptr;
    cudaEvent_t ready = nullptr;  // recorded on the default stream before each collective
    cudaEvent_t done = nullptr;   // recorded on `stream` by wait()

    explicit Nccl(Communicator& world) {
        try {
            set_up(world);
        } catch (...) {
            release();
            throw;
        }
    }
    void set_up(Communicator& world) {
        // rank 0's unique id, to every rank over MPI (as 64-bit words)
        ncclUniqueId id{};
        std::array<std::uint64_t, (sizeof(id) + 7) / 8> words{};
        if (world.is_root()) {
            nccl_check(ncclGetUniqueId(&id), "ncclGetUniqueId");
            std::memcpy(words.data(), &id, sizeof(id));
        }
        world.broadcast(std::span<std::uint64_t>(words), 0);
        std::memcpy(&id, words.data(), sizeof(id));
        MAGMADNN_CUDA_CHECK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking),
                            "dist (NCCL)");
        MAGMADNN_CUDA_CHECK(cudaEventCreateWithFlags(&ready, cudaEventDisableTiming),
                            "dist (NCCL)");
        MAGMADNN_CUDA_CHECK(cudaEventCreateWithFlags(&done, cudaEventDisableTiming), "dist (NCCL)");
        ncclResult_t r = ncclSuccess;
        world.guarded_call("NCCL communicator set-up", 0, -1,
                           [&] { r = ncclCommInitRank(&comm, world.size(), id, world.rank()); });
        if (r != ncclSuccess) comm = nullptr;
        nccl_check(r, "ncclCommInitRank");
    }
    ~Nccl() { release(); }
    void release() {
        if (comm != nullptr) ncclCommDestroy(comm);
        if (done != nullptr) cudaEventDestroy(done);
        if (ready != nullptr) cudaEventDestroy(ready);
        if (stream != nullptr) cudaStreamDestroy(stream);
        comm = nullptr, done = ready = nullptr, stream = nullptr;
    }
    Nccl(const Nccl&) = delete;
    Nccl& operator=(const Nccl&) = delete;

    // The NCCL stream waits for everything queued on the default stream so far.
    void after_default_stream() {
        MAGMADNN_CUDA_CHECK(cudaEventRecord(ready, kDefaultStream), "dist (NCCL)");
        MAGMADNN_CUDA_CHECK(cudaStreamWaitEvent(stream, ready, 0), "dist (NCCL)");
    }
};

DeviceCollectives::DeviceCollectives(Communicator& comm, DeviceTransport transport)
    : comm_(&comm), transport_(transport) {
    if (transport_ == DeviceTransport::nccl) nccl_ = std::make_unique<Nccl>(comm);
}

DeviceCollectives::~DeviceCollectives() = default;

namespace {
// The mean from the sum, in place on the GPU (y = x / p, beta 0: the backend's axpby kernel).
template <typename T>
void divide_on_device(T* data, std::size_t count, int ranks) {
    math::cuda::axpby(static_cast<index_t>(count), T(1) / T(ranks), data, T(0), data);
}

// host staging: `call` on a host copy of the device data, then back (when `back`)
template <typename T, typename F>
void staged(T* data, std::size_t count, bool back, F&& call) {
    std::vector<T> host(count);
    MAGMADNN_CUDA_CHECK(cudaMemcpy(host.data(), data, count * sizeof(T), cudaMemcpyDeviceToHost),
                        "dist: staging to the host");
    call(std::span<T>(host));
    if (back) {
        MAGMADNN_CUDA_CHECK(
            cudaMemcpy(data, host.data(), count * sizeof(T), cudaMemcpyHostToDevice),
            "dist: staging from the host");
    }
}
}  // namespace

template <typename T>
void DeviceCollectives::allreduce_mean(T* data, std::size_t count) {
    if (count == 0) return;
    const int p = comm_->size();
    switch (transport_) {
        case DeviceTransport::nccl:
            nccl_->after_default_stream();
            nccl_check(ncclAllReduce(data, data, count, nccl_type<T>(), ncclAvg, nccl_->comm,
                                     nccl_->stream),
                       "ncclAllReduce");
            pending_ += count;
            comm_->stats_.bytes_sent += 2 * std::uint64_t(p - 1) * count * sizeof(T) / p;
            ++comm_->stats_.collectives;
            return;
        case DeviceTransport::mpi:
            if (p == 1) return;
            device_synchronize();
            comm_->allreduce_sum(std::span<T>(data, count));
            divide_on_device(data, count, p);
            return;
        case DeviceTransport::host:
            if (p == 1) return;
            staged(data, count, true, [&](std::span<T> h) {
                comm_->allreduce_sum(h);
                for (T& v : h) v /= T(p);
            });
            return;
    }
}

template <typename T>
void DeviceCollectives::reduce_mean(T* data, std::size_t count, int root) {
    if (root < 0 || root >= comm_->size()) {
        throw ValueError(
            fmt::format("dist::DeviceCollectives::reduce_mean: root {} is not a rank "
                        "of {}",
                        root, comm_->size()));
    }
    if (count == 0) return;
    const int p = comm_->size();
    const bool mine = comm_->rank() == root;
    switch (transport_) {
        case DeviceTransport::nccl:
            nccl_->after_default_stream();
            nccl_check(ncclReduce(data, data, count, nccl_type<T>(), ncclAvg, root, nccl_->comm,
                                  nccl_->stream),
                       "ncclReduce");
            pending_ += count;
            if (!mine) comm_->stats_.bytes_sent += std::uint64_t(count) * sizeof(T);
            ++comm_->stats_.collectives;
            return;
        case DeviceTransport::mpi:
            if (p == 1) return;
            device_synchronize();
            comm_->reduce_sum(std::span<T>(data, count), root);
            if (mine) divide_on_device(data, count, p);
            return;
        case DeviceTransport::host:
            if (p == 1) return;
            staged(data, count, mine, [&](std::span<T> h) {
                comm_->reduce_sum(h, root);
                if (mine) {
                    for (T& v : h) v /= T(p);
                }
            });
            return;
    }
}

template <typename T>
void DeviceCollectives::broadcast(T* data, std::size_t count, int root) {
    if (root < 0 || root >= comm_->size()) {
        throw ValueError(
            fmt::format("dist::DeviceCollectives::broadcast: root {} is not a rank of {}", root,
                        comm_->size()));
    }
    if (count == 0) return;
    const int p = comm_->size();
    switch (transport_) {
        case DeviceTransport::nccl:
            nccl_->after_default_stream();
            nccl_check(
                ncclBroadcast(data, data, count, nccl_type<T>(), root, nccl_->comm, nccl_->stream),
                "ncclBroadcast");
            pending_ += count;
            if (comm_->rank() == root) comm_->stats_.bytes_sent += std::uint64_t(count) * sizeof(T);
            ++comm_->stats_.collectives;
            return;
        case DeviceTransport::mpi:
            if (p == 1) return;
            device_synchronize();
            comm_->broadcast(std::span<T>(data, count), root);
            return;
        case DeviceTransport::host:
            if (p == 1) return;
            staged(data, count, comm_->rank() != root,
                   [&](std::span<T> h) { comm_->broadcast(h, root); });
            return;
    }
}

void DeviceCollectives::wait() {
    if (transport_ != DeviceTransport::nccl || pending_ == 0) return;
    MAGMADNN_CUDA_CHECK(cudaEventRecord(nccl_->done, nccl_->stream), "dist (NCCL)");
    MAGMADNN_CUDA_CHECK(cudaStreamWaitEvent(kDefaultStream, nccl_->done, 0), "dist (NCCL)");
    cudaError_t err = cudaSuccess;
    comm_->guarded_call("NCCL collectives", pending_, -1,
                        [&] { err = cudaEventSynchronize(nccl_->done); });
    pending_ = 0;
    MAGMADNN_CUDA_CHECK(err, "dist (NCCL): waiting for the collectives");
    ncclResult_t async = ncclSuccess;
    nccl_check(ncclCommGetAsyncError(nccl_->comm, &async), "ncclCommGetAsyncError");
    nccl_check(async, "a collective (ncclCommGetAsyncError)");
}

#else  // no CUDA: choose() never gives nccl, and there is no GPU memory to reduce

struct DeviceCollectives::Nccl {};

DeviceCollectives::DeviceCollectives(Communicator& comm, DeviceTransport transport)
    : comm_(&comm), transport_(transport) {}
DeviceCollectives::~DeviceCollectives() = default;

namespace {
[[noreturn]] void no_gpu_memory(const char* what) {
    throw UnsupportedError(fmt::format(
        "dist::DeviceCollectives::{}: this build has no CUDA, so there is no GPU memory to "
        "reduce; rebuild with -DMAGMADNN_CUDA=ON",
        what));
}
}  // namespace

template <typename T>
void DeviceCollectives::allreduce_mean(T*, std::size_t) {
    no_gpu_memory("allreduce_mean");
}
template <typename T>
void DeviceCollectives::reduce_mean(T*, std::size_t, int) {
    no_gpu_memory("reduce_mean");
}
template <typename T>
void DeviceCollectives::broadcast(T*, std::size_t, int) {
    no_gpu_memory("broadcast");
}
void DeviceCollectives::wait() {}

#endif

template void DeviceCollectives::allreduce_mean<float>(float*, std::size_t);
template void DeviceCollectives::allreduce_mean<double>(double*, std::size_t);
template void DeviceCollectives::reduce_mean<float>(float*, std::size_t, int);
template void DeviceCollectives::reduce_mean<double>(double*, std::size_t, int);
template void DeviceCollectives::broadcast<float>(float*, std::size_t, int);
template void DeviceCollectives::broadcast<double>(double*, std::size_t, int);

}  // namespace magmadnn::dist
