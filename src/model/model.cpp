// Model: wiring the layers to a loss, and the training loop.
#include "magmadnn/model/model.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <optional>
#include <span>
#include <unordered_set>

#include "checkpoint.h"
#include "core/stream_scope.h"
#include "magmadnn/backend/math.h"
#include "magmadnn/core/error.h"
#include "magmadnn/data/loader.h"
#include "magmadnn/dist/gradient_reducer.h"
#include "magmadnn/op/grad_table.h"
#include "magmadnn/op/profile.h"
#include "progress.h"

namespace magmadnn::model {

namespace {
template <typename T>
bool is_variable(const op::OpPtr<T>& node) {
    return node && node->kind() == "variable";
}

// Whether every element of t is a finite number (GPU tensors are read through the host).
template <typename T>
bool all_finite(const Tensor<T>& t) {
    if (t.empty()) return true;
    const Tensor<T> h = t.memory() == DEVICE ? t.to(HOST) : t;
    const T* d = h.cdata();
    bool ok = true;
    for (index_t i = 0; i < h.size(); ++i) ok &= std::isfinite(d[i]);
    return ok;
}

// detect_anomaly: the first node of the graph whose output is not finite, named with the
// shapes it read.
template <typename T>
void check_forward(const op::OpPtr<T>& loss, int epoch, index_t step) {
    for (op::Operation<T>* node : loss->order()) {
        if (all_finite(node->output())) continue;
        if (node->inputs().empty()) {
            throw NumericError(fmt::format(
                "Model::fit: anomaly at epoch {}, step {}: variable '{}' (shape {}) holds a NaN "
                "or an infinity: the batch's data, or a weight an earlier step spoiled",
                epoch + 1, step + 1, node->name(), to_string(node->shape())));
        }
        std::string inputs;
        for (const auto& in : node->inputs()) {
            inputs += (inputs.empty() ? "" : ", ") + to_string(in->shape()) +
                      (all_finite(in->output()) ? "" : " (not finite)");
        }
        throw NumericError(fmt::format(
            "Model::fit: anomaly at epoch {}, step {}: node '{}' ({}) computed a NaN or an "
            "infinity from inputs of shapes [{}]; its inputs are finite, so the overflow or the "
            "invalid operation is this node's: check its input's range (scale the data), the "
            "learning rate, or the op's domain",
            epoch + 1, step + 1, node->name(), node->kind(), inputs));
    }
}
}  // namespace

template <typename T>
Model<T>::Model(std::vector<layer::LayerPtr<T>> layers, const optimizer::Config& optimizer,
                index_t batch_size, Loss loss)
    : layers_(std::move(layers)), batch_size_(batch_size), loss_kind_(loss) {
    if (layers_.size() < 2) {
        throw ValueError("Model: needs at least an input and an output layer");
    }
    for (std::size_t i = 0; i < layers_.size(); ++i) {
        if (!layers_[i]) throw ValueError(fmt::format("Model: layer {} is null", i));
    }
    data_ = layers_.front()->out();
    if (layers_.front()->spec().type != "input" || !is_variable(data_)) {
        throw ValueError("Model: the first layer must be layer::input(data) over a variable");
    }
    if (data_->shape()[0] != batch_size) {
        throw ShapeError(
            fmt::format("Model: the input placeholder '{}' has shape {} but the batch "
                        "size is {}; make its first extent the batch size",
                        data_->name(), to_string(data_->shape()), batch_size));
    }
    // Each layer must read the one before it: the model is a chain.
    for (std::size_t i = 1; i < layers_.size(); ++i) {
        if (layers_[i]->input() != layers_[i - 1]->out()) {
            throw ValueError(
                fmt::format("Model: layer {} ({}) does not read layer {} ({}); list "
                            "the layers in order",
                            i, layers_[i]->name(), i - 1, layers_[i - 1]->name()));
        }
    }
    const op::OpPtr<T> out = layers_.back()->out();
    prediction_ = out;
    logits_ = out;
    if (loss_kind_ == Loss::softmax_crossentropy) {
        if (out->shape().size() != 2) {
            throw ShapeError(
                fmt::format("Model: the output has shape {}; classification needs "
                            "{{batch, classes}}",
                            to_string(out->shape())));
        }
        // A softmax at the end: train on its input (fused, stable), predict with it.
        if (out->kind() == "softmax") {
            logits_ = out->inputs()[0];
        } else {
            prediction_ = op::softmax(out);
        }
        labels_ = op::var<T>("labels", out->shape(), {ZERO, {}}, out->memory());
        loss_ = op::softmax_crossentropy(logits_, labels_);
    } else {
        labels_ = op::var<T>("targets", out->shape(), {ZERO, {}}, out->memory());
        loss_ = op::mse(out, labels_);
    }
    op::optimize(loss_);
    std::unordered_set<const op::Operation<T>*> seen;
    for (const auto& l : layers_) {
        for (const auto& w : l->get_weights()) {
            if (seen.insert(w.get()).second) weights_.push_back(w);
        }
    }
    for (const auto& w : weights_) params_.push_back(w->output());
    optimizer_ = optimizer::make_optimizer<T>(optimizer);
}

template <typename T>
void Model<T>::check_data(const char* what, const Tensor<T>& x, const Tensor<T>* y) const {
    const Shape& ds = data_->shape();
    const Shape& xs = x.shape();
    if (xs.size() != ds.size() || !std::equal(xs.begin() + 1, xs.end(), ds.begin() + 1)) {
        Shape want = ds;
        want[0] = xs.empty() ? 0 : xs[0];
        throw ShapeError(fmt::format(
            "Model::{}: x has shape {} but the network takes {} (rows "
            "of {})",
            what, to_string(xs), to_string(want), to_string(Shape(ds.begin() + 1, ds.end()))));
    }
    if (y != nullptr) {
        const Shape& ls = labels_->shape();
        if (y->ndim() != 2 || y->shape(1) != ls[1] || y->shape(0) != xs[0]) {
            throw ShapeError(fmt::format(
                "Model::{}: y has shape {} but needs {{{}, {}}} ({} rows of x; one-hot classes "
                "for classification)",
                what, to_string(y->shape()), xs[0], ls[1], xs[0]));
        }
    }
    if (x.memory() == DEVICE || (y && y->memory() == DEVICE)) {
        throw DeviceError(
            fmt::format("Model::{}: pass x and y in HOST memory; batches are "
                        "copied to the model's memory as they are used",
                        what));
    }
}

template <typename T>
void Model<T>::set_training(bool training) {
    for (op::Operation<T>* node : loss_->order()) node->set_training(training);
    for (op::Operation<T>* node : prediction_->order()) node->set_training(training);
}

template <typename T>
index_t Model<T>::correct_in_batch(const Tensor<T>& y) const {
    if (loss_kind_ != Loss::softmax_crossentropy) return 0;
    const auto pred = math::argmax(logits_->output(), 1).to_vector();
    const auto truth = math::argmax(y, 1).to_vector();
    index_t correct = 0;
    for (std::size_t i = 0; i < pred.size(); ++i) correct += pred[i] == truth[i];
    return correct;
}

template <typename T>
Model<T>& Model<T>::partial_batch_model(std::optional<Model>& tail, index_t rows) const {
    if (!tail || tail->batch_size_ != rows) {
        const StreamScope keep_streams;  // its initial weights are overwritten anyway
        tail.emplace(sequential<T>(architecture_json(), rows, optimizer_->config(), memory()));
    }
    return *tail;
}

template <typename T>
void Model<T>::copy_training_state(Model& to, bool weights) const {
    if (weights) {
        for (std::size_t i = 0; i < params_.size(); ++i) to.params_[i].copy_from(params_[i]);
    }
    for (std::size_t i = 0; i < layers_.size(); ++i) {
        const auto from_state = layers_[i]->get_state(), to_state = to.layers_[i]->get_state();
        for (std::size_t k = 0; k < from_state.size(); ++k) {
            Tensor<T> dst = to_state[k]->output();
            dst.copy_from(from_state[k]->output());
        }
    }
    const auto& from_order = loss_->order();
    const auto& to_order = to.loss_->order();
    for (std::size_t i = 0; i < from_order.size() && i < to_order.size(); ++i) {
        if (auto state = from_order[i]->rng_state(); !state.empty()) {
            to_order[i]->set_rng_state(state);
        }
    }
}

template <typename T>
History Model<T>::fit(const Tensor<T>& x, const Tensor<T>& y, int epochs, const FitOptions& options,
                      const std::vector<std::shared_ptr<Callback<T>>>& callbacks) {
    check_data("fit", x, &y);
    if (epochs < 0) throw ValueError(fmt::format("Model::fit: epochs = {} < 0", epochs));
    if (options.initial_epoch < 0 || options.initial_epoch > epochs) {
        throw ValueError(fmt::format(
            "Model::fit: initial_epoch {} is outside [0, epochs = {}]; epochs counts from the "
            "first epoch, so continuing a model that has trained {} epochs for 3 more takes "
            "epochs = {}",
            options.initial_epoch, epochs, epochs_trained(), epochs_trained() + 3));
    }
    if (options.resume && position_.epoch > epochs) {
        throw ValueError(fmt::format(
            "Model::fit: resuming a model that has trained {} epochs with epochs = {}; epochs "
            "counts from the first epoch",
            position_.epoch, epochs));
    }
    if (options.checkpoint_every < 0) {
        throw ValueError(
            fmt::format("Model::fit: checkpoint_every {} must be >= 0", options.checkpoint_every));
    }
    if (!(options.validation_split >= 0.0 && options.validation_split < 1.0)) {
        throw ValueError(fmt::format("Model::fit: validation_split {} must be in [0, 1)",
                                     options.validation_split));
    }
    dist::Communicator& comm = dist::Communicator::world();
    const dist::Strategy strategy = dist::resolve(options.strategy, comm.size());
    if (strategy == dist::Strategy::async && comm.size() > 1) {
        return fit_async(x, y, epochs, options, callbacks);
    }
    const bool parallel = strategy != dist::Strategy::local && comm.size() > 1;
    const int ranks = parallel ? comm.size() : 1;
    const int rank = parallel ? comm.rank() : 0;
    const index_t n = x.shape(0);
    const index_t n_val = static_cast<index_t>(std::floor(double(n) * options.validation_split));
    const index_t n_train = n - n_val;
    // data-parallel ranks step together on whole global batches
    const bool drop_last = options.drop_last || parallel;
    if (drop_last && n_train < batch_size_ * ranks) {
        throw ValueError(fmt::format(
            "Model::fit: {} training rows are fewer than one batch of {}{}, and drop_last drops "
            "a partial one",
            n_train, batch_size_ * ranks,
            ranks > 1 ? fmt::format(" ({} per rank x {} ranks)", batch_size_, ranks) : ""));
    }
    if (n_train < 1) {
        throw ValueError(
            fmt::format("Model::fit: no training rows: validation_split {} holds out all {} rows",
                        options.validation_split, n));
    }
    const Tensor<T> x_train = x.slice(0, n_train), y_train = y.slice(0, n_train);
    data::LoaderOptions lo;
    lo.shuffle = options.shuffle;
    lo.seed = options.seed;
    lo.drop_last = drop_last;
    lo.shard = rank;
    lo.shards = ranks;
    data::BatchLoader<T> loader(x_train, y_train, batch_size_, lo);
    const index_t batches = loader.batches_per_epoch();
    Progress progress(parallel && !comm.is_root() ? Verbosity::silent : options.verbosity, epochs,
                      batches, batch_size_ * ranks);
    // Where to start: inside an epoch, the batches of it already trained are skipped when
    // they are whole global batches of this run (the order is one permutation per epoch).
    const int first_epoch = options.resume ? position_.epoch : options.initial_epoch;
    index_t skip = 0;
    const TrainingPosition carried = position_;
    if (options.resume && carried.rows > 0) {
        const index_t global = batch_size_ * ranks;
        if (carried.rows % global == 0 && carried.rows / global < batches) {
            skip = carried.rows / global;
        } else if (!parallel || comm.is_root()) {
            std::fprintf(stderr,
                         "magmadnn: the checkpoint stopped after %lld rows of epoch %d, not a "
                         "whole number of this run's global batches of %lld rows: the epoch "
                         "restarts\n",
                         static_cast<long long>(carried.rows), carried.epoch + 1,
                         static_cast<long long>(global));
        }
    }
    const bool writes_checkpoints = !options.checkpoint.empty() && (!parallel || comm.is_root());
    std::optional<CheckpointSink> sink;
    if (writes_checkpoints) sink.emplace(options.checkpoint, options.keep_checkpoints);
    std::optional<dist::GradientReducer<T>> reducer;
    if (parallel) {
        reducer.emplace(comm, strategy);
        reducer->broadcast(params_);  // every rank starts from rank 0's weights
    }

    std::optional<Model> tail;  // the network for the final partial batch, built on first use
    const bool classify = loss_kind_ == Loss::softmax_crossentropy;
    History history;
    for (int epoch = first_epoch; epoch < epochs; ++epoch) {
        const double lr = optimizer::scheduled_lr(optimizer_->config(), epoch);
        optimizer_->set_learning_rate(T(lr));
        set_training(true);
        loader.start_epoch(static_cast<std::uint64_t>(epoch));
        const auto t0 = std::chrono::steady_clock::now();
        double loss_sum = 0;  // this rank's batch losses
        index_t correct = 0, seen = 0, step = 0;
        double carried_seconds = 0;
        data::Batch<T> batch;
        if (epoch == first_epoch && skip > 0) {  // resumed inside this epoch
            for (index_t k = 0; k < skip; ++k) loader.next(batch);
            step = skip;
            // the running metrics so far: per-step losses scaled to the steps skipped (the
            // same steps when the run is alike), the counts on one rank
            loss_sum = carried.loss_sum * double(skip) / double(carried.step);
            if (!parallel || comm.is_root()) {
                correct = carried.correct;
                seen = carried.rows;
            }
            carried_seconds = carried.seconds;
        }
        const bool profiling = op::profile::enabled();
        auto mark = std::chrono::steady_clock::now();
        const dist::Communicator::Stats comm_before = comm.stats();
        const double exposed_before = reducer ? reducer->exposed_seconds() : 0.0;
        // the time since the last mark, under (kind, name), when profiling
        auto lap = [&](const char* kind, const char* name) {
            if (!profiling) return;
            const auto now = std::chrono::steady_clock::now();
            op::profile::record(kind, name, false,
                                std::chrono::duration<double>(now - mark).count());
            mark = now;
        };
        while (loader.next(batch)) {
            // a partial batch runs on a network built for its rows, with this one's weights,
            // state and streams; the step updates this one's weights
            Model& ran = batch.size == batch_size_ ? *this : partial_batch_model(tail, batch.size);
            if (&ran != this) {
                copy_training_state(ran, true);
                ran.set_training(true);
            }
            Tensor<T> data_value = ran.data_->output(), label_value = ran.labels_->output();
            data_value.copy_from(batch.x);
            label_value.copy_from(batch.y);
            lap("model", "next batch (wait + copy)");
            ran.loss_->eval();
            if (options.detect_anomaly) check_forward(ran.loss_, epoch, step);
            if (reducer) {
                // each bucket's reduction starts as soon as backward has finished its gradients
                grads_.clear();
                for (const auto& w : weights_) grads_.push_back(w->grad_buffer());
                reducer->begin(grads_);
                op::backward<T>(loss_, weights_, [&](std::size_t i) { reducer->ready(i); });
                if (profiling) mark = std::chrono::steady_clock::now();
                reducer->finish();
                lap("dist", "gradient wait (not hidden by backward)");
            } else {
                op::backward(ran.loss_, ran.weights_);
                if (profiling) mark = std::chrono::steady_clock::now();  // nodes timed themselves
                grads_.clear();
                for (const auto& w : ran.weights_) grads_.push_back(w->grad());
            }
            if (options.detect_anomaly) {
                for (std::size_t i = 0; i < grads_.size(); ++i) {
                    if (all_finite(grads_[i])) continue;
                    throw NumericError(fmt::format(
                        "Model::fit: anomaly at epoch {}, step {}: the gradient of weight '{}' "
                        "(shape {}) holds a NaN or an infinity while the loss ({}) is finite: "
                        "an op's backward pass overflowed; lower the learning rate or clip the "
                        "gradients (clip_norm)",
                        epoch + 1, step + 1, weights_[i]->name(), to_string(grads_[i].shape()),
                        double(ran.loss_->output().get_flat(0))));
                }
            }
            // TerminateOnNaN, before the step spoils the weights
            const double l = double(ran.loss_->output().get_flat(0));
            const double norm =
                double(optimizer::global_norm<T>(std::span<const Tensor<T>>(grads_)));
            if (!std::isfinite(l) || !std::isfinite(norm)) {
                throw NumericError(fmt::format(
                    "Model::fit: at epoch {}, step {} the loss is {} and the gradients' global "
                    "norm {}; the step was not applied. Lower the learning rate (now {}), clip "
                    "the gradients (clip_norm) or check the data for NaN and huge values; "
                    "detect_anomaly / --detect-anomaly names the first node that computed a "
                    "non-finite value",
                    epoch + 1, step + 1, l, norm, lr));
            }
            if (!reducer || reducer->steps_here()) optimizer_->step(params_, grads_);
            if (reducer && reducer->strategy() == dist::Strategy::master_worker) {
                reducer->broadcast(params_);  // rank 0's updated weights to the workers
            }
            if (&ran != this) ran.copy_training_state(*this, false);
            lap("optimizer", "step");
            loss_sum += l;
            const index_t batch_correct = ran.correct_in_batch(batch.y);
            correct += batch_correct;
            seen += batch.size;
            ++step;
            progress.batch_done(epoch + 1, step, loss_sum / double(step),
                                classify ? double(correct) / double(seen) : std::nan(""));
            if (!callbacks.empty()) {
                BatchStats bs;
                bs.epoch = epoch + 1;
                bs.step = step;
                bs.global_step = index_t(epoch) * batches + step;
                bs.loss = l;
                bs.accuracy = classify ? double(batch_correct) / double(batch.size) : std::nan("");
                bs.rows = batch.size;
                bs.samples = batch.size * ranks;
                bs.learning_rate = lr;
                bs.seconds =
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
                for (const auto& cb : callbacks) cb->on_batch_end(*this, bs);
            }
            lap("model", "metrics + progress");
            if (options.checkpoint_every > 0 && step % options.checkpoint_every == 0 &&
                step < batches && !options.checkpoint.empty()) {
                TrainingPosition at{epoch,
                                    step,
                                    step * batch_size_ * ranks,
                                    loss_sum,
                                    correct,
                                    carried_seconds + std::chrono::duration<double>(
                                                          std::chrono::steady_clock::now() - t0)
                                                          .count()};
                if (parallel) {  // the metrics over every rank's batches (the counts summed)
                    std::array<double, 2> totals{loss_sum, double(correct)};
                    comm.allreduce_sum(std::span<double>(totals));
                    at.loss_sum = totals[0] / double(ranks);
                    at.correct = static_cast<index_t>(totals[1]);
                }
                position_ = at;
                if (sink) sink->write(*this);
                lap("model", "checkpoint");
            }
            if (options.interrupt && !parallel && options.interrupt()) {
                history.interrupted = true;
                break;
            }
        }
        if (history.interrupted) {
            const double seconds =
                carried_seconds +
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            position_ = step < batches ? TrainingPosition{epoch,    step,    step * batch_size_,
                                                          loss_sum, correct, seconds}
                                       : TrainingPosition{epoch + 1};
            progress.interrupted();
            break;
        }
        EpochStats stats;
        if (parallel) {  // the epoch's metrics over every rank's batches
            std::array<double, 3> totals{loss_sum, double(correct), double(seen)};
            comm.allreduce_sum(std::span<double>(totals));
            loss_sum = totals[0] / double(ranks);  // each rank ran `step` batches
            correct = static_cast<index_t>(totals[1]);
            seen = static_cast<index_t>(totals[2]);
            stats.world_size = ranks;
            stats.comm_seconds = comm.stats().seconds - comm_before.seconds;
            stats.comm_exposed_seconds = reducer->exposed_seconds() - exposed_before;
            stats.bytes_sent = comm.stats().bytes_sent - comm_before.bytes_sent;
        }
        stats.seconds =
            carried_seconds +
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        stats.epoch = epoch + 1;
        stats.loss = step > 0 ? loss_sum / double(step) : std::nan("");
        stats.accuracy = classify && seen > 0 ? double(correct) / double(seen) : std::nan("");
        stats.samples_per_second = stats.seconds > 0 ? double(seen) / stats.seconds : 0.0;
        stats.learning_rate = lr;
        stats.steps = step;
        if (n_val > 0) {  // data-parallel: each rank its share of the rows, then the totals
            const index_t lo_row = n_train + n_val * rank / ranks;
            const index_t hi_row = n_train + n_val * (rank + 1) / ranks;
            const Metrics m = lo_row < hi_row
                                  ? evaluate(x.slice(lo_row, hi_row), y.slice(lo_row, hi_row))
                                  : Metrics{};
            std::array<double, 3> totals{m.loss * double(hi_row - lo_row),
                                         m.accuracy * double(hi_row - lo_row),
                                         double(hi_row - lo_row)};
            if (parallel) comm.allreduce_sum(std::span<double>(totals));
            stats.val_loss = totals[0] / totals[2];
            stats.val_accuracy = classify ? totals[1] / totals[2] : std::nan("");
        }
        progress.epoch_done(stats);
        history.epochs.push_back(stats);
        position_ = TrainingPosition{epoch + 1};  // before the callbacks: checkpoints hold it
        if (sink) sink->write(*this);
        bool stop = false;
        for (const auto& cb : callbacks) cb->on_epoch_end(*this, stats, stop);
        if (stop) {
            history.stopped_early = true;
            break;
        }
    }
    set_training(false);
    return history;
}

template <typename T>
Tensor<T> Model<T>::predict(const Tensor<T>& x) {
    check_data("predict", x, nullptr);
    set_training(false);
    const index_t n = x.shape(0);
    const index_t outputs = prediction_->shape()[1];
    Tensor<T> result({n, outputs}, HOST);
    Tensor<T> data_value = data_->output();
    Tensor<T> padded;  // the final partial batch, zero-padded to the placeholder's shape
    for (index_t begin = 0; begin < n; begin += batch_size_) {
        const index_t end = std::min(n, begin + batch_size_);
        const index_t rows = end - begin;
        if (rows == batch_size_) {
            data_value.copy_from(x.slice(begin, end));
        } else {
            if (padded.empty()) padded = Tensor<T>(data_->shape(), HOST);
            padded.zero();
            padded.slice(0, rows).copy_from(x.slice(begin, end));
            data_value.copy_from(padded);
        }
        const Tensor<T> out = prediction_->eval();
        result.slice(begin, end).copy_from(out.slice(0, rows));
    }
    return result;
}

template <typename T>
Tensor<std::int32_t> Model<T>::predict_class(const Tensor<T>& x) {
    return math::argmax(predict(x), 1);
}

template <typename T>
Metrics Model<T>::evaluate(const Tensor<T>& x, const Tensor<T>& y) {
    check_data("evaluate", x, &y);
    const Tensor<T> p = predict(x);
    const Tensor<T> yh = y.to(HOST);
    const T* pp = p.cdata();
    const T* py = yh.cdata();
    const index_t n = p.shape(0), c = p.shape(1);
    Metrics m;
    double total = 0;
    index_t correct = 0;
    for (index_t i = 0; i < n; ++i) {
        const T* pr = pp + i * c;
        const T* yr = py + i * c;
        if (loss_kind_ == Loss::softmax_crossentropy) {
            for (index_t j = 0; j < c; ++j) {
                // clamp: a probability that underflowed to 0 costs -log(tiny), not infinity
                if (yr[j] != T(0))
                    total -= double(yr[j]) * std::log(std::max(double(pr[j]), 1e-300));
            }
            correct += std::max_element(pr, pr + c) - pr == std::max_element(yr, yr + c) - yr;
        } else {
            for (index_t j = 0; j < c; ++j)
                total += (double(pr[j]) - yr[j]) * (double(pr[j]) - yr[j]);
        }
    }
    if (loss_kind_ == Loss::softmax_crossentropy) {
        m.loss = n > 0 ? total / double(n) : 0.0;
        m.accuracy = n > 0 ? double(correct) / double(n) : 0.0;
    } else {
        m.loss = n * c > 0 ? total / double(n * c) : 0.0;
        m.accuracy = std::nan("");
    }
    return m;
}

template <typename T>
std::string Model<T>::summary() const {
    std::string s =
        fmt::format("{:<4} {:<16} {:<18} {:>12}\n", "#", "layer", "output shape", "params");
    index_t total = 0;
    for (std::size_t i = 0; i < layers_.size(); ++i) {
        const auto& l = layers_[i];
        const index_t p = l->num_params();
        total += p;
        Shape shape = l->out()->shape();
        s += fmt::format("{:<4} {:<16} {:<18} {:>12}\n", i, l->name(), to_string(shape), p);
    }
    s += fmt::format("total parameters: {}; loss: {}; optimizer: {}; batch size: {}\n", total,
                     loss_kind_ == Loss::mse ? "mse" : "softmax cross-entropy",
                     optimizer_->config().name(), batch_size_);
    return s;
}

template class Model<float>;
template class Model<double>;

}  // namespace magmadnn::model
