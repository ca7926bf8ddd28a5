#pragma once
// Model: a sequential network with its loss and optimizer; fit / predict / evaluate / save / load.
//
//   model::Model<float> model({input, fc1, act1, fc2, out}, optimizer::sgd(0.05), batch_size);
//   model.fit(x, y_onehot, n_epochs);   // x {n, features...}, y {n, classes}
//   Tensor<float> p = model.predict(x); // {n, classes}

#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "magmadnn/dist/strategy.h"
#include "magmadnn/layer/layer.h"
#include "magmadnn/optim/optimizer.h"

namespace magmadnn::model {

enum class Loss {
    softmax_crossentropy,  // classification: y one-hot, the output gives logits (or softmax)
    mse,                   // regression
};

struct EpochStats {
    int epoch = 0;  // 1-based
    double loss = 0, accuracy = 0;
    double val_loss = std::nan(""), val_accuracy = std::nan("");  // NaN without validation
    double seconds = 0;                                           // training time only
    double samples_per_second = 0;
    double learning_rate = 0;
    index_t steps = 0;  // optimizer steps this epoch
    // data-parallel training: ranks, and this rank's share of the epoch's communication
    int world_size = 1;
    double comm_seconds = 0;          // in collectives (on the reducer's thread too)
    double comm_exposed_seconds = 0;  // waiting for gradient reductions backward did not hide
    std::uint64_t bytes_sent = 0;
    // async: how many server updates each applied gradient was behind (max and mean)
    double staleness_max = 0, staleness_mean = 0;
};

// One optimizer step, for Callback::on_batch_end. Data-parallel, the loss and accuracy are this
// rank's share of the global batch.
struct BatchStats {
    int epoch = 0;            // 1-based
    index_t step = 0;         // 1-based, within the epoch
    index_t global_step = 0;  // steps since the first epoch began: epoch index x batches + step
    double loss = 0;          // this batch's
    double accuracy = std::nan("");  // this batch's; NaN for regression
    index_t rows = 0;                // this batch's rows (this rank's)
    index_t samples = 0;             // the global batch's rows (every rank's)
    double learning_rate = 0;
    double seconds = 0;  // training time since the epoch began (in this run)
};

// Where training stands, saved with the model (Model::save) so that FitOptions::resume
// continues there: a checkpoint written inside an epoch resumes at the step after it.
struct TrainingPosition {
    int epoch = 0;     // 0-based: the epoch in progress, or the next one when step == 0
    index_t step = 0;  // optimizer steps of that epoch done
    // The epoch's rows trained so far (steps x batch x ranks) and its running metrics over
    // every rank's batches, so the resumed epoch reports what an uninterrupted one would.
    index_t rows = 0;
    double loss_sum = 0;  // sum over the steps of the batch loss (summed over the ranks)
    index_t correct = 0;
    double seconds = 0;
    bool operator==(const TrainingPosition&) const = default;
};

struct History {
    std::vector<EpochStats> epochs;
    bool stopped_early = false;
    bool interrupted = false;  // FitOptions::interrupt said stop (inside an epoch)
};

struct Metrics {
    double loss = 0;
    double accuracy = 0;  // NaN for regression
};

template <typename T>
class Model;

// Called after each epoch; set `stop` to end training. on_batch_end follows every optimizer
// step (not under the async strategy, whose steps happen on the server).
template <typename T>
class Callback {
  public:
    virtual ~Callback() = default;
    virtual void on_epoch_end(Model<T>& model, const EpochStats& stats, bool& stop) = 0;
    virtual void on_batch_end(Model<T>& /*model*/, const BatchStats& /*stats*/) {}
};

// Stops when `monitor` ("loss", "val_loss", "accuracy", "val_accuracy") has not improved by
// min_delta for `patience` epochs.
template <typename T>
class EarlyStopping final : public Callback<T> {
  public:
    explicit EarlyStopping(std::string monitor = "val_loss", int patience = 3,
                           double min_delta = 0.0);
    void on_epoch_end(Model<T>& model, const EpochStats& stats, bool& stop) override;

  private:
    std::string monitor_;
    int patience_;
    double min_delta_;
    double best_ = std::nan("");
    int waited_ = 0;
};

// Saves the model after each epoch, or only when `monitor` improved.
template <typename T>
class ModelCheckpoint final : public Callback<T> {
  public:
    explicit ModelCheckpoint(std::string path, std::string monitor = "val_loss",
                             bool save_best_only = true);
    void on_epoch_end(Model<T>& model, const EpochStats& stats, bool& stop) override;

  private:
    std::string path_, monitor_;
    bool best_only_;
    double best_ = std::nan("");
};

enum class Verbosity {
    automatic,   // a progress bar on a terminal, JSON lines otherwise
    bar,         // progress bar on stderr
    json_lines,  // one JSON object per epoch on stdout
    silent,
};

struct FitOptions {
    double validation_split = 0.0;  // the last fraction of the rows, as Keras
    bool shuffle = true;
    std::uint64_t seed = 0;
    Verbosity verbosity = Verbosity::automatic;
    // Under a launcher with several ranks (mpirun -n 4 ...), automatic trains data-parallel
    // with allreduce: rank 0's weights broadcast first, each rank takes its share of every
    // global batch of batch_size * ranks rows (the same seed-driven order on every rank), the
    // gradients averaged before each step, the epoch's metrics and validation reduced over the
    // ranks, and only rank 0 shows progress (docs/DISTRIBUTED.md). local trains each process
    // alone.
    dist::Strategy strategy = dist::Strategy::automatic;
    // async: a worker may run at most this many updates ahead of the slowest one (>= 0)
    int max_staleness = 4;
    // The epoch to start at (0-based), as Keras: fit runs epochs initial_epoch .. epochs - 1,
    // each with the shuffle order and scheduled learning rate of its index, so that a model
    // loaded from a checkpoint continues with `initial_epoch = model.epochs_trained()`.
    int initial_epoch = 0;
    // Start where the model's position() says (a loaded checkpoint's), instead of at
    // initial_epoch: inside an epoch, its first position().rows rows are skipped when they
    // make whole global batches of this run (batch_size x ranks), else that epoch restarts
    // (a note on stderr). With fixed threads and algorithms the weights end bitwise as an
    // uninterrupted run's.
    bool resume = false;
    // Checkpoints fit writes itself (the model, its optimizer state, position and random
    // streams; rank 0 writes, atomically): after every epoch and, with checkpoint_every > 0,
    // every that many steps inside one. A path ending in '/' or naming a directory keeps the
    // newest keep_checkpoints files there as step-<N>.safetensors (N: steps since the start),
    // removing older ones only once the new one is durable; any other path is one file,
    // replaced each time. Empty: none.
    std::string checkpoint;
    index_t checkpoint_every = 0;
    int keep_checkpoints = 3;
    // After every forward pass, the first graph node whose output holds a NaN or an infinity,
    // and after every backward pass, the first such weight gradient, stop training with a
    // NumericError naming it, its inputs' shapes and the step (as torch.autograd's anomaly
    // mode; it reads every node's output, so it is slow). Without it a non-finite loss stops
    // training at its step, and a non-finite gradient at the next one, whose loss it spoils.
    bool detect_anomaly = false;
    // Drop each epoch's final batch when it is smaller than batch_size (a different one each
    // epoch when shuffling), as PyTorch's DataLoader(drop_last=True). Without it that batch is
    // trained on, through a copy of the network built once for its rows. Data-parallel and
    // async training always drop it, so that every rank steps alike.
    bool drop_last = false;
    // Asked after every step; true stops training there, cleanly: fit returns the epochs it
    // completed with History::interrupted set, the weights those of the last step, and the
    // position() inside the epoch, so that save() and FitOptions::resume continue from it (the
    // Python package checks for Ctrl-C here). Not asked in data-parallel training, where every
    // rank must take the same steps.
    std::function<bool()> interrupt;
};

// Whether a checkpoint path names a directory (it ends in '/', or is one).
bool is_checkpoint_directory(const std::string& path);
// The checkpoints fit wrote into directory `dir`, newest first; none when it does not exist.
std::vector<std::string> checkpoints_in(const std::string& dir);

// The ONNX opsets Model::export_onnx writes: {13, the newest the linked ONNX library knows};
// {0, 0} in a build without ONNX (MAGMADNN_ONNX=OFF).
struct OpsetRange {
    int min = 0, max = 0;
};
OpsetRange onnx_opsets();

template <typename T>
class Model {
  public:
    Model(std::vector<layer::LayerPtr<T>> layers, const optimizer::Config& optimizer,
          index_t batch_size, Loss loss = Loss::softmax_crossentropy);

    // Trains for `epochs` passes over x (from options.initial_epoch on), the final partial
    // batch of each epoch included unless options.drop_last. Before each step the loss and the
    // gradients' global norm must be finite, else a NumericError names the step, which is not
    // applied. Data-parallel, every rank passes the same x and y.
    History fit(const Tensor<T>& x, const Tensor<T>& y, int epochs, const FitOptions& options = {},
                const std::vector<std::shared_ptr<Callback<T>>>& callbacks = {});
    // {n, outputs}: class probabilities for softmax cross-entropy, raw outputs for mse.
    Tensor<T> predict(const Tensor<T>& x);
    Tensor<std::int32_t> predict_class(const Tensor<T>& x);
    Metrics evaluate(const Tensor<T>& x, const Tensor<T>& y);
    std::string summary() const;

    // Weights as safetensors, the architecture as JSON in its metadata; written atomically.
    void save(const std::string& path) const;
    // The network as an ONNX model, written atomically: graph input "input" {batch, ...} and
    // output "output" (what predict() gives), the batch extent dynamic; the weights are
    // initializers named as save() names them (layers.<i>.weight ...); the architecture and
    // metadata() go in its metadata_props. `opset`: onnx_opsets() says which. The ONNX checker
    // and strict shape inference pass before the file is written. UnsupportedError naming the
    // layer for one with no ONNX form (and in a build without ONNX).
    void export_onnx(const std::string& path, int opset = 17) const;
    // Rebuilds the network from a saved file. batch_size 0 keeps the saved one; the optimizer is
    // the saved one unless given.
    static Model load(const std::string& path, index_t batch_size = 0, memory_t memory = HOST,
                      const std::optional<optimizer::Config>& optimizer = std::nullopt);

    const std::vector<layer::LayerPtr<T>>& layers() const { return layers_; }
    const std::vector<op::OpPtr<T>>& weights() const { return weights_; }
    optimizer::Optimizer<T>& optimizer() { return *optimizer_; }
    index_t batch_size() const { return batch_size_; }
    Loss loss_kind() const { return loss_kind_; }
    memory_t memory() const { return data_->memory(); }
    // The epochs fit has completed over this model's life, loads included (save keeps it).
    int epochs_trained() const { return position_.epoch; }
    // Where its training stands (save keeps it; FitOptions::resume continues from it).
    const TrainingPosition& position() const { return position_; }
    // {"format": "magmadnn.sequential", "layers": [...], ...}
    std::string architecture_json() const;
    // Strings saved with the model (safetensors metadata; checkpoints too) and loaded back:
    // what its data went through, say. Keys are "namespace.name" ("magmadnn.label_values",
    // "user.note"); the ones save() writes itself are refused (ValueError).
    void set_metadata(const std::string& key, std::string value);
    const std::map<std::string, std::string>& metadata() const { return metadata_; }

  private:
    void check_data(const char* what, const Tensor<T>& x, const Tensor<T>* y) const;
    // The async strategy (src/model/fit_async.cpp): rank 0 serves, the others work.
    History fit_async(const Tensor<T>& x, const Tensor<T>& y, int epochs, const FitOptions& options,
                      const std::vector<std::shared_ptr<Callback<T>>>& callbacks);
    void set_training(bool training);
    // Rows of the last batch whose predicted class is y's (0 for regression).
    index_t correct_in_batch(const Tensor<T>& y) const;
    // The network for a batch of `rows` < batch_size: `tail`, built from this one's
    // architecture when it does not hold one for that many rows yet.
    Model& partial_batch_model(std::optional<Model>& tail, index_t rows) const;
    // Copies into `to`, a network of the same architecture, the layers' state (batch norm's
    // running statistics), the random streams of the nodes that draw and, with `weights`, the
    // weights.
    void copy_training_state(Model& to, bool weights) const;

    std::vector<layer::LayerPtr<T>> layers_;
    std::vector<op::OpPtr<T>> weights_;
    std::unique_ptr<optimizer::Optimizer<T>> optimizer_;
    index_t batch_size_;
    Loss loss_kind_;
    TrainingPosition position_;
    std::map<std::string, std::string> metadata_;
    op::OpPtr<T> data_, labels_, logits_, loss_, prediction_;
    std::vector<Tensor<T>> params_, grads_;
};

// Builds a sequential model from an architecture JSON (as architecture_json() writes, or by
// hand: {"input_shape": [784], "layers": [{"type": "fullyconnected", "units": 528},
// {"type": "activation", "activation": "relu"}, ...]}).
template <typename T>
Model<T> sequential(const std::string& architecture_json, index_t batch_size,
                    const optimizer::Config& optimizer, memory_t memory = HOST);

extern template class Model<float>;
extern template class Model<double>;

}  // namespace magmadnn::model
