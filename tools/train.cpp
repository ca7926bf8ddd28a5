// `magmadnn train`, `evaluate` and `predict`.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "commands.h"
#include "config_json.h"
#include "datasets.h"
#include "magmadnn/dist.h"

namespace magmadnn::cli {

namespace {

struct TrainArgs {
    std::string model = "mlp";
    MlpShape mlp;                        // --model mlp only
    std::vector<std::string> mlp_given;  // the --hidden, --layers, --dropout given
    DataOptions data{"fashion-mnist"};
    index_t train_rows = 0;  // the first N training rows (before --validation-split's); 0: all
    int epochs = 5;
    index_t batch_size = 100;
    double lr = 0.1;
    std::string optimizer = "sgd";
    double momentum = 0.0;
    double weight_decay = 0.0;
    std::string device = "cpu";
    int threads = 0;
    double validation_split = 0.0;
    std::string save;
    std::string load;
    std::string checkpoint;  // written after every epoch (a file, or a directory: PATH/)
    index_t checkpoint_every = 0;
    int keep_checkpoints = 3;
    std::string resume;  // a checkpoint file, or a directory of them, to continue from
    bool batch_size_given = false, optimizer_given = false;
    bool shuffle = true;
    bool standardize = false;
    bool json = false;
    bool profile = false;
    bool detect_anomaly = false;
    bool drop_last = false;
    bool verbose = false;
    std::string logdir;  // TensorBoard event files
    index_t log_every = 0;
    bool log_histograms = false;
    std::string dist = "automatic";
    double dist_timeout = 0;  // 0: the communicator's (60 s, or MAGMADNN_DIST_TIMEOUT)
    int max_staleness = 4;
};

void add_data_options(CLI::App* cmd, DataOptions& d) {
    cmd->add_option("--data", d.source, "fashion-mnist, mnist, a directory of IDX files, or a CSV")
        ->capture_default_str();
    cmd->add_option("--label-column", d.label_column, "CSV: the label column")
        ->capture_default_str();
    cmd->add_flag("--csv-header", d.csv_header, "CSV: the first row names the columns");
    cmd->add_option("--test-fraction", d.test_fraction,
                    "CSV: rows held out for testing, shuffled by --seed and stratified by label")
        ->check(CLI::Range(0.0, 1.0))
        ->capture_default_str();
    cmd->add_flag("!--no-stratify", d.stratify,
                  "CSV: a plain shuffled test split instead of one per class");
    cmd->add_option("--seed", d.seed,
                    "CSV: the test split's shuffle (train: also the weights and batch order)")
        ->capture_default_str();
    const std::map<std::string, data::Missing> policies{{"error", data::Missing::error},
                                                        {"drop", data::Missing::drop},
                                                        {"zero", data::Missing::zero},
                                                        {"mean", data::Missing::mean}};
    cmd->add_option_function<std::string>(
           "--missing", [&d, policies](const std::string& name) { d.missing = policies.at(name); },
           "CSV: empty fields and NaN are an error, or drop the row, or read as 0, or as the "
           "column's mean")
        ->check(CLI::IsMember({"error", "drop", "zero", "mean"}))
        ->default_str("error");
    cmd->add_option("--scale", d.scale, "CSV: multiply features by this")->capture_default_str();
}

memory_t device_memory(const std::string& device) {
    if (device == "cpu") return HOST;
    if (device == "cuda") {
        require_device("--device cuda");
        return DEVICE;
    }
    throw ValueError(fmt::format("--device {}: expected cpu or cuda", device));
}

// The checkpoint's network, weights, optimizer state and position; its batch size and
// optimizer unless the command line names others (another optimizer starts afresh). A
// directory gives its newest checkpoint that loads, or nothing while it holds none (a job's
// first run: it starts from scratch).
std::optional<model::Model<float>> resume_model(const TrainArgs& a, const optimizer::Config& opt,
                                                memory_t memory, bool speaks) {
    auto load = [&](const std::string& path) {
        return model::Model<float>::load(path, a.batch_size_given ? a.batch_size : 0, memory,
                                         a.optimizer_given ? std::optional(opt) : std::nullopt);
    };
    if (!model::is_checkpoint_directory(a.resume)) {
        if (!std::filesystem::exists(a.resume)) {
            throw IOError(fmt::format(
                "--resume '{}': no such checkpoint; a run with --checkpoint '{}' writes one "
                "after every epoch (give a directory, '{}/', to start afresh while it is empty)",
                a.resume, a.resume, a.resume));
        }
        return load(a.resume);
    }
    for (const std::string& path : model::checkpoints_in(a.resume)) {
        try {
            return load(path);
        } catch (const Error& e) {  // written by another version, or damaged: the one before
            if (speaks) std::fprintf(stderr, "magmadnn: skipping checkpoint %s\n", e.what());
        }
    }
    if (speaks) {
        std::fprintf(stderr, "magmadnn: no checkpoint in '%s' yet: training from the start\n",
                     a.resume.c_str());
    }
    return std::nullopt;
}

void run_train(const TrainArgs& a) {
    dist::Communicator& world = dist::Communicator::world();
    const dist::Strategy strategy = dist::resolve(dist::parse_strategy(a.dist), world.size());
    if (a.dist_timeout > 0) world.set_timeout(a.dist_timeout);
    // data-parallel, rank 0 alone prints and writes files
    const bool speaks = strategy == dist::Strategy::local || world.is_root();
    if (a.threads > 0) {
        set_num_threads(a.threads);
    } else if (world.local_size() > 1) {  // the ranks on this host share its cores
        set_num_threads(std::max(1, num_threads() / world.local_size()));
    }
    // before any data is read: a log directory that cannot be written fails at once (rank 0
    // writes, the logger knows)
    std::shared_ptr<model::TensorBoardLogger<float>> tensorboard;
    if (!a.logdir.empty()) {
        tensorboard = std::make_shared<model::TensorBoardLogger<float>>(
            a.logdir, model::TensorBoardOptions{a.log_every, a.log_histograms});
    } else if (a.log_every > 0 || a.log_histograms) {
        throw ValueError(fmt::format("{} needs --logdir DIR, the TensorBoard log directory",
                                     a.log_every > 0 ? "--log-every" : "--log-histograms"));
    }
    set_seed(a.data.seed);
    const memory_t memory = device_memory(a.device);
    optimizer::Config opt;
    if (a.optimizer == "sgd") {
        opt = optimizer::sgd(a.lr, a.momentum, false, a.weight_decay);
    } else if (a.optimizer == "adam") {
        opt = optimizer::adam(a.lr, 0.9, 0.999, 1e-8, a.weight_decay);
    } else if (a.optimizer == "adamw") {
        opt = optimizer::adamw(a.lr, 0.9, 0.999, 1e-8, a.weight_decay);
    } else {
        throw ValueError(fmt::format("--optimizer {}: expected sgd, adam or adamw", a.optimizer));
    }
    std::optional<model::Model<float>> resumed;
    if (!a.resume.empty()) {
        resumed = resume_model(a, opt, memory, speaks);
    } else if (!a.load.empty()) {
        resumed = model::Model<float>::load(a.load, a.batch_size, memory, opt);
    }
    // A loaded model keeps its classes and standardizer: the data goes through them.
    TrainTest d;
    DataTransform transform;
    const std::string& model_path = a.resume.empty() ? a.load : a.resume;
    if (resumed) {
        d = load_data_for(*resumed, model_path, a.data);
        transform = data_transform(*resumed, model_path);
    } else {
        d = load_data(a.data);
    }
    if (a.train_rows > 0) {
        const index_t n = d.train.x.shape(0);
        if (a.train_rows > n) {
            throw ValueError(fmt::format("--train-rows {}: '{}' has only {} training rows",
                                         a.train_rows, a.data.source, n));
        }
        d.train.x = d.train.x.slice(0, a.train_rows);
        d.train.labels = d.train.labels.slice(0, a.train_rows);
    }
    transform.labels = d.classes;
    if (!transform.standardizer && a.standardize) {
        // fitted on the rows fit trains on: its validation rows are the last
        // floor(n * validation_split), as Model::fit takes them
        const index_t n = d.train.x.shape(0);
        const auto n_val = static_cast<index_t>(std::floor(double(n) * a.validation_split));
        data::Standardizer<float> s;
        s.fit(d.train.x.slice(0, n - n_val));
        s.apply(d.train.x);
        s.apply(d.test.x);
        transform.standardizer = s;
    }
    if (a.model != "mlp" && !a.mlp_given.empty()) {
        throw ValueError(fmt::format("{} applies to --model mlp only, not --model {}",
                                     a.mlp_given.front(), a.model));
    }
    const index_t features = d.train.x.shape(1);
    const std::string arch = a.model == "mlp"
                                 ? mlp_architecture(features, d.train.num_classes, a.mlp)
                             : a.model == "lenet5"    ? lenet5_architecture(d.train.num_classes)
                             : a.model == "vgg-small" ? vgg_small_architecture(d.train.num_classes)
                                                      : read_text(a.model);
    auto model =
        resumed ? std::move(*resumed) : model::sequential<float>(arch, a.batch_size, opt, memory);
    set_data_transform(model, transform);  // before fit, so that its checkpoints carry it
    const model::TrainingPosition start = model.position();
    const int initial_epoch = a.resume.empty() ? 0 : start.epoch;
    if (initial_epoch > a.epochs) {
        throw ValueError(fmt::format(
            "--resume '{}': the checkpoint has trained {} epochs, more than --epochs {}; --epochs "
            "counts from the first epoch (--epochs {} trains 1 more)",
            a.resume, initial_epoch, a.epochs, initial_epoch + 1));
    }
    if (!a.json && speaks) fmt::print("{}", model.summary());
    const Tensor<float> y_train = data::one_hot<float>(d.train.labels, d.train.num_classes);
    const Tensor<float> y_test = data::one_hot<float>(d.test.labels, d.train.num_classes);
    model::FitOptions fo;
    fo.seed = a.data.seed;
    fo.shuffle = a.shuffle;
    fo.validation_split = a.validation_split;
    fo.verbosity = !speaks  ? model::Verbosity::silent
                   : a.json ? model::Verbosity::json_lines
                            : model::Verbosity::automatic;
    fo.strategy = strategy;
    fo.max_staleness = a.max_staleness;
    fo.resume = !a.resume.empty();
    fo.detect_anomaly = a.detect_anomaly;
    fo.drop_last = a.drop_last;
    // every epoch (and every --checkpoint-every steps), atomically, rank 0 writing: a job that
    // dies keeps its last checkpoint
    const std::string checkpoint = a.checkpoint.empty() ? a.resume : a.checkpoint;
    fo.checkpoint = checkpoint;
    fo.checkpoint_every = a.checkpoint_every;
    fo.keep_checkpoints = a.keep_checkpoints;
    if (fo.resume && (start.epoch > 0 || start.step > 0) && speaks && !a.json) {
        fmt::print("resuming at epoch {} step {} of {} epochs\n", start.epoch + 1, start.step,
                   a.epochs);
    }
    const Shape& input = model.layers().front()->out()->shape();
    op::profile::enable(a.profile);
    std::vector<std::shared_ptr<model::Callback<float>>> callbacks;
    if (tensorboard) callbacks.push_back(tensorboard);
    const model::History h =
        model.fit(as_model_input(d.train.x, input), y_train, a.epochs, fo, callbacks);
    op::profile::enable(false);
    if (tensorboard) tensorboard->close();  // an error writing the logs is this command's error
    if (h.epochs.empty() && fo.resume && initial_epoch > 0 && a.json && speaks &&
        a.validation_split > 0) {
        // Nothing left to train: a job run again after its tuning coordinator stopped may find
        // its checkpoint already at --epochs, and still owes its last epoch's report. The
        // validation rows are fit's (the last ones) and the weights those fit evaluated.
        const Tensor<float> x = as_model_input(d.train.x, input);
        const index_t n = x.shape(0);
        const auto n_val = static_cast<index_t>(std::floor(double(n) * a.validation_split));
        if (n_val > 0) {
            const model::Metrics v =
                model.evaluate(x.slice(n - n_val, n), y_train.slice(n - n_val, n));
            fmt::print("{}\n", nlohmann::json({{"epoch", initial_epoch},
                                               {"val_loss", v.loss},
                                               {"val_accuracy", v.accuracy},
                                               {"from_checkpoint", true}})
                                   .dump());
        }
    }
    if (a.profile && speaks) {
        std::fprintf(stderr, "\ntime per node over %zu epochs (training only):\n%s",
                     h.epochs.size(), op::profile::table().c_str());
    }
    const model::Metrics m = model.evaluate(as_model_input(d.test.x, input), y_test);
    if (!speaks) return;
    if (!a.save.empty()) model.save(a.save);
    // the convolution algorithm each conv2d layer ran with (chosen on its first pass)
    nlohmann::json conv_algos = nlohmann::json::array();
    const auto& layers = model.layers();
    for (std::size_t i = 0; i < layers.size(); ++i) {
        if (layers[i]->spec().type != "conv2d") continue;
        const std::string kind = layers[i]->out()->kind();
        const auto colon = kind.find(':');
        conv_algos.push_back(
            {{"layer", i},
             {"shape", to_string(layers[i]->out()->shape())},
             {"algorithm", colon == std::string::npos ? "not run" : kind.substr(colon + 1)}});
    }
    const std::string cpu_target(cpu::isa_name(cpu::active_isa()));
    if (a.verbose && !a.json) {
        fmt::print("CPU kernels: {}\n", cpu_target);
        for (const auto& [shape, kernel] : linalg::gemm_batched_choices()) {
            fmt::print("batched GEMM {}: {}\n", shape, kernel);
        }
        for (const auto& c : conv_algos) {
            fmt::print("layer {} conv2d {}: {}\n", c["layer"].get<std::size_t>(),
                       c["shape"].get<std::string>(), c["algorithm"].get<std::string>());
        }
    }
    nlohmann::json secs = nlohmann::json::array(), losses = nlohmann::json::array();
    double comm_seconds = 0, exposed = 0, bytes = 0, steps = 0;
    for (const auto& e : h.epochs) {
        secs.push_back(e.seconds);
        losses.push_back(e.loss);
        comm_seconds += e.comm_seconds;
        exposed += e.comm_exposed_seconds;
        bytes += double(e.bytes_sent);
        steps += double(e.steps);
    }
    if (a.json) {
        nlohmann::json out = {{"test_accuracy", m.accuracy}, {"test_loss", m.loss},
                              {"seconds_per_epoch", secs},   {"train_loss", losses},
                              {"epochs", h.epochs.size()},   {"device", a.device},
                              {"threads", num_threads()},    {"cpu_target", cpu_target}};
        if (!a.save.empty()) out["saved"] = a.save;
        if (!checkpoint.empty()) out["checkpoint"] = checkpoint;
        if (tensorboard) out["logdir"] = a.logdir;
        if (!d.classes.is_identity()) out["label_values"] = d.classes.values();
        out["standardized"] = transform.standardizer.has_value();
        out["initial_epoch"] = initial_epoch;
        out["initial_step"] = a.resume.empty() ? 0 : start.step;
        out["world_size"] = strategy == dist::Strategy::local ? 1 : world.size();
        out["strategy"] = dist::to_string(strategy);
        out["bytes_sent_per_step"] = steps > 0 ? bytes / steps : 0.0;
        out["comm_seconds"] = comm_seconds;
        out["comm_exposed_seconds"] = exposed;
        out["steps"] = steps;
        if (strategy == dist::Strategy::async) {
            double stale = 0;
            for (const auto& e : h.epochs) stale = std::max(stale, e.staleness_max);
            out["staleness_max"] = stale;
        }
        if (!conv_algos.empty()) out["conv_algorithms"] = conv_algos;
        fmt::print("{}\n", out.dump());
    } else {
        fmt::print("test accuracy: {:.4f}  test loss: {:.4f}\n", m.accuracy, m.loss);
        if (!a.save.empty()) fmt::print("saved to {}\n", a.save);
    }
}

}  // namespace

void add_train_command(CLI::App& app) {
    auto a = std::make_shared<TrainArgs>();
    auto* cmd = app.add_subcommand("train", "Train a model and report its test accuracy");
    add_json_config(cmd);
    cmd->add_option("--model", a->model, "mlp, lenet5, vgg-small, or an architecture JSON file")
        ->capture_default_str();
    const std::vector<CLI::Option*> mlp_flags{
        cmd->add_option("--hidden", a->mlp.hidden, "--model mlp: units of each hidden layer")
            ->check(CLI::PositiveNumber)
            ->capture_default_str(),
        cmd->add_option("--layers", a->mlp.layers, "--model mlp: hidden layers")
            ->check(CLI::PositiveNumber)
            ->capture_default_str(),
        cmd->add_option("--dropout", a->mlp.dropout,
                        "--model mlp: a dropout layer of this rate, in [0, 1), after each hidden "
                        "ReLU (0: none)")
            ->check(CLI::Range(0.0, 1.0))
            ->capture_default_str()};
    add_data_options(cmd, a->data);
    cmd->add_option("--train-rows", a->train_rows,
                    "train on the first N rows of the training set (--validation-split then "
                    "takes its rows from them; 0: all)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--epochs", a->epochs, "epochs in all (a resumed run trains the rest)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    auto* batch = cmd->add_option("--batch-size", a->batch_size)
                      ->check(CLI::PositiveNumber)
                      ->capture_default_str();
    std::vector<CLI::Option*> optimizer_flags{
        cmd->add_option("--lr", a->lr, "learning rate")
            ->check(CLI::PositiveNumber)
            ->capture_default_str(),
        cmd->add_option("--optimizer", a->optimizer, "sgd, adam or adamw")->capture_default_str(),
        cmd->add_option("--momentum", a->momentum)->capture_default_str(),
        cmd->add_option("--weight-decay", a->weight_decay)->capture_default_str()};
    cmd->add_option("--device", a->device, "cpu or cuda")->capture_default_str();
    cmd->add_option("--threads", a->threads, "CPU threads (default: all cores)");
    cmd->add_option("--validation-split", a->validation_split)->check(CLI::Range(0.0, 0.99));
    cmd->add_option("--save", a->save, "write the trained model (safetensors) here");
    auto* load = cmd->add_option("--load", a->load,
                                 "start from a saved model (its architecture and weights)");
    cmd->add_option("--checkpoint", a->checkpoint,
                    "write the model, its optimizer state and position here after every epoch "
                    "(atomically); PATH/: a directory keeping the newest --keep-checkpoints");
    cmd->add_option("--checkpoint-every", a->checkpoint_every,
                    "also checkpoint every N steps inside an epoch")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--keep-checkpoints", a->keep_checkpoints,
                    "checkpoints kept in a --checkpoint directory")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    cmd->add_option("--resume", a->resume,
                    "continue from a checkpoint (a directory: its newest; none yet: from the "
                    "start) to --epochs in all, with any number of ranks, checkpointing to it "
                    "unless --checkpoint says otherwise")
        ->excludes(load);
    cmd->add_flag("!--no-shuffle", a->shuffle, "keep the training rows in file order");
    cmd->add_flag("--drop-last", a->drop_last,
                  "skip each epoch's final batch when it is smaller than --batch-size (under "
                  "mpirun it always is)");
    cmd->add_flag("--standardize", a->standardize,
                  "train on (x - mean) / std per feature, fitted on the rows trained on (not "
                  "the test or --validation-split rows); saved with the model, which evaluate "
                  "and predict then apply (a loaded model keeps its own)");
    cmd->add_flag("--json", a->json,
                  "one JSON line per epoch, then a JSON summary as the last line");
    cmd->add_flag("--verbose", a->verbose,
                  "also print the convolution algorithm each conv2d layer ran with");
    cmd->add_option(
           "--dist", a->dist,
           "data-parallel under mpirun: automatic, local, allreduce, ring, master-worker or async")
        ->capture_default_str();
    cmd->add_option("--max-staleness", a->max_staleness,
                    "async: how many updates a worker may run ahead of the slowest")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    cmd->add_option("--dist-timeout", a->dist_timeout,
                    "seconds a rank waits for the others before aborting the job (default 60)")
        ->check(CLI::PositiveNumber);
    cmd->add_flag("--detect-anomaly", a->detect_anomaly,
                  "stop at the first graph node or weight gradient holding a NaN or an infinity, "
                  "naming it (slow)");
    cmd->add_option("--logdir", a->logdir,
                    "write TensorBoard event files here (DIR/train, DIR/validation): loss, "
                    "accuracy, learning rate and samples/s per epoch; `tensorboard --logdir DIR` "
                    "shows them");
    cmd->add_option("--log-every", a->log_every,
                    "--logdir: also log the training scalars every N steps (0: per epoch only)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_flag("--log-histograms", a->log_histograms,
                  "--logdir: also a histogram of every weight after each epoch");
    cmd->add_flag("--profile", a->profile,
                  "time every node's forward and backward pass; print the table to stderr");
    cmd->callback([a, cmd, batch, optimizer_flags, mlp_flags] {
        apply_config(*cmd);  // options the command line left unset
        for (const CLI::Option* o : mlp_flags) {
            if (o->count() > 0) a->mlp_given.push_back(o->get_name());
        }
        a->batch_size_given = batch->count() > 0;
        a->optimizer_given = std::any_of(optimizer_flags.begin(), optimizer_flags.end(),
                                         [](const CLI::Option* o) { return o->count() > 0; });
        run_train(*a);
    });
}

void add_evaluate_command(CLI::App& app) {
    struct Args {
        std::string load;
        DataOptions data{"fashion-mnist"};
        std::string device = "cpu";
        bool json = false;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = app.add_subcommand("evaluate", "Evaluate a saved model on a data set's test split");
    cmd->add_option("--load", a->load, "a model saved by train --save")->required();
    add_data_options(cmd, a->data);
    cmd->add_option("--device", a->device, "cpu or cuda")->capture_default_str();
    cmd->add_flag("--json", a->json, "print one JSON object");
    cmd->callback([a] {
        auto model = model::Model<float>::load(a->load, 0, device_memory(a->device));
        const TrainTest d = load_data_for(model, a->load, a->data);
        const int classes = d.classes.num_classes();
        const model::Metrics m =
            model.evaluate(as_model_input(d.test.x, model.layers().front()->out()->shape()),
                           data::one_hot<float>(d.test.labels, classes));
        if (a->json) {
            fmt::print(
                "{}\n",
                nlohmann::json({{"test_accuracy", m.accuracy}, {"test_loss", m.loss}}).dump());
        } else {
            fmt::print("test accuracy: {:.4f}  test loss: {:.4f}\n", m.accuracy, m.loss);
        }
    });
}

void add_predict_command(CLI::App& app) {
    struct Args {
        std::string load;
        DataOptions data{"fashion-mnist"};
        std::string output;
        index_t limit = 10;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = app.add_subcommand("predict", "Predict classes for a data set's test split");
    cmd->add_option("--load", a->load, "a model saved by train --save")->required();
    add_data_options(cmd, a->data);
    cmd->add_option("--output", a->output,
                    "write index,predicted,label as CSV here (a CSV data set: index,line,...)");
    cmd->add_option("--limit", a->limit, "rows to print when no --output is given")
        ->capture_default_str();
    cmd->callback([a] {
        auto model = model::Model<float>::load(a->load);
        const TrainTest d = load_data_for(model, a->load, a->data);
        const auto classes =
            model.predict_class(as_model_input(d.test.x, model.layers().front()->out()->shape()))
                .to_vector();
        const auto labels = d.test.labels.to_vector();
        // the file's own labels, for the predicted class too
        auto original = [&](std::int32_t cls) { return d.classes.value(cls); };
        // a CSV's test rows are shuffled out of the file: name each one's line
        const bool lines = !d.test_lines.empty();
        std::string csv = lines ? "index,line,predicted,label\n" : "index,predicted,label\n";
        for (std::size_t i = 0; i < classes.size(); ++i) {
            const std::int32_t p = original(classes[i]), y = original(labels[i]);
            csv += lines ? fmt::format("{},{},{},{}\n", i, d.test_lines[i], p, y)
                         : fmt::format("{},{},{}\n", i, p, y);
        }
        if (a->output.empty()) {
            for (std::size_t i = 0; i < classes.size() && index_t(i) < a->limit; ++i) {
                fmt::print("{}: predicted {} (label {})\n", i, original(classes[i]),
                           original(labels[i]));
            }
        } else {
            io::write_file_atomic(a->output, std::as_bytes(std::span(csv.data(), csv.size())));
            fmt::print("wrote {} predictions to {}\n", classes.size(), a->output);
        }
    });
}

}  // namespace magmadnn::cli
