// magmadnn.data (MNIST-like data sets, one-hot labels) and the process-wide settings at the
// package's top level: set_seed, threads, the build and its devices.
#include "magmadnn/data.h"

#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "bindings.h"
#include "magmadnn/backend/threads.h"
#include "magmadnn/config.h"
#include "magmadnn/core/random.h"

namespace magmadnn::python {

namespace {

struct PyDataset {
    PyTensor x, labels;
    int num_classes = 0;
};

}  // namespace

void bind_data(nb::module_& m) {
    nb::class_<PyDataset>(m, "Dataset", "x {n, features}, labels {n} (int32), num_classes.")
        .def_ro("x", &PyDataset::x)
        .def_ro("labels", &PyDataset::labels)
        .def_ro("num_classes", &PyDataset::num_classes)
        .def("__iter__",
             [](const PyDataset& d) { return nb::iter(nb::make_tuple(d.x, d.labels)); });
    m.def(
        "load_mnist_like",
        [](const std::string& name_or_path, const std::string& split, const std::string& dtype) {
            if (split != "train" && split != "test") {
                throw ValueError("data.load_mnist_like: split '" + split +
                                 "' is not train or test");
            }
            const data::Split s = split == "train" ? data::Split::train : data::Split::test;
            nb::gil_scoped_release release;
            if (dtype == "float64") {
                auto d = data::load_mnist_like<double>(name_or_path, s);
                return PyDataset{{d.x}, {d.labels}, d.num_classes};
            }
            if (dtype != "float32")
                throw ValueError("data.load_mnist_like: dtype float32 or float64");
            auto d = data::load_mnist_like<float>(name_or_path, s);
            return PyDataset{{d.x}, {d.labels}, d.num_classes};
        },
        nb::arg("name_or_path"), nb::arg("split") = "train", nb::arg("dtype") = "float32",
        "One split of an MNIST-like set ('fashion-mnist', 'mnist' or a directory of IDX files, "
        "looked for in $MAGMADNN_DATA, ./data and /usr/share/datasets): x {n, 784} scaled to "
        "[0, 1], labels {n}.");
    m.def(
        "one_hot",
        [](nb::handle labels, int num_classes, const std::string& dtype) {
            const Tensor<std::int32_t> l = to_typed<std::int32_t>(labels);
            if (dtype == "float64") return PyTensor{data::one_hot<double>(l, num_classes)};
            return PyTensor{data::one_hot<float>(l, num_classes)};
        },
        nb::arg("labels"), nb::arg("num_classes"), nb::arg("dtype") = "float32",
        "{n} class indices -> {n, num_classes} one-hot rows.");
}

void bind_info(nb::module_& m) {
    m.attr("__version__") = MAGMADNN_VERSION;
    m.def("set_seed", &set_seed, nb::arg("seed"),
          "The global seed of the random fillers (each filled tensor takes a fresh stream).");
    m.def("set_num_threads", &set_num_threads, nb::arg("n"),
          "Threads of the CPU backend (OpenMP, oneDNN and OpenBLAS alike).");
    m.def("num_threads", &num_threads);
    m.def("cuda_compiled", &cuda_compiled, "Whether this build includes the CUDA backend.");
    m.def("device_count", &device_count, "Usable CUDA devices (0 without CUDA or a GPU).");
    m.def("device_synchronize", &device_synchronize, nb::call_guard<nb::gil_scoped_release>(),
          "Waits for all queued device work.");
}

}  // namespace magmadnn::python
