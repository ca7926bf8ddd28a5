#pragma once
// Mini-batches with background prefetch: a worker thread gathers the rows of the next batch,
// in shuffled order, into one of two preallocated buffers while the caller works on the other.

#include <cstdint>
#include <memory>

#include "magmadnn/core/tensor.h"

namespace magmadnn::data {

struct LoaderOptions {
    bool shuffle = true;
    std::uint64_t seed = 0;  // the order of epoch e is a pure function of (seed, e)
    bool drop_last = false;  // drop a final batch smaller than batch_size
    // Data-parallel sharding: the epoch's order is cut into global batches of batch_size *
    // shards rows, and this loader hands out rows [shard * batch_size, (shard + 1) *
    // batch_size) of each (a final partial global batch is split evenly), so `shards` loaders
    // with the same seed together see what one loader of batch_size * shards rows would.
    int shard = 0;
    int shards = 1;
};

// One batch: views into the loader's buffers, valid until the next call to next() (clone() to
// keep them longer).
template <typename T>
struct Batch {
    Tensor<T> x;       // {size, x's trailing extents...}
    Tensor<T> y;       // {size, y's trailing extents...}
    index_t size = 0;  // rows in this batch; below batch_size only for the final batch
};

// Usage:
//     data::BatchLoader<float> loader(x, y_onehot, 64, {.shuffle = true, .seed = 1});
//     for (int e = 0; e < epochs; ++e) {
//         loader.start_epoch(e);
//         for (data::Batch<float> b; loader.next(b);) step(b.x, b.y);
//     }
// x and y share their first extent (rows) and must be in host-accessible memory. One thread
// drives a loader; destroying it at any point (mid-epoch included) stops the worker.
template <typename T>
class BatchLoader {
  public:
    BatchLoader(Tensor<T> x, Tensor<T> y, index_t batch_size, LoaderOptions options = {});
    ~BatchLoader();
    BatchLoader(BatchLoader&&) noexcept;
    BatchLoader& operator=(BatchLoader&&) noexcept;
    BatchLoader(const BatchLoader&) = delete;
    BatchLoader& operator=(const BatchLoader&) = delete;

    // Starts (or restarts) an epoch; a batch handed out earlier must no longer be used.
    void start_epoch(std::uint64_t epoch);
    // The next batch of the epoch into `out`; false at the end of the epoch. Throws ValueError
    // if no epoch was started.
    bool next(Batch<T>& out);

    index_t rows() const;
    index_t batch_size() const;
    index_t batches_per_epoch() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

extern template class BatchLoader<float>;
extern template class BatchLoader<double>;

}  // namespace magmadnn::data
