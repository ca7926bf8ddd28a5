// BatchLoader: a std::jthread gathers batch b into slot b % 2 while the caller works on the
// other slot. Slots move free -> filling -> ready -> (handed out) -> free; the caller frees its
// slot when it asks for the next batch, so a batch's views stay valid until then.

#include "magmadnn/data/loader.h"

#include <fmt/format.h>

#include <condition_variable>
#include <cstring>
#include <mutex>
#include <numeric>
#include <stop_token>
#include <thread>
#include <vector>

#include "magmadnn/core/error.h"
#include "magmadnn/data/transforms.h"

namespace magmadnn::data {

namespace {

enum class SlotState { free, filling, ready, held };

template <typename T>
index_t row_width(const Tensor<T>& t) {
    return t.shape(0) == 0 ? 0 : t.size() / t.shape(0);
}

template <typename T>
Shape batch_shape(const Tensor<T>& t, index_t rows) {
    Shape s = t.shape();
    s[0] = rows;
    return s;
}

}  // namespace

template <typename T>
struct BatchLoader<T>::Impl {
    struct Slot {
        Tensor<T> x;
        Tensor<T> y;
        SlotState state = SlotState::free;
        index_t size = 0;
    };

    Impl(Tensor<T> x_in, Tensor<T> y_in, index_t bs, LoaderOptions opts)
        : x(std::move(x_in)), y(std::move(y_in)), batch_size(bs), options(opts) {
        n = x.shape(0);
        fx = row_width(x);
        fy = row_width(y);
        global = batch_size * options.shards;
        batches = options.drop_last ? n / global : (n + global - 1) / global;
        const index_t cap = std::min(batch_size, std::max<index_t>(n, 1));
        for (Slot& s : slots) {
            s.x = Tensor<T>(batch_shape(x, cap), HOST);
            s.y = Tensor<T>(batch_shape(y, cap), HOST);
        }
        worker = std::jthread([this](std::stop_token stop) { run(stop); });
    }

    // The worker: wait for the next batch's slot to be free, fill it outside the lock.
    void run(std::stop_token stop) {
        std::unique_lock lock(mutex);
        while (true) {
            cv.wait(lock, stop, [&] {
                return started && produce < batches && slots[produce % 2].state == SlotState::free;
            });
            if (stop.stop_requested()) return;
            const index_t b = produce++;
            Slot& slot = slots[b % 2];
            slot.state = SlotState::filling;
            lock.unlock();
            const auto [begin, size] = share(b);
            gather(slot, begin, size);
            lock.lock();
            slot.size = size;
            slot.state = SlotState::ready;
            cv.notify_all();
        }
    }

    // The rows [begin, begin + size) of the epoch's order that are this shard's batch b.
    std::pair<index_t, index_t> share(index_t b) const {
        const index_t start = b * global;
        const index_t rows = std::min(global, n - start);
        if (rows == global) return {start + options.shard * batch_size, batch_size};
        const index_t p = options.shards, k = options.shard;  // a partial batch: split evenly
        return {start + k * rows / p, (k + 1) * rows / p - k * rows / p};
    }

    void gather(Slot& slot, index_t begin, index_t size) {
        const T* sx = src_x;
        const T* sy = src_y;
        T* dx = slot.x.data();
        T* dy = slot.y.data();
        for (index_t i = 0; i < size; ++i) {
            const index_t r = order[static_cast<std::size_t>(begin + i)];
            std::memcpy(dx + i * fx, sx + r * fx, static_cast<std::size_t>(fx) * sizeof(T));
            std::memcpy(dy + i * fy, sy + r * fy, static_cast<std::size_t>(fy) * sizeof(T));
        }
    }

    void start_epoch(std::uint64_t epoch) {
        std::unique_lock lock(mutex);
        // The worker reads `order` while filling: let it finish first.
        cv.wait(lock, [&] {
            return slots[0].state != SlotState::filling && slots[1].state != SlotState::filling;
        });
        if (options.shuffle) {
            // Mix seed and epoch so neighbouring seeds and epochs give unrelated orders.
            order = permutation(
                n, options.seed * 0x9E3779B97F4A7C15ull + epoch * 0xD1B54A32D192ED03ull + 1);
        } else if (static_cast<index_t>(order.size()) != n) {
            order.resize(static_cast<std::size_t>(n));
            std::iota(order.begin(), order.end(), index_t{0});
        }
        // Host pointers are taken here, on the caller's thread (a MANAGED tensor syncs now).
        src_x = x.cdata();
        src_y = y.cdata();
        for (Slot& s : slots) s.state = SlotState::free;
        produce = 0;
        consume = 0;
        started = true;
        cv.notify_all();
    }

    bool next(Batch<T>& out) {
        std::unique_lock lock(mutex);
        if (!started) {
            throw ValueError("BatchLoader::next: no epoch started; call start_epoch(epoch) first");
        }
        for (Slot& s : slots) {
            if (s.state == SlotState::held) {
                s.state = SlotState::free;
                cv.notify_all();
            }
        }
        if (consume == batches) return false;
        Slot& slot = slots[consume % 2];
        cv.wait(lock, [&] { return slot.state == SlotState::ready; });
        ++consume;
        slot.state = SlotState::held;
        out.size = slot.size;
        out.x = slot.size == slot.x.shape(0) ? slot.x : slot.x.slice(0, slot.size);
        out.y = slot.size == slot.y.shape(0) ? slot.y : slot.y.slice(0, slot.size);
        return true;
    }

    Tensor<T> x;
    Tensor<T> y;
    index_t batch_size;
    index_t global = 0;  // rows per batch over all shards
    LoaderOptions options;
    index_t n = 0;
    index_t fx = 0;
    index_t fy = 0;
    index_t batches = 0;
    std::vector<index_t> order;
    const T* src_x = nullptr;
    const T* src_y = nullptr;

    std::mutex mutex;
    std::condition_variable_any cv;
    Slot slots[2];
    index_t produce = 0;
    index_t consume = 0;
    bool started = false;
    std::jthread worker;  // last: stopped and joined before the members it uses are destroyed
};

template <typename T>
BatchLoader<T>::BatchLoader(Tensor<T> x, Tensor<T> y, index_t batch_size, LoaderOptions options) {
    if (x.ndim() < 1 || y.ndim() < 1 || x.shape(0) != y.shape(0)) {
        throw ShapeError(fmt::format(
            "BatchLoader: x has shape {} and y {}; they need the same number of rows (first "
            "extent)",
            to_string(x.shape()), to_string(y.shape())));
    }
    if (batch_size <= 0) {
        throw ValueError(
            fmt::format("BatchLoader: batch_size is {}, expected a positive count", batch_size));
    }
    if (options.shards < 1 || options.shard < 0 || options.shard >= options.shards) {
        throw ValueError(
            fmt::format("BatchLoader: shard {} of {}: give shards >= 1 and 0 <= shard < shards",
                        options.shard, options.shards));
    }
    if (!host_accessible(x.memory()) || !host_accessible(y.memory())) {
        throw ValueError(fmt::format(
            "BatchLoader: x is in {} memory and y in {}; the loader gathers rows on the host, "
            "pass x.to(HOST) and y.to(HOST)",
            to_string(x.memory()), to_string(y.memory())));
    }
    impl_ = std::make_unique<Impl>(std::move(x), std::move(y), batch_size, options);
}

template <typename T>
BatchLoader<T>::~BatchLoader() = default;
template <typename T>
BatchLoader<T>::BatchLoader(BatchLoader&&) noexcept = default;
template <typename T>
BatchLoader<T>& BatchLoader<T>::operator=(BatchLoader&&) noexcept = default;

template <typename T>
void BatchLoader<T>::start_epoch(std::uint64_t epoch) {
    impl_->start_epoch(epoch);
}
template <typename T>
bool BatchLoader<T>::next(Batch<T>& out) {
    return impl_->next(out);
}
template <typename T>
index_t BatchLoader<T>::rows() const {
    return impl_->n;
}
template <typename T>
index_t BatchLoader<T>::batch_size() const {
    return impl_->batch_size;
}
template <typename T>
index_t BatchLoader<T>::batches_per_epoch() const {
    return impl_->batches;
}

template class BatchLoader<float>;
template class BatchLoader<double>;

}  // namespace magmadnn::data
