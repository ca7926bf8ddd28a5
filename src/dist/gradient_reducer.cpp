#include "magmadnn/dist/gradient_reducer.h"

#include <fmt/format.h>

#include <algorithm>

#include "magmadnn/core/error.h"

namespace magmadnn::dist {

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
    bucket_sizes_.clear();
    bucket_of_.clear();
    std::size_t current = 0;
    for (const Tensor<T>& g : grads) {
        shapes_.push_back(g.shape());
        const std::size_t n = static_cast<std::size_t>(g.size());
        const std::size_t cap = (bucket_sizes_.empty() ? first_bucket_bytes_ : bucket_bytes_);
        if (current > 0 && (current + n) * sizeof(T) > cap) {
            bucket_sizes_.push_back(current);
            current = 0;
        }
        bucket_of_.push_back(bucket_sizes_.size());
        current += n;
    }
    if (current > 0 || bucket_sizes_.empty()) bucket_sizes_.push_back(current);
    buffer_.resize(*std::max_element(bucket_sizes_.begin(), bucket_sizes_.end()));
    host_.resize(grads.size());
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
void GradientReducer<T>::average(std::span<Tensor<T>> grads) {
    if (strategy_ == Strategy::local || comm_->size() == 1) return;
    plan(grads);
    const T ranks = T(comm_->size());
    // the host values of tensor i (staged for GPU tensors)
    auto host_view = [&](std::size_t i) -> Tensor<T>& {
        if (grads[i].memory() == HOST) return grads[i];
        if (host_[i].empty()) host_[i] = Tensor<T>(grads[i].shape(), HOST);
        host_[i].copy_from(grads[i]);
        return host_[i];
    };
    std::size_t first = 0;
    for (std::size_t b = 0; b < bucket_sizes_.size(); ++b) {
        std::size_t last = first, offset = 0;
        for (; last < grads.size() && bucket_of_[last] == b; ++last) {
            const Tensor<T>& h = host_view(last);
            std::copy_n(h.cdata(), h.size(), buffer_.data() + offset);
            offset += static_cast<std::size_t>(h.size());
        }
        reduce(std::span<T>(buffer_.data(), offset));
        if (!steps_here()) {  // a worker: its gradients stay its own
            first = last;
            continue;
        }
        offset = 0;
        for (std::size_t i = first; i < last; ++i) {
            Tensor<T>& h = grads[i].memory() == HOST ? grads[i] : host_[i];
            T* d = h.data();
            const T* s = buffer_.data() + offset;
            for (index_t e = 0; e < h.size(); ++e) d[e] = s[e] / ranks;
            offset += static_cast<std::size_t>(h.size());
            if (&h != &grads[i]) grads[i].copy_from(h);
        }
        first = last;
    }
}

template <typename T>
void GradientReducer<T>::broadcast(std::span<Tensor<T>> tensors, int root) {
    if (comm_->size() == 1) return;
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
