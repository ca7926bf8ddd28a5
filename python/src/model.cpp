// magmadnn.model: ModelF32 / ModelF64 (the package's Model class picks one), fit's options,
// its history and metrics. fit, predict and evaluate run with the GIL released; fit asks for
// signals after every step, so Ctrl-C stops training after the step in progress and raises
// KeyboardInterrupt with the model intact.
#include <nanobind/stl/map.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <optional>

#include "bindings.h"
#include "graph_types.h"

namespace magmadnn::python {

namespace {

// A Python callable called after each epoch with its EpochStats; a true result stops training.
template <typename T>
class PyCallback final : public model::Callback<T> {
  public:
    explicit PyCallback(nb::object fn) : fn_(std::move(fn)) {}
    ~PyCallback() override {
        nb::gil_scoped_acquire gil;
        fn_.reset();
    }
    void on_epoch_end(model::Model<T>&, const model::EpochStats& stats, bool& stop) override {
        nb::gil_scoped_acquire gil;
        if (nb::bool_(fn_(stats))) stop = true;
    }

  private:
    nb::object fn_;
};

template <typename T>
model::History fit(model::Model<T>& m, nb::handle x, nb::handle y, int epochs,
                   model::FitOptions options, const std::vector<nb::object>& callbacks) {
    const Tensor<T> tx = to_typed<T>(x), ty = to_typed<T>(y);
    std::vector<std::shared_ptr<model::Callback<T>>> cbs;
    for (const nb::object& c : callbacks) cbs.push_back(std::make_shared<PyCallback<T>>(c));
    std::optional<nb::python_error> signal;
    options.interrupt = [&signal] {
        nb::gil_scoped_acquire gil;
        if (PyErr_CheckSignals() == 0) return false;
        signal.emplace();  // takes the pending exception (KeyboardInterrupt)
        return true;
    };
    model::History h;
    {
        nb::gil_scoped_release release;
        h = m.fit(tx, ty, epochs, options, cbs);
        cbs.clear();  // each callback takes the GIL to let its callable go
    }
    if (signal) throw std::move(*signal);
    return h;
}

template <typename T>
void bind_model_for(nb::module_& m) {
    using M = model::Model<T>;
    const std::string name = std::string("Model") + type_suffix<T>();
    nb::class_<M>(m, name.c_str(),
                  "A sequential network with its loss and optimizer (magmadnn.Model wraps it).")
        .def(nb::init<std::vector<layer::LayerPtr<T>>, const optimizer::Config&, index_t,
                      model::Loss>(),
             nb::arg("layers"), nb::arg("optimizer"), nb::arg("batch_size"),
             nb::arg("loss") = model::Loss::softmax_crossentropy)
        .def("fit", &fit<T>, nb::arg("x"), nb::arg("y"), nb::arg("epochs"),
             nb::arg("options") = model::FitOptions{},
             nb::arg("callbacks") = std::vector<nb::object>{},
             "Trains for `epochs` passes over x {n, features...} with one-hot y {n, classes}.")
        .def(
            "predict",
            [](M& self, nb::handle x) {
                const Tensor<T> tx = to_typed<T>(x);
                nb::gil_scoped_release release;
                return PyTensor{self.predict(tx)};
            },
            nb::arg("x"),
            "{n, outputs}: class probabilities for softmax cross-entropy, raw outputs for mse.")
        .def(
            "predict_class",
            [](M& self, nb::handle x) {
                const Tensor<T> tx = to_typed<T>(x);
                nb::gil_scoped_release release;
                return PyTensor{self.predict_class(tx)};
            },
            nb::arg("x"))
        .def(
            "evaluate",
            [](M& self, nb::handle x, nb::handle y) {
                const Tensor<T> tx = to_typed<T>(x), ty = to_typed<T>(y);
                nb::gil_scoped_release release;
                return self.evaluate(tx, ty);
            },
            nb::arg("x"), nb::arg("y"), "Loss and accuracy, in double precision.")
        .def("summary", &M::summary)
        .def("save", &M::save, nb::arg("path"), nb::call_guard<nb::gil_scoped_release>(),
             "Weights as safetensors, the architecture as JSON in its metadata; atomic.")
        .def_static("load", &M::load, nb::arg("path"), nb::arg("batch_size") = 0,
                    nb::arg("memory") = HOST, nb::arg("optimizer") = nb::none(),
                    nb::call_guard<nb::gil_scoped_release>(),
                    "Rebuilds a saved network (batch_size 0 keeps the saved one).")
        .def_prop_ro("layers", &M::layers)
        .def_prop_ro("weights", &M::weights)
        .def_prop_ro("batch_size", &M::batch_size)
        .def_prop_ro("loss_kind", &M::loss_kind)
        .def_prop_ro("memory", &M::memory)
        .def_prop_ro("epochs_trained", &M::epochs_trained)
        .def_prop_ro(
            "position", [](const M& self) { return self.position(); },
            "Where training stands (a copy): epoch, step inside it, rows.")
        .def_prop_ro("optimizer", [](M& self) { return self.optimizer().config(); })
        .def_prop_ro("dtype", [](const M&) { return dtype_name<T>(); })
        .def("architecture_json", &M::architecture_json)
        .def("set_metadata", &M::set_metadata, nb::arg("key"), nb::arg("value"))
        .def_prop_ro("metadata", &M::metadata);
}

}  // namespace

void bind_model(nb::module_& m) {
    using namespace model;
    nb::enum_<Loss>(m, "Loss")
        .value("softmax_crossentropy", Loss::softmax_crossentropy)
        .value("mse", Loss::mse);
    nb::enum_<Verbosity>(m, "Verbosity")
        .value("automatic", Verbosity::automatic,
               "a progress bar on a terminal, JSON lines otherwise")
        .value("bar", Verbosity::bar)
        .value("json_lines", Verbosity::json_lines)
        .value("silent", Verbosity::silent);
    nb::class_<EpochStats>(m, "EpochStats", "One epoch's metrics (val_* NaN without validation).")
        .def_ro("epoch", &EpochStats::epoch)
        .def_ro("loss", &EpochStats::loss)
        .def_ro("accuracy", &EpochStats::accuracy)
        .def_ro("val_loss", &EpochStats::val_loss)
        .def_ro("val_accuracy", &EpochStats::val_accuracy)
        .def_ro("seconds", &EpochStats::seconds)
        .def_ro("samples_per_second", &EpochStats::samples_per_second)
        .def_ro("learning_rate", &EpochStats::learning_rate)
        .def_ro("steps", &EpochStats::steps);
    nb::class_<History>(m, "History")
        .def_ro("epochs", &History::epochs)
        .def_ro("stopped_early", &History::stopped_early)
        .def_ro("interrupted", &History::interrupted);
    nb::class_<Metrics>(m, "Metrics")
        .def_ro("loss", &Metrics::loss)
        .def_ro("accuracy", &Metrics::accuracy, "NaN for regression")
        .def("__repr__", [](const Metrics& x) {
            return "Metrics(loss=" + std::to_string(x.loss) +
                   ", accuracy=" + std::to_string(x.accuracy) + ")";
        });
    nb::class_<TrainingPosition>(m, "TrainingPosition",
                                 "Where training stands (saved with a model).")
        .def_ro("epoch", &TrainingPosition::epoch)
        .def_ro("step", &TrainingPosition::step)
        .def_ro("rows", &TrainingPosition::rows);
    nb::class_<FitOptions>(m, "FitOptions",
                           "Model.fit's options (see include/magmadnn/model/model.h).")
        .def(nb::init<>())
        .def_rw("validation_split", &FitOptions::validation_split)
        .def_rw("shuffle", &FitOptions::shuffle)
        .def_rw("seed", &FitOptions::seed)
        .def_rw("verbosity", &FitOptions::verbosity)
        .def_rw("initial_epoch", &FitOptions::initial_epoch)
        .def_rw("resume", &FitOptions::resume)
        .def_rw("checkpoint", &FitOptions::checkpoint)
        .def_rw("checkpoint_every", &FitOptions::checkpoint_every)
        .def_rw("keep_checkpoints", &FitOptions::keep_checkpoints)
        .def_rw("detect_anomaly", &FitOptions::detect_anomaly)
        .def_rw("drop_last", &FitOptions::drop_last);
    bind_model_for<float>(m);
    bind_model_for<double>(m);
    m.def(
        "sequential",
        [](const std::string& architecture_json, index_t batch_size,
           const optimizer::Config& optimizer, memory_t memory, const std::string& dtype) {
            return visit_real_dtype(dtype, [&](auto tag) {
                using T = typename decltype(tag)::type;
                return nb::cast(
                    model::sequential<T>(architecture_json, batch_size, optimizer, memory));
            });
        },
        nb::arg("architecture_json"), nb::arg("batch_size"), nb::arg("optimizer"),
        nb::arg("memory") = HOST, nb::arg("dtype") = "float32",
        nb::sig("def sequential(architecture_json: str, batch_size: int, optimizer: "
                "magmadnn._magmadnn.optimizer.Config, memory: magmadnn._magmadnn.memory_t = ..., "
                "dtype: str = 'float32') -> ModelF32 | ModelF64"),
        "A model from an architecture JSON ({'input_shape': [784], 'layers': [...]}).");
}

}  // namespace magmadnn::python
