#pragma once
// TensorBoard logs of training: a Model callback that writes event files
// (io::EventFileWriter) which `tensorboard --logdir LOGDIR` shows while training runs.
//
//   auto tb = std::make_shared<model::TensorBoardLogger<float>>(
//       "runs/mlp", model::TensorBoardOptions{.log_every = 50});
//   model.fit(x, y, 10, options, {tb});
//
// Keras's layout, so that TensorBoard draws training and validation in one chart per metric:
//   LOGDIR/train/       epoch_loss, epoch_accuracy, epoch_learning_rate, epoch_samples_per_second
//                       at step = the epoch (1-based, as fit's JSON lines); with log_every N,
//                       batch_loss, batch_accuracy, batch_learning_rate, batch_samples_per_second
//                       every N steps at step = BatchStats::global_step, each the mean over the
//                       steps since the last one of the epoch (the rate: their samples over
//                       their time); with histograms, layers.<i>.<weight> (as Model::save names
//                       them) after each epoch at step = the epoch.
//   LOGDIR/validation/  epoch_loss, epoch_accuracy, when fit holds out a validation split.
// Accuracy is left out for regression. Each epoch's events are flushed to the files at its end
// (and each batch log's as it is written). Data-parallel, rank 0 alone writes and the other
// ranks create nothing; the async strategy gives epoch scalars only.

#include <memory>
#include <string>
#include <vector>

#include "magmadnn/model/model.h"

namespace magmadnn::io {
class EventFileWriter;
}

namespace magmadnn::model {

struct TensorBoardOptions {
    index_t log_every = 0;    // batch_* scalars every this many optimizer steps (0: none)
    bool histograms = false;  // each weight's histogram after every epoch
};

template <typename T>
class TensorBoardLogger final : public Callback<T> {
  public:
    // Creates LOGDIR/train and its event file at once, so that a log directory that cannot be
    // created or written is an IOError naming it before training starts.
    explicit TensorBoardLogger(std::string logdir, TensorBoardOptions options = {});
    ~TensorBoardLogger() override;
    TensorBoardLogger(const TensorBoardLogger&) = delete;
    TensorBoardLogger& operator=(const TensorBoardLogger&) = delete;

    void on_batch_end(Model<T>& model, const BatchStats& stats) override;
    void on_epoch_end(Model<T>& model, const EpochStats& stats, bool& stop) override;
    // Flushes, fsyncs and closes the files (IOError on failure; the destructor only reports it).
    void close();

    const std::string& logdir() const { return logdir_; }
    // The event files written (none on ranks other than 0).
    std::vector<std::string> files() const;

  private:
    std::string logdir_;
    TensorBoardOptions options_;
    std::unique_ptr<io::EventFileWriter> train_, validation_;
    // the batch steps since the last batch log, within one epoch
    struct Window {
        int epoch = 0;
        index_t steps = 0, samples = 0, rows = 0;
        double loss_sum = 0, correct = 0, start_seconds = 0;
    } window_;
};

extern template class TensorBoardLogger<float>;
extern template class TensorBoardLogger<double>;

}  // namespace magmadnn::model
