// magmadnn.optimizer: optimizer configurations as values, built without naming the element
// type: Model(layers, optimizer.sgd(0.05), batch_size).
#include <nanobind/operators.h>
#include <nanobind/stl/map.h>
#include <nanobind/stl/string.h>

#include "bindings.h"
#include "magmadnn/optim/config.h"

namespace magmadnn::python {

void bind_optimizers(nb::module_& m) {
    using optimizer::Config;
    using optimizer::Schedule;
    nb::enum_<optimizer::Kind>(m, "Kind")
        .value("sgd", optimizer::Kind::sgd)
        .value("adam", optimizer::Kind::adam)
        .value("adamw", optimizer::Kind::adamw)
        .value("rmsprop", optimizer::Kind::rmsprop)
        .value("adagrad", optimizer::Kind::adagrad);
    nb::class_<Schedule>(m, "Schedule",
                         "A learning-rate schedule over epochs: Schedule.step(step_size, gamma) "
                         "(torch's StepLR) or Schedule.cosine(t_max, min_lr) (CosineAnnealingLR).")
        .def_static("none", &Schedule::none)
        .def_static("step", &Schedule::step, nb::arg("step_size"), nb::arg("gamma") = 0.1)
        .def_static("cosine", &Schedule::cosine, nb::arg("t_max"), nb::arg("min_lr") = 0.0)
        .def_ro("step_size", &Schedule::step_size)
        .def_ro("gamma", &Schedule::gamma)
        .def_ro("t_max", &Schedule::t_max)
        .def_ro("min_lr", &Schedule::min_lr)
        .def(nb::self == nb::self);
    nb::class_<Config>(m, "Config",
                       "An optimizer: its rule, hyperparameters, gradient clipping and schedule "
                       "(the rules follow torch.optim). Made by sgd(), adam(), adamw(), "
                       "rmsprop(), adagrad().")
        .def_rw("kind", &Config::kind)
        .def_rw("learning_rate", &Config::learning_rate)
        .def_rw("momentum", &Config::momentum)
        .def_rw("nesterov", &Config::nesterov)
        .def_rw("weight_decay", &Config::weight_decay)
        .def_rw("beta1", &Config::beta1)
        .def_rw("beta2", &Config::beta2)
        .def_rw("eps", &Config::eps)
        .def_rw("alpha", &Config::alpha)
        .def_rw("clip_norm", &Config::clip_norm)
        .def_rw("schedule", &Config::schedule)
        .def_prop_ro("name", &Config::name)
        .def("validate", &Config::validate, "ValueError naming a bad value.")
        .def("with_clip_norm", &Config::with_clip_norm, nb::arg("max_norm"),
             "A copy that clips the gradients' global 2-norm to max_norm before each step.")
        .def("with_schedule", &Config::with_schedule, nb::arg("schedule"))
        .def("to_map", &Config::to_map)
        .def_static("from_map", &Config::from_map, nb::arg("map"))
        .def(nb::self == nb::self)
        .def("__repr__", [](const Config& c) {
            std::string s = "optimizer.Config(";
            bool first = true;
            for (const auto& [k, v] : c.to_map()) {
                s += (first ? "" : ", ") + k + "=" + v;
                first = false;
            }
            return s + ")";
        });
    m.def("sgd", &optimizer::sgd, nb::arg("lr"), nb::arg("momentum") = 0.0,
          nb::arg("nesterov") = false, nb::arg("weight_decay") = 0.0,
          "torch.optim.SGD with dampening 0.");
    m.def("adam", &optimizer::adam, nb::arg("lr") = 1e-3, nb::arg("beta1") = 0.9,
          nb::arg("beta2") = 0.999, nb::arg("eps") = 1e-8, nb::arg("weight_decay") = 0.0,
          "torch.optim.Adam (weight_decay is L2 added to the gradient).");
    m.def("adamw", &optimizer::adamw, nb::arg("lr") = 1e-3, nb::arg("beta1") = 0.9,
          nb::arg("beta2") = 0.999, nb::arg("eps") = 1e-8, nb::arg("weight_decay") = 0.01,
          "torch.optim.AdamW (decoupled weight decay).");
    m.def("rmsprop", &optimizer::rmsprop, nb::arg("lr") = 1e-2, nb::arg("alpha") = 0.99,
          nb::arg("eps") = 1e-8, nb::arg("momentum") = 0.0, nb::arg("weight_decay") = 0.0,
          "torch.optim.RMSprop (not centered).");
    m.def("adagrad", &optimizer::adagrad, nb::arg("lr") = 1e-2, nb::arg("eps") = 1e-10,
          nb::arg("weight_decay") = 0.0, "torch.optim.Adagrad.");
    m.def("scheduled_lr", &optimizer::scheduled_lr, nb::arg("config"), nb::arg("epoch"),
          "The learning rate of `epoch` (0-based) under the config's schedule.");
}

}  // namespace magmadnn::python
