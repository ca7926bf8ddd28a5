// Asynchronous data-parallel training (FitOptions::strategy = async). Rank 0 is a parameter
// server: it applies each worker's gradient as it arrives and answers with its current weights.
// Ranks 1..p-1 are workers: each trains on its share of every global batch with the weights of
// its last answer, so a gradient may be some updates behind the weights it is applied to (its
// staleness). Stale synchronous parallel (Ho et al., NIPS 2013) bounds that: a worker may run
// at most max_staleness updates ahead of the slowest, the server holding its answer back until
// the others catch up. Dense gradients break the sparsity Hogwild!'s analysis assumes, so the
// staleness every update carried is measured and reported with the epoch.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <optional>

#include "checkpoint.h"
#include "magmadnn/core/error.h"
#include "magmadnn/data/loader.h"
#include "magmadnn/dist/gradient_reducer.h"
#include "magmadnn/model/model.h"
#include "magmadnn/op/grad_table.h"
#include "progress.h"

namespace magmadnn::model {

namespace {

constexpr int kHeaderTag = 101, kGradientTag = 102, kReplyTag = 103, kWeightsTag = 104;
// worker -> server: {kind, epoch, version of the worker's weights, loss, correct, rows}
constexpr double kGradient = 0, kDone = 1;
constexpr std::size_t kHeaderSize = 6;
// server -> worker: {version, stop}
constexpr std::size_t kReplySize = 2;
// an epoch's figures, as broadcast to the workers at the end
constexpr std::size_t kStatsSize = 11;

template <typename T>
std::size_t element_count(const std::vector<Tensor<T>>& ts) {
    std::size_t n = 0;
    for (const auto& t : ts) n += static_cast<std::size_t>(t.size());
    return n;
}

template <typename T>
void pack(const std::vector<Tensor<T>>& ts, std::vector<T>& out) {
    std::size_t at = 0;
    for (const auto& t : ts) {
        const Tensor<T> h = t.memory() == HOST ? t : t.to(HOST);
        std::copy_n(h.cdata(), h.size(), out.data() + at);
        at += static_cast<std::size_t>(h.size());
    }
}

template <typename T>
void unpack(const std::vector<T>& in, std::vector<Tensor<T>>& ts) {
    std::size_t at = 0;
    for (auto& t : ts) {
        if (t.memory() == HOST) {
            std::copy_n(in.data() + at, t.size(), t.data());
        } else {
            Tensor<T> h(t.shape(), HOST);
            std::copy_n(in.data() + at, t.size(), h.data());
            t.copy_from(h);
        }
        at += static_cast<std::size_t>(t.size());
    }
}

std::vector<double> to_doubles(const EpochStats& s) {
    return {double(s.epoch), s.loss,          s.accuracy,           s.val_loss,
            s.val_accuracy,  s.seconds,       s.samples_per_second, s.learning_rate,
            double(s.steps), s.staleness_max, s.staleness_mean};
}

EpochStats from_doubles(const double* d, int world) {
    EpochStats s;
    s.epoch = static_cast<int>(d[0]);
    s.loss = d[1], s.accuracy = d[2], s.val_loss = d[3], s.val_accuracy = d[4];
    s.seconds = d[5], s.samples_per_second = d[6], s.learning_rate = d[7];
    s.steps = static_cast<index_t>(d[8]);
    s.staleness_max = d[9], s.staleness_mean = d[10];
    s.world_size = world;
    return s;
}

}  // namespace

template <typename T>
History Model<T>::fit_async(const Tensor<T>& x, const Tensor<T>& y, int epochs,
                            const FitOptions& options,
                            const std::vector<std::shared_ptr<Callback<T>>>& callbacks) {
    dist::Communicator& comm = dist::Communicator::world();
    const int p = comm.size(), workers = p - 1;
    if (options.checkpoint_every > 0 || (options.resume && position_.rows > 0)) {
        throw ValueError(
            "Model::fit: the async strategy checkpoints and resumes at epoch ends only; set "
            "checkpoint_every = 0 (or resume from a checkpoint written at an epoch's end)");
    }
    const int first_epoch = options.resume ? position_.epoch : options.initial_epoch;
    if (options.max_staleness < 0) {
        throw ValueError(fmt::format("Model::fit: max_staleness {} must be >= 0 (async)",
                                     options.max_staleness));
    }
    const index_t n = x.shape(0);
    const index_t n_val = static_cast<index_t>(std::floor(double(n) * options.validation_split));
    const index_t n_train = n - n_val;
    if (n_train < batch_size_ * workers) {
        throw ValueError(fmt::format(
            "Model::fit: {} training rows are fewer than one batch of {} ({} per worker x {} "
            "workers; async: rank 0 serves)",
            n_train, batch_size_ * workers, batch_size_, workers));
    }
    const index_t batches = n_train / (batch_size_ * workers);  // per worker and epoch
    const bool classify = loss_kind_ == Loss::softmax_crossentropy;
    dist::GradientReducer<T> sync(comm, dist::Strategy::allreduce);
    sync.broadcast(params_);  // every rank starts from rank 0's weights

    const std::size_t total = element_count(params_);
    std::vector<T> buffer(total);
    std::vector<double> header(kHeaderSize), reply(kReplySize);
    History history;
    double failure = 0;  // the epoch (1-based) whose loss became NaN or infinite, on the server

    if (comm.is_root()) {
        std::vector<Tensor<T>> grads;
        for (const auto& w : params_) grads.emplace_back(w.shape(), w.memory());
        std::vector<std::int64_t> clock(static_cast<std::size_t>(p), 0);
        std::vector<bool> active(static_cast<std::size_t>(p), true), held(active.size(), false);
        active[0] = false;
        std::int64_t version = 0;
        bool stop = false;
        struct Tally {
            double loss = 0, stale_sum = 0, stale_max = 0;
            index_t correct = 0, rows = 0, steps = 0;
            std::chrono::steady_clock::time_point start;
        };
        std::vector<Tally> tally(static_cast<std::size_t>(epochs));
        int reported = first_epoch;
        std::optional<CheckpointSink> sink;
        if (!options.checkpoint.empty()) sink.emplace(options.checkpoint, options.keep_checkpoints);
        Progress progress(options.verbosity, epochs, batches * workers, batch_size_);
        dist::Communicator::Stats comm_before = comm.stats();
        auto slowest = [&] {
            std::int64_t m = std::numeric_limits<std::int64_t>::max();
            for (int u = 1; u < p; ++u) {
                if (active[u]) m = std::min(m, clock[u]);
            }
            return m;
        };
        auto may_run = [&](int u) { return stop || clock[u] - slowest() <= options.max_staleness; };
        auto answer = [&](int u) {
            reply = {double(version), stop ? 1.0 : 0.0};
            comm.send(std::span<const double>(reply), u, kReplyTag);
            pack(params_, buffer);
            comm.send(std::span<const T>(buffer), u, kWeightsTag);
        };
        for (int remaining = workers; remaining > 0;) {
            const int w =
                comm.recv(std::span<double>(header), dist::Communicator::any_source, kHeaderTag);
            if (header[0] == kDone) {
                active[w] = false;
                --remaining;
            } else {
                comm.recv(std::span<T>(buffer), w, kGradientTag);
                const auto e = static_cast<std::size_t>(header[1]);
                Tally& t = tally[e];
                if (t.steps == 0) t.start = std::chrono::steady_clock::now();
                const double staleness = double(version) - header[2];
                if (std::isfinite(header[3])) {
                    unpack(buffer, grads);
                    optimizer_->set_learning_rate(
                        T(optimizer::scheduled_lr(optimizer_->config(), static_cast<int>(e))));
                    optimizer_->step(params_, grads);
                    ++version;
                } else if (failure == 0) {
                    failure = double(e + 1);
                    stop = true;
                }
                ++clock[w];
                t.loss += header[3];
                t.correct += static_cast<index_t>(header[4]);
                t.rows += static_cast<index_t>(header[5]);
                t.stale_sum += staleness;
                t.stale_max = std::max(t.stale_max, staleness);
                ++t.steps;
                progress.batch_done(static_cast<int>(e) + 1, t.steps, t.loss / double(t.steps),
                                    classify ? double(t.correct) / double(t.rows) : std::nan(""));
                if (may_run(w)) {
                    answer(w);
                } else {
                    held[w] = true;  // too far ahead: answered once the slowest catches up
                }
            }
            for (int u = 1; u < p; ++u) {
                if (held[u] && may_run(u)) {
                    held[u] = false;
                    answer(u);
                }
            }
            // epochs end in order, once every worker's batches of it have been applied
            while (reported < epochs && tally[reported].steps == batches * workers && !stop) {
                const Tally& t = tally[reported];
                EpochStats s;
                s.epoch = reported + 1;
                s.steps = t.steps;
                s.loss = t.loss / double(t.steps);
                s.accuracy = classify ? double(t.correct) / double(t.rows) : std::nan("");
                s.seconds =
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - t.start)
                        .count();
                s.samples_per_second = s.seconds > 0 ? double(t.rows) / s.seconds : 0.0;
                s.learning_rate = optimizer::scheduled_lr(optimizer_->config(), reported);
                s.staleness_max = t.stale_max;
                s.staleness_mean = t.stale_sum / double(t.steps);
                s.world_size = p;
                s.comm_seconds = comm.stats().seconds - comm_before.seconds;
                s.bytes_sent = comm.stats().bytes_sent - comm_before.bytes_sent;
                comm_before = comm.stats();
                if (n_val > 0) {  // the server's current weights on every validation row
                    const Metrics m = evaluate(x.slice(n_train, n), y.slice(n_train, n));
                    s.val_loss = m.loss;
                    s.val_accuracy = m.accuracy;
                }
                progress.epoch_done(s);
                history.epochs.push_back(s);
                position_ = TrainingPosition{++reported};
                if (sink) sink->write(*this);
                bool halt = false;
                for (const auto& cb : callbacks) cb->on_epoch_end(*this, s, halt);
                if (halt) {
                    history.stopped_early = reported < epochs;
                    stop = true;
                }
            }
            if (stop) {  // answer everyone still waiting, with the stop flag
                for (int u = 1; u < p; ++u) {
                    if (held[u]) {
                        held[u] = false;
                        answer(u);
                    }
                }
            }
        }
    } else {
        data::LoaderOptions lo;
        lo.shuffle = options.shuffle;
        lo.seed = options.seed;
        lo.drop_last = true;
        lo.shard = comm.rank() - 1;
        lo.shards = workers;
        data::BatchLoader<T> loader(x.slice(0, n_train), y.slice(0, n_train), batch_size_, lo);
        Tensor<T> data_value = data_->output();
        Tensor<T> label_value = labels_->output();
        double version = 0;
        bool stop = false;
        set_training(true);
        for (int epoch = first_epoch; epoch < epochs && !stop; ++epoch) {
            loader.start_epoch(static_cast<std::uint64_t>(epoch));
            data::Batch<T> batch;
            while (!stop && loader.next(batch)) {
                data_value.copy_from(batch.x);
                label_value.copy_from(batch.y);
                loss_->eval();
                op::backward(loss_, weights_);
                grads_.clear();
                for (const auto& w : weights_) grads_.push_back(w->grad());
                const index_t correct = correct_in_batch(batch.y);
                header = {double(kGradient), double(epoch),
                          version,           double(loss_->output().get_flat(0)),
                          double(correct),   double(batch.size)};
                comm.send(std::span<const double>(header), 0, kHeaderTag);
                pack(grads_, buffer);
                comm.send(std::span<const T>(buffer), 0, kGradientTag);
                comm.recv(std::span<double>(reply), 0, kReplyTag);
                comm.recv(std::span<T>(buffer), 0, kWeightsTag);
                unpack(buffer, params_);
                version = reply[0];
                stop = reply[1] != 0;
            }
        }
        header = {kDone, 0, version, 0, 0, 0};
        comm.send(std::span<const double>(header), 0, kHeaderTag);
    }

    // Every rank ends with the server's weights and its history.
    sync.broadcast(params_);
    std::vector<double> meta{failure, double(history.epochs.size()),
                             history.stopped_early ? 1.0 : 0.0};
    comm.broadcast(std::span<double>(meta), 0);
    std::vector<double> figures(static_cast<std::size_t>(meta[1]) * kStatsSize);
    for (std::size_t i = 0; i < history.epochs.size(); ++i) {
        const auto d = to_doubles(history.epochs[i]);
        std::copy(d.begin(), d.end(), figures.begin() + i * kStatsSize);
    }
    comm.broadcast(std::span<double>(figures), 0);
    if (!comm.is_root()) {
        history.epochs.clear();
        for (std::size_t i = 0; i < figures.size() / kStatsSize; ++i) {
            history.epochs.push_back(from_doubles(figures.data() + i * kStatsSize, p));
        }
        history.stopped_early = meta[2] != 0;
        position_ = TrainingPosition{first_epoch + static_cast<int>(history.epochs.size())};
    }
    set_training(false);
    if (meta[0] != 0) {
        throw NumericError(fmt::format(
            "Model::fit: a worker's loss became NaN or infinite in epoch {} (async); lower the "
            "learning rate (now {}) or check the data for NaN",
            meta[0], optimizer_->learning_rate()));
    }
    return history;
}

template History Model<float>::fit_async(const Tensor<float>&, const Tensor<float>&, int,
                                         const FitOptions&,
                                         const std::vector<std::shared_ptr<Callback<float>>>&);
template History Model<double>::fit_async(const Tensor<double>&, const Tensor<double>&, int,
                                          const FitOptions&,
                                          const std::vector<std::shared_ptr<Callback<double>>>&);

}  // namespace magmadnn::model
