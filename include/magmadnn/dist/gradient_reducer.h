#pragma once
// Averages gradients over the ranks of a data-parallel job, in buckets.
//
//     dist::GradientReducer<float> reducer(dist::Communicator::world(), dist::Strategy::ring);
//     reducer.broadcast(params);     // once: every rank starts from rank 0's weights
//     ... backward ...
//     reducer.average(grads);        // every rank now holds the mean gradient
//     opt.step(params, grads);
//
// Consecutive gradients are packed into buckets of about bucket_bytes (the first one smaller,
// so its reduction starts early), as PyTorch DDP (25 MiB, first 1 MiB) and Horovod's tensor
// fusion do: one collective per bucket instead of per tensor. Tensors in GPU memory are staged
// through the host buckets.

#include <cstddef>
#include <span>
#include <vector>

#include "magmadnn/core/tensor.h"
#include "magmadnn/dist/communicator.h"
#include "magmadnn/dist/strategy.h"

namespace magmadnn::dist {

template <typename T>
class GradientReducer {
  public:
    // `strategy`: allreduce or ring; master_worker averages on rank 0 alone (the others'
    // gradients are left unreduced: rank 0 steps and broadcasts the weights); automatic
    // resolves by the world size; local does nothing.
    explicit GradientReducer(Communicator& comm, Strategy strategy = Strategy::automatic,
                             std::size_t bucket_bytes = std::size_t(25) << 20,
                             std::size_t first_bucket_bytes = std::size_t(1) << 20);

    // Replaces every gradient by its mean over the ranks (the same tensors, in the same order,
    // on every rank; master_worker: on rank 0 only). ShapeError naming the index when the
    // tensors change between calls.
    void average(std::span<Tensor<T>> grads);
    // Whether this rank steps the optimizer: every rank, except the workers of master_worker.
    bool steps_here() const;
    // Every rank's tensors become rank `root`'s.
    void broadcast(std::span<Tensor<T>> tensors, int root = 0);

    Strategy strategy() const { return strategy_; }
    Communicator& communicator() const { return *comm_; }
    // The buckets of the last average(): their element counts, in order.
    const std::vector<std::size_t>& bucket_sizes() const { return bucket_sizes_; }

  private:
    void plan(std::span<Tensor<T>> grads);
    void reduce(std::span<T> bucket);

    Communicator* comm_;
    Strategy strategy_;
    std::size_t bucket_bytes_, first_bucket_bytes_;
    std::vector<Shape> shapes_;
    std::vector<std::size_t> bucket_of_;  // per tensor: its bucket
    std::vector<std::size_t> bucket_sizes_;
    std::vector<T> buffer_;        // one bucket at a time
    std::vector<Tensor<T>> host_;  // staging of GPU tensors
};

extern template class GradientReducer<float>;
extern template class GradientReducer<double>;

}  // namespace magmadnn::dist
