#include "magmadnn/dist/gradient_reducer.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <stop_token>
#include <thread>

#include "magmadnn/core/error.h"
#include "magmadnn/dist/device_collectives.h"

namespace magmadnn::dist {

// Reduces the buckets handed to it, in the order given (the same on every rank, as backward's
// order is), while the caller's thread goes on with backward.
template <typename T>
struct GradientReducer<T>::Thread {
    std::mutex mutex;
    std::condition_variable_any cv;
    std::deque<std::size_t> queue;
    std::size_t done = 0;
    std::exception_ptr error;
    std::jthread worker;  // last: joined before the members it uses go

    explicit Thread(GradientReducer& r)
        : worker([this, &r](std::stop_token stop) {
              std::unique_lock lock(mutex);
              while (true) {
                  cv.wait(lock, stop, [&] { return !queue.empty(); });
                  if (stop.stop_requested()) return;
                  const std::size_t b = queue.front();
                  queue.pop_front();
                  lock.unlock();
                  std::exception_ptr failure;
                  try {
                      r.reduce(std::span<T>(r.buffers_[b]));
                  } catch (...) {
                      failure = std::current_exception();
                  }
                  lock.lock();
                  if (failure && !error) error = failure;
                  ++done;
                  cv.notify_all();
              }
          }) {}
};

template <typename T>
GradientReducer<T>::GradientReducer(Communicator& comm, Strategy strategy, std::size_t bucket_bytes,
                                    std::size_t first_bucket_bytes)
    : comm_(&comm),
      strategy_(resolve(strategy, comm.size())),
      bucket_bytes_(bucket_bytes),
      first_bucket_bytes_(first_bucket_bytes) {
    if (bucket_bytes == 0 || first_bucket_bytes == 0) {
        throw ValueError(
            fmt::format("dist::GradientReducer: bucket sizes {} and {} bytes must be positive",
                        bucket_bytes, first_bucket_bytes));
    }
}

template <typename T>
GradientReducer<T>::~GradientReducer() = default;

template <typename T>
void GradientReducer<T>::plan(std::span<Tensor<T>> grads) {
    if (!shapes_.empty()) {
        if (shapes_.size() != grads.size()) {
            throw ShapeError(fmt::format(
                "dist::GradientReducer: {} gradients, {} on the first call; pass the same "
                "tensors every step",
                grads.size(), shapes_.size()));
        }
        for (std::size_t i = 0; i < grads.size(); ++i) {
            if (grads[i].shape() != shapes_[i]) {
                throw ShapeError(fmt::format(
                    "dist::GradientReducer: gradient {} has shape {}, {} on the first call", i,
                    to_string(grads[i].shape()), to_string(shapes_[i])));
            }
        }
        return;
    }
    for (const Tensor<T>& g : grads) shapes_.push_back(g.shape());
    bucket_of_.assign(grads.size(), 0);
    offset_.assign(grads.size(), 0);
    bucket_sizes_.clear();
    std::size_t current = 0;
    for (std::size_t k = grads.size(); k-- > 0;) {  // last parameter first
        const std::size_t n = static_cast<std::size_t>(grads[k].size());
        const std::size_t cap = bucket_sizes_.empty() ? first_bucket_bytes_ : bucket_bytes_;
        if (current > 0 && (current + n) * sizeof(T) > cap) {
            bucket_sizes_.push_back(current);
            current = 0;
        }
        bucket_of_[k] = bucket_sizes_.size();
        offset_[k] = current;
        current += n;
    }
    if (current > 0 || bucket_sizes_.empty()) bucket_sizes_.push_back(current);
    host_.resize(grads.size());
    const bool on_gpu = std::all_of(grads.begin(), grads.end(),
                                    [](const Tensor<T>& g) { return g.memory() == DEVICE; });
    // every rank decides alike (the same tensors), so NCCL's set-up is collective
    if (on_gpu && gpu_collectives()) {
        device_ = &DeviceCollectives::world();
        for (std::size_t size : bucket_sizes_) {
            device_buffers_.emplace_back(
                Shape{static_cast<index_t>(std::max<std::size_t>(1, size))}, DEVICE);
        }
        return;
    }
    buffers_.resize(bucket_sizes_.size());
    for (std::size_t b = 0; b < buffers_.size(); ++b) buffers_[b].resize(bucket_sizes_[b]);
}

template <typename T>
Tensor<T> GradientReducer<T>::device_slot(std::size_t i) {
    const index_t at = static_cast<index_t>(offset_[i]);
    return device_buffers_[bucket_of_[i]].slice(at, at + numel(shapes_[i]));
}

template <typename T>
void GradientReducer<T>::reduce(std::span<T> bucket) {
    if (strategy_ == Strategy::ring) {
        comm_->ring_allreduce_sum(bucket);
    } else if (strategy_ == Strategy::master_worker) {
        comm_->reduce_sum(bucket, 0);
    } else {
        comm_->allreduce_sum(bucket);
    }
}

template <typename T>
bool GradientReducer<T>::steps_here() const {
    return strategy_ != Strategy::master_worker || comm_->is_root();
}

template <typename T>
void GradientReducer<T>::begin(std::span<Tensor<T>> grads) {
    if (!grads_.empty()) {
        throw ValueError("dist::GradientReducer::begin: the last begin() has no finish()");
    }
    grads_ = grads;
    if (strategy_ == Strategy::local || comm_->size() == 1) return;
    plan(grads);
    pending_.assign(bucket_sizes_.size(), 0);
    for (std::size_t b : bucket_of_) ++pending_[b];
    if (!thread_ && device_ == nullptr && comm_->allows_other_thread()) {
        thread_ = std::make_unique<Thread>(*this);
    }
    if (thread_) {
        std::lock_guard lock(thread_->mutex);
        thread_->done = 0;
        thread_->error = nullptr;
    }
}

template <typename T>
void GradientReducer<T>::submit(std::size_t b) {
    if (device_ != nullptr) {  // enqueued on the GPU (NCCL), or done here (CUDA-aware MPI)
        T* data = device_buffers_[b].device_data();
        if (strategy_ == Strategy::master_worker) {
            device_->reduce_mean(data, bucket_sizes_[b], 0);
        } else {
            device_->allreduce_mean(data, bucket_sizes_[b]);
        }
        return;
    }
    if (!thread_) {  // the MPI library allows no second thread: reduce here and now
        reduce(std::span<T>(buffers_[b]));
        return;
    }
    std::lock_guard lock(thread_->mutex);
    thread_->queue.push_back(b);
    thread_->cv.notify_all();
}

template <typename T>
void GradientReducer<T>::ready(std::size_t i) {
    if (strategy_ == Strategy::local || comm_->size() == 1) return;
    if (i >= grads_.size()) {
        throw ValueError(fmt::format("dist::GradientReducer::ready: index {} of {} gradients{}", i,
                                     grads_.size(), grads_.empty() ? " (no begin())" : ""));
    }
    const std::size_t b = bucket_of_[i];
    const Tensor<T>& g = grads_[i];
    if (device_ != nullptr) {
        device_slot(i).copy_from(g);
    } else if (g.memory() == HOST) {
        std::copy_n(g.cdata(), g.size(), buffers_[b].data() + offset_[i]);
    } else {  // staged through the host
        if (host_[i].empty()) host_[i] = Tensor<T>(g.shape(), HOST);
        host_[i].copy_from(g);
        std::copy_n(host_[i].cdata(), g.size(), buffers_[b].data() + offset_[i]);
    }
    if (pending_[b] == 0) {
        throw ValueError(fmt::format("dist::GradientReducer::ready: index {} given twice", i));
    }
    if (--pending_[b] == 0) submit(b);
}

template <typename T>
void GradientReducer<T>::finish() {
    const std::span<Tensor<T>> grads = grads_;
    grads_ = {};
    if (strategy_ == Strategy::local || comm_->size() == 1) return;
    for (std::size_t b = 0; b < pending_.size(); ++b) {
        if (pending_[b] != 0) {
            throw ValueError(fmt::format(
                "dist::GradientReducer::finish: {} gradients of bucket {} never became ready",
                pending_[b], b));
        }
    }
    if (thread_) {
        const auto start = std::chrono::steady_clock::now();
        std::unique_lock lock(thread_->mutex);
        thread_->cv.wait(lock, [&] { return thread_->done == bucket_sizes_.size(); });
        exposed_s_ +=
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (thread_->error) std::rethrow_exception(thread_->error);
    }
    if (device_ != nullptr) {
        const auto start = std::chrono::steady_clock::now();
        device_->wait();
        exposed_s_ +=
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (!steps_here()) return;
        for (std::size_t i = 0; i < grads.size(); ++i) grads[i].copy_from(device_slot(i));
        return;
    }
    if (!steps_here()) return;  // a master-worker worker: its gradients stay its own
    const T ranks = T(comm_->size());
    for (std::size_t i = 0; i < grads.size(); ++i) {
        Tensor<T>& h = grads[i].memory() == HOST ? grads[i] : host_[i];
        T* d = h.data();
        const T* s = buffers_[bucket_of_[i]].data() + offset_[i];
        for (index_t e = 0; e < h.size(); ++e) d[e] = s[e] / ranks;
        if (&h != &grads[i]) grads[i].copy_from(h);
    }
}

template <typename T>
void GradientReducer<T>::average(std::span<Tensor<T>> grads) {
    begin(grads);
    for (std::size_t i = grads.size(); i-- > 0;) ready(i);
    finish();
}

template <typename T>
bool GradientReducer<T>::gpu_collectives() {
    if (!gpu_collectives_) {
        gpu_collectives_ = DeviceCollectives::choose(*comm_) != DeviceTransport::host;
    }
    return *gpu_collectives_;
}

template <typename T>
void GradientReducer<T>::broadcast(std::span<Tensor<T>> tensors, int root) {
    if (comm_->size() == 1) return;
    const bool on_gpu = std::all_of(tensors.begin(), tensors.end(),
                                    [](const Tensor<T>& t) { return t.memory() == DEVICE; });
    if (on_gpu && !tensors.empty() && gpu_collectives()) {
        DeviceCollectives& dev = DeviceCollectives::world();
        for (Tensor<T>& t : tensors) {
            dev.broadcast(t.device_data(), static_cast<std::size_t>(t.size()), root);
        }
        dev.wait();
        return;
    }
    for (Tensor<T>& t : tensors) {
        if (t.memory() == HOST) {
            comm_->broadcast(t.span(), root);
        } else {
            Tensor<T> h = t.to(HOST);
            comm_->broadcast(h.span(), root);
            t.copy_from(h);
        }
    }
}

template class GradientReducer<float>;
template class GradientReducer<double>;

}  // namespace magmadnn::dist
