#pragma once
// Collectives on GPU memory for the ranks of a data-parallel job.
//
//     auto& dev = dist::DeviceCollectives::world();    // every rank, at the same point
//     dev.allreduce_mean(grad.device_data(), n);       // enqueued after the work queued so far
//     dev.wait();                                      // done; later GPU work sees the means
//
// The transport is chosen once per process (MAGMADNN_DIST_DEVICE=nccl|mpi|host overrides it):
//   nccl  NCCL (the CUDA toolkit's), one communicator for the job, made on first use from a
//         unique id that rank 0 broadcasts over MPI; its collectives run on a stream of their
//         own, ordered after the default stream's work by events, so they overlap the kernels
//         queued after them. The default wherever the build has CUDA and a GPU is present.
//   mpi   the MPI library with device pointers (CUDA-aware MPI, as the library reports it:
//         Open MPI's MPIX_Query_cuda_support, MPICH's MPIX_GPU_query_support); the GPU is
//         synchronised first and the calls block. The default without NCCL's conditions when
//         the library is CUDA-aware.
//   host  each buffer copied to the host, reduced by the communicator and copied back.
// Every wait runs under the communicator's deadline (Communicator::timeout()).

#include <cstddef>
#include <memory>
#include <string>

#include "magmadnn/dist/communicator.h"

namespace magmadnn::dist {

enum class DeviceTransport { nccl, mpi, host };
std::string to_string(DeviceTransport t);

class DeviceCollectives {
  public:
    // The world communicator's. The first call picks the transport (ValueError for an unknown
    // MAGMADNN_DIST_DEVICE; DeviceError when it names one this process cannot use, with why).
    static DeviceCollectives& world();
    // What world() would choose here, without making anything.
    static DeviceTransport choose(const Communicator& comm);

    DeviceTransport transport() const { return transport_; }
    Communicator& communicator() const { return *comm_; }

    // In place on `count` elements of GPU memory: the mean over the ranks (allreduce_mean), the
    // mean on `root` alone (reduce_mean: the other ranks' data is left as it was, and root's
    // is final after wait()), root's data to every rank (broadcast). nccl: enqueued, complete
    // after wait(); mpi and host: complete on return.
    template <typename T>
    void allreduce_mean(T* device_data, std::size_t count);
    template <typename T>
    void reduce_mean(T* device_data, std::size_t count, int root);
    template <typename T>
    void broadcast(T* device_data, std::size_t count, int root);
    // Until every collective enqueued so far has finished (under the deadline); the default
    // stream's later work is ordered after them. Seconds waited are added to the
    // communicator's stats.
    void wait();

    DeviceCollectives(const DeviceCollectives&) = delete;
    DeviceCollectives& operator=(const DeviceCollectives&) = delete;
    ~DeviceCollectives();

  private:
    DeviceCollectives(Communicator& comm, DeviceTransport transport);
    struct Nccl;  // the NCCL communicator, its stream and events
    Communicator* comm_;
    DeviceTransport transport_;
    std::unique_ptr<Nccl> nccl_;
    [[maybe_unused]] std::size_t pending_ = 0;  // elements enqueued since the last wait (CUDA)
};

}  // namespace magmadnn::dist
