#pragma once
// Averages gradients over the ranks of a data-parallel job, in buckets.
//
//     dist::GradientReducer<float> reducer(dist::Communicator::world(), dist::Strategy::ring);
//     reducer.broadcast(params);     // once: every rank starts from rank 0's weights
//     ... backward ...
//     reducer.average(grads);        // every rank now holds the mean gradient
//     opt.step(params, grads);
//
// Gradients are packed, last parameter first (the order backward produces them), into buckets
// of about bucket_bytes (the first one smaller, so its reduction starts early), as PyTorch DDP
// (25 MiB, first 1 MiB) and Horovod's tensor fusion do: one collective per bucket instead of
// per tensor. With begin / ready / finish the buckets are reduced by a thread of the reducer
// while backward still runs (op::backward's on_ready hook):
//
//     reducer.begin(grads);
//     op::backward(loss, vars, [&](std::size_t i) { reducer.ready(i); });
//     reducer.finish();              // the means, in place
//
// Between begin and finish the caller makes no other call on the communicator. Gradients in GPU
// memory (DEVICE) are packed into GPU buckets and reduced there by DeviceCollectives (NCCL, or
// CUDA-aware MPI), each bucket's collective enqueued as soon as it is full, so it overlaps the
// rest of backward on the GPU; with MAGMADNN_DIST_DEVICE=host, or neither available, they are
// staged through the host buckets. On the GPU, ring and allreduce both run NCCL's allreduce (its
// own ring or tree; NCCL_ALGO chooses), master_worker NCCL's reduce to rank 0.

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "magmadnn/core/tensor.h"
#include "magmadnn/dist/communicator.h"
#include "magmadnn/dist/strategy.h"

namespace magmadnn::dist {

class DeviceCollectives;

template <typename T>
class GradientReducer {
  public:
    // `strategy`: allreduce or ring; master_worker averages on rank 0 alone (the others'
    // gradients are left unreduced: rank 0 steps and broadcasts the weights); automatic
    // resolves by the world size; local does nothing.
    explicit GradientReducer(Communicator& comm, Strategy strategy = Strategy::automatic,
                             std::size_t bucket_bytes = std::size_t(25) << 20,
                             std::size_t first_bucket_bytes = std::size_t(1) << 20);
    ~GradientReducer();
    GradientReducer(const GradientReducer&) = delete;
    GradientReducer& operator=(const GradientReducer&) = delete;

    // Replaces every gradient by its mean over the ranks (the same tensors, in the same order,
    // on every rank; master_worker: on rank 0 only). ShapeError naming the index when the
    // tensors change between calls.
    void average(std::span<Tensor<T>> grads);
    // The same in three parts: begin with the tensors (kept by the caller until finish), ready(i)
    // once grads[i] is final (each index once, in any order; a full bucket starts reducing on
    // the reducer's thread), finish to wait for every bucket and write the means.
    void begin(std::span<Tensor<T>> grads);
    void ready(std::size_t i);
    void finish();
    // Seconds finish() waited for reductions still running: the communication that backward
    // did not hide (summed since construction).
    double exposed_seconds() const { return exposed_s_; }
    // Whether this rank steps the optimizer: every rank, except the workers of master_worker.
    bool steps_here() const;
    // Every rank's tensors become rank `root`'s.
    void broadcast(std::span<Tensor<T>> tensors, int root = 0);

    Strategy strategy() const { return strategy_; }
    Communicator& communicator() const { return *comm_; }
    // The buckets of the last average(): their element counts, in order.
    const std::vector<std::size_t>& bucket_sizes() const { return bucket_sizes_; }

  private:
    struct Thread;  // the reductions' thread and its queue
    void plan(std::span<Tensor<T>> grads);
    void reduce(std::span<T> bucket);
    void submit(std::size_t bucket);
    // Gradient i's place in its GPU bucket (a view).
    Tensor<T> device_slot(std::size_t i);
    // Whether GPU tensors are reduced and broadcast on the GPU (NCCL or CUDA-aware MPI) rather
    // than staged through the host: DeviceCollectives::choose, asked once.
    bool gpu_collectives();

    Communicator* comm_;
    Strategy strategy_;
    std::size_t bucket_bytes_, first_bucket_bytes_;
    std::vector<Shape> shapes_;
    std::vector<std::size_t> bucket_of_, offset_;  // per tensor: its bucket, its place there
    std::vector<std::size_t> bucket_sizes_;
    std::vector<std::vector<T>> buffers_;    // per bucket
    std::vector<std::size_t> pending_;       // per bucket: tensors not yet ready
    std::vector<Tensor<T>> host_;            // staging of GPU tensors
    DeviceCollectives* device_ = nullptr;    // GPU gradients reduced on the GPU
    std::optional<bool> gpu_collectives_;    // gpu_collectives(), once known
    std::vector<Tensor<T>> device_buffers_;  // per bucket, in GPU memory
    std::span<Tensor<T>> grads_;             // between begin and finish
    double exposed_s_ = 0;
    std::unique_ptr<Thread> thread_;
};

extern template class GradientReducer<float>;
extern template class GradientReducer<double>;

}  // namespace magmadnn::dist
