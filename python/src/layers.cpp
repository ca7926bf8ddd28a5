// magmadnn.layer: the seed's layers over the graph, layer.fullyconnected(input.out(), 528).
// LayerF32 / LayerF64 are the float32 / float64 layers; each factory is overloaded over both.
#include <nanobind/stl/array.h>
#include <nanobind/stl/map.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "bindings.h"
#include "graph_types.h"

namespace magmadnn::python {

namespace {

template <typename T>
using Op = op::OpPtr<T>;

template <typename T>
void bind_layers_for(nb::module_& m) {
    using L = layer::Layer<T>;
    const std::string name = std::string("Layer") + type_suffix<T>();
    nb::class_<L>(m, name.c_str(), "A layer: its graph node is out(), its weights get_weights().")
        .def("out", &L::out, "The layer's result node.")
        .def("input", &L::input, "The node it reads.")
        .def_prop_ro("name", &L::name)
        .def("get_weights", &L::get_weights, "Trainable variables (weight before bias).")
        .def("get_state", &L::get_state, "Non-trainable state saved with a model.")
        .def("spec", &L::spec, "Its type and attributes, as saved with a model.")
        .def("num_params", &L::num_params)
        .def_prop_ro("dtype", [](const L&) { return dtype_name<T>(); })
        .def("__repr__", [](const L& l) {
            return "Layer" + std::string(type_suffix<T>()) + "(" + l.spec().type + ", out " +
                   to_string(l.out()->shape()) + ")";
        });

    m.def("input", &layer::input<T>, nb::arg("data"),
          "The network's entry over the batch placeholder variable {batch, features...}.");
    m.def("fullyconnected", &layer::fullyconnected<T>, nb::arg("input"), nb::arg("units"),
          nb::arg("bias") = true,
          "x W + b, W {in, units}, initialised as PyTorch's nn.Linear; inputs of more than two "
          "axes are flattened to {batch, rest}.");
    m.def(
        "activation",
        [](const Op<T>& input, nb::handle type) {
            return layer::activation<T>(input, activation_arg(type));
        },
        nb::arg("input"), nb::arg("type"),
        "An activation: layer.RELU, layer.TANH, ... or its name ('relu').");
    m.def("dropout", &layer::dropout<T>, nb::arg("input"), nb::arg("rate"), nb::arg("seed") = 0);
    m.def("flatten", &layer::flatten<T>, nb::arg("input"));
    m.def("conv2d", &layer::conv2d<T>, nb::arg("input"), nb::arg("out_channels"), nb::arg("kernel"),
          nb::arg("stride") = op::Pair{1, 1}, nb::arg("padding") = op::Pair{0, 0},
          nb::arg("dilation") = op::Pair{1, 1}, nb::arg("groups") = 1, nb::arg("bias") = true,
          nb::arg("algo") = conv::Algo::automatic,
          "2-D convolution over {batch, c, h, w} with PyTorch's Conv2d initialisation.");
    m.def("pooling2d", &layer::pooling2d<T>, nb::arg("input"), nb::arg("kernel"),
          nb::arg("stride") = op::Pair{0, 0}, nb::arg("mode") = layer::MAX,
          nb::arg("padding") = op::Pair{0, 0},
          "Max or average pooling; the stride defaults to the kernel.");
    m.def("globalavgpool", &layer::globalavgpool<T>, nb::arg("input"),
          "{batch, c, h, w} -> {batch, c}");
    m.def("batchnorm", &layer::batchnorm<T>, nb::arg("input"), nb::arg("momentum") = 0.1f,
          nb::arg("epsilon") = 1e-5f, "Batch normalisation over the channels (axis 1).");
    m.def("output", &layer::output<T>, nb::arg("input"),
          "Marks the network's result (logits, or probabilities after a SOFTMAX activation).");
}

}  // namespace

void bind_layers(nb::module_& m) {
    nb::class_<layer::LayerSpec>(m, "LayerSpec")
        .def_ro("type", &layer::LayerSpec::type)
        .def_ro("attrs", &layer::LayerSpec::attrs);
    nb::enum_<layer::pooling_t>(m, "pooling_t")
        .value("MAX", layer::MAX)
        .value("AVERAGE", layer::AVERAGE)
        .export_values();
    // the seed's activation names
    nb::handle activation = nb::type<Activation>();
    m.attr("TANH") = activation.attr("tanh");
    m.attr("SIGMOID") = activation.attr("sigmoid");
    m.attr("RELU") = activation.attr("relu");
    m.attr("LEAKY_RELU") = activation.attr("leaky_relu");
    m.attr("GELU") = activation.attr("gelu");
    m.attr("SOFTMAX") = activation.attr("softmax");
    m.attr("LINEAR") = activation.attr("linear");
    bind_layers_for<float>(m);
    bind_layers_for<double>(m);
}

}  // namespace magmadnn::python
