#include "magmadnn/model/tensorboard.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <filesystem>

#include "magmadnn/core/error.h"
#include "magmadnn/dist/communicator.h"
#include "magmadnn/io/event_writer.h"

namespace magmadnn::model {

namespace {
std::string run_dir(const std::string& logdir, const char* run) {
    return (std::filesystem::path(logdir) / run).string();
}
}  // namespace

template <typename T>
TensorBoardLogger<T>::TensorBoardLogger(std::string logdir, TensorBoardOptions options)
    : logdir_(std::move(logdir)), options_(options) {
    if (logdir_.empty()) {
        throw ValueError("TensorBoardLogger: the log directory is empty; name one, e.g. runs/exp1");
    }
    if (options_.log_every < 0) {
        throw ValueError(
            fmt::format("TensorBoardLogger: log_every {} must be >= 0 (0: no batch scalars)",
                        options_.log_every));
    }
    // data-parallel, the ranks hold the same weights and reduced metrics: one writer
    if (!dist::Communicator::world().is_root()) return;
    std::error_code ec;
    std::filesystem::create_directories(logdir_, ec);
    if (ec || !std::filesystem::is_directory(logdir_)) {
        throw IOError(fmt::format(
            "cannot create the TensorBoard log directory '{}': {}; give a directory that can be "
            "created and written",
            logdir_, ec ? ec.message() : std::string("a file of that name is in the way")));
    }
    train_ = std::make_unique<io::EventFileWriter>(run_dir(logdir_, "train"));
}

template <typename T>
TensorBoardLogger<T>::~TensorBoardLogger() {
    try {
        close();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "magmadnn: %s\n", e.what());
    }
}

template <typename T>
void TensorBoardLogger<T>::on_batch_end(Model<T>&, const BatchStats& s) {
    if (!train_ || options_.log_every <= 0) return;
    if (window_.epoch != s.epoch) window_ = Window{s.epoch};
    window_.steps += 1;
    window_.rows += s.rows;
    window_.samples += s.samples;
    window_.loss_sum += s.loss;
    window_.correct += s.accuracy * double(s.rows);  // NaN for regression
    if (s.global_step % options_.log_every != 0) return;
    const auto step = static_cast<std::int64_t>(s.global_step);
    train_->add_scalar("batch_loss", window_.loss_sum / double(window_.steps), step);
    if (!std::isnan(s.accuracy)) {
        train_->add_scalar("batch_accuracy", window_.correct / double(window_.rows), step);
    }
    train_->add_scalar("batch_learning_rate", s.learning_rate, step);
    const double seconds = s.seconds - window_.start_seconds;
    if (seconds > 0) {
        train_->add_scalar("batch_samples_per_second", double(window_.samples) / seconds, step);
    }
    train_->flush();
    window_ = Window{s.epoch};
    window_.start_seconds = s.seconds;
}

template <typename T>
void TensorBoardLogger<T>::on_epoch_end(Model<T>& model, const EpochStats& s, bool&) {
    if (!train_) return;
    const std::int64_t step = s.epoch;
    train_->add_scalar("epoch_loss", s.loss, step);
    if (!std::isnan(s.accuracy)) train_->add_scalar("epoch_accuracy", s.accuracy, step);
    train_->add_scalar("epoch_learning_rate", s.learning_rate, step);
    train_->add_scalar("epoch_samples_per_second", s.samples_per_second, step);
    if (options_.histograms) {
        const auto& layers = model.layers();
        for (std::size_t i = 0; i < layers.size(); ++i) {
            for (const auto& w : layers[i]->get_weights()) {
                const std::vector<T> values = w->output().to_vector();
                train_->add_histogram(fmt::format("layers.{}.{}", i, w->name()),
                                      std::span<const T>(values), step);
            }
        }
    }
    train_->flush();
    if (!std::isnan(s.val_loss)) {
        // created on first use: a run without validation shows no empty "validation" run
        if (!validation_) {
            validation_ = std::make_unique<io::EventFileWriter>(run_dir(logdir_, "validation"));
        }
        validation_->add_scalar("epoch_loss", s.val_loss, step);
        if (!std::isnan(s.val_accuracy)) {
            validation_->add_scalar("epoch_accuracy", s.val_accuracy, step);
        }
        validation_->flush();
    }
}

template <typename T>
void TensorBoardLogger<T>::close() {
    if (train_) train_->close();
    if (validation_) validation_->close();
}

template <typename T>
std::vector<std::string> TensorBoardLogger<T>::files() const {
    std::vector<std::string> out;
    if (train_) out.push_back(train_->path());
    if (validation_) out.push_back(validation_->path());
    return out;
}

template class TensorBoardLogger<float>;
template class TensorBoardLogger<double>;

}  // namespace magmadnn::model
