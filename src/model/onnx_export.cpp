// Model::export_onnx: each layer becomes the ONNX nodes that compute what it computes at
// inference, from its spec() and its weights; the graph ends where predict() does.
//
//   fullyconnected  [Flatten] Gemm (W as stored, {in, out}: transB = 0)
//   activation      Relu, Tanh, Sigmoid, LeakyRelu (alpha 0.01), Softmax / LogSoftmax (last
//                   axis), Identity (linear); gelu as x * 0.5 * (1 + Erf(x / sqrt 2)), exact like
//                   ours (the Gelu op only arrives in opset 20)
//   conv2d          Conv (strides, pads, dilations, group)
//   pooling2d       MaxPool / AveragePool (count_include_pad = 1, as ours; floor output size)
//   globalavgpool   GlobalAveragePool + Flatten ({n, c, 1, 1} -> {n, c})
//   batchnorm       BatchNormalization with the running statistics (inference form)
//   dropout         Identity (inference)
//   flatten         Flatten (axis 1); reshape: Reshape (0 keeps the batch extent)
//   input, output   nothing
// A classifier whose last layer is not a softmax gets one, as predict() applies it.
#include <fmt/format.h>
#include <onnx/checker.h>
#include <onnx/defs/schema.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include <charconv>
#include <climits>
#include <cmath>
#include <string_view>

#include "magmadnn/config.h"
#include "magmadnn/core/error.h"
#include "magmadnn/io/atomic_file.h"
#include "magmadnn/model/model.h"
#include "model/onnx_graph.h"

namespace magmadnn::model {

namespace {

using onnx_export::GraphWriter;
using onnx_export::set_attribute;

constexpr int kMinOpset = 13;  // Softmax along one axis (earlier opsets flatten to 2-D)

int max_opset() {
    const auto& versions =
        onnx::OpSchemaRegistry::DomainToVersionRange::Instance().LastReleaseVersionMap();
    return versions.at(onnx::ONNX_DOMAIN);
}

// What a layer's spec says, read back (the strings serialize.cpp writes).
class SpecReader {
  public:
    SpecReader(const layer::LayerSpec& spec, std::string where)
        : spec_(spec), where_(std::move(where)) {}

    std::string text(const std::string& key, const std::string& fallback) const {
        const auto it = spec_.attrs.find(key);
        return it == spec_.attrs.end() ? fallback : it->second;
    }
    std::int64_t integer(const std::string& key, std::int64_t fallback) const {
        const auto it = spec_.attrs.find(key);
        return it == spec_.attrs.end() ? fallback : parse(it->second, key);
    }
    float number(const std::string& key, float fallback) const {
        const std::string v = text(key, "");
        if (v.empty()) return fallback;
        std::size_t used = 0;
        float out = 0;
        try {
            out = std::stof(v, &used);
        } catch (const std::exception&) {
        }
        if (used == 0 || used != v.size()) bad(key, v);
        return out;
    }
    // "3" -> {3, 3}; "3,2" -> {3, 2}
    std::vector<std::int64_t> pair(const std::string& key,
                                   std::vector<std::int64_t> fallback) const {
        const std::string v = text(key, "");
        if (v.empty()) return fallback;
        const auto comma = v.find(',');
        if (comma == std::string::npos) {
            const std::int64_t k = parse(v, key);
            return {k, k};
        }
        return {parse(v.substr(0, comma), key), parse(v.substr(comma + 1), key)};
    }

  private:
    std::int64_t parse(const std::string& v, const std::string& key) const {
        std::int64_t out = 0;
        const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
        if (v.empty() || ec != std::errc{} || p != v.data() + v.size()) bad(key, v);
        return out;
    }
    [[noreturn]] void bad(const std::string& key, const std::string& v) const {
        throw FormatError(fmt::format("{}: attribute '{}' = '{}' does not parse", where_, key, v));
    }

    const layer::LayerSpec& spec_;
    std::string where_;
};

std::vector<std::int64_t> extents(const Shape& s, std::size_t from) {
    return {s.begin() + static_cast<std::ptrdiff_t>(from), s.end()};
}

// The nodes of one layer, reading `x` (the previous layer's value); returns the layer's value.
template <typename T>
std::string export_layer(GraphWriter& g, std::size_t i, const layer::Layer<T>& l,
                         const std::string& x) {
    const layer::LayerSpec spec = l.spec();
    const std::string at = fmt::format("layers.{}", i);
    const std::string where =
        fmt::format("Model::export_onnx: layer {} ({}, type {})", i, l.name(), spec.type);
    const SpecReader a(spec, where);
    const auto weights = l.get_weights();
    const std::string& type = spec.type;
    if (type == "input" || type == "output") return x;
    if (type == "fullyconnected") {
        std::string in = x;
        if (l.input()->shape().size() > 2) {  // the layer flattens {n, c, h, w} itself
            in = g.node("Flatten", {x}, at + ".flatten");
            set_attribute(g.last_node(), "axis", std::int64_t{1});
        }
        std::vector<std::string> inputs{in, g.tensor(at + ".weight", weights.at(0)->output())};
        if (weights.size() > 1) inputs.push_back(g.tensor(at + ".bias", weights[1]->output()));
        return g.node("Gemm", inputs, at);
    }
    if (type == "activation") {
        const Activation act = activation_from_string(a.text("activation", ""));
        switch (act) {
            case Activation::linear:
                return g.node("Identity", {x}, at);
            case Activation::relu:
                return g.node("Relu", {x}, at);
            case Activation::tanh:
                return g.node("Tanh", {x}, at);
            case Activation::sigmoid:
                return g.node("Sigmoid", {x}, at);
            case Activation::leaky_relu: {
                const std::string out = g.node("LeakyRelu", {x}, at);
                set_attribute(g.last_node(), "alpha", 0.01f);  // layer::activation's slope
                return out;
            }
            case Activation::softmax:
            case Activation::log_softmax: {
                const std::string out =
                    g.node(act == Activation::softmax ? "Softmax" : "LogSoftmax", {x}, at);
                set_attribute(g.last_node(), "axis", std::int64_t{-1});
                return out;
            }
            case Activation::gelu: {
                const std::string scaled =
                    g.node("Mul", {x, g.constant(at + ".inv_sqrt2", 1.0 / std::sqrt(2.0))},
                           at + ".scaled");
                const std::string erf = g.node("Erf", {scaled}, at + ".erf");
                const std::string plus =
                    g.node("Add", {erf, g.constant(at + ".one", 1.0)}, at + ".one_plus_erf");
                const std::string cdf =
                    g.node("Mul", {plus, g.constant(at + ".half", 0.5)}, at + ".cdf");
                return g.node("Mul", {x, cdf}, at);
            }
        }
    }
    if (type == "dropout") return g.node("Identity", {x}, at);
    if (type == "flatten") {
        const std::string out = g.node("Flatten", {x}, at);
        set_attribute(g.last_node(), "axis", std::int64_t{1});
        return out;
    }
    if (type == "reshape") {
        std::vector<std::int64_t> shape = extents(l.out()->shape(), 0);
        shape[0] = 0;  // the input's batch extent, whatever it is
        return g.node("Reshape", {x, g.int64s(at + ".shape", shape)}, at);
    }
    if (type == "conv2d") {
        std::vector<std::string> inputs{x, g.tensor(at + ".weight", weights.at(0)->output())};
        if (weights.size() > 1) inputs.push_back(g.tensor(at + ".bias", weights[1]->output()));
        const std::string out = g.node("Conv", inputs, at);
        onnx::NodeProto& n = g.last_node();
        const auto padding = a.pair("padding", {0, 0});
        set_attribute(n, "kernel_shape", extents(weights[0]->shape(), 2));
        set_attribute(n, "strides", a.pair("stride", {1, 1}));
        set_attribute(n, "pads", std::vector{padding[0], padding[1], padding[0], padding[1]});
        set_attribute(n, "dilations", a.pair("dilation", {1, 1}));
        set_attribute(n, "group", a.integer("groups", 1));
        return out;
    }
    if (type == "pooling2d") {
        const std::string mode = a.text("mode", "max");
        if (mode != "max" && mode != "average") {
            throw UnsupportedError(
                fmt::format("{}: pooling mode '{}' has no ONNX form", where, mode));
        }
        const auto kernel = a.pair("kernel", {});
        const auto padding = a.pair("padding", {0, 0});
        const std::string out = g.node(mode == "max" ? "MaxPool" : "AveragePool", {x}, at);
        onnx::NodeProto& n = g.last_node();
        set_attribute(n, "kernel_shape", kernel);
        set_attribute(n, "strides", a.pair("stride", kernel));
        set_attribute(n, "pads", std::vector{padding[0], padding[1], padding[0], padding[1]});
        // our average divides by the whole window, padding included
        if (mode == "average") set_attribute(n, "count_include_pad", std::int64_t{1});
        return out;
    }
    if (type == "globalavgpool") {
        const std::string pooled = g.node("GlobalAveragePool", {x}, at + ".pool");
        const std::string out = g.node("Flatten", {pooled}, at);
        set_attribute(g.last_node(), "axis", std::int64_t{1});
        return out;
    }
    if (type == "batchnorm") {
        const auto state = l.get_state();
        const std::string out = g.node("BatchNormalization",
                                       {x, g.tensor(at + ".weight", weights.at(0)->output()),
                                        g.tensor(at + ".bias", weights.at(1)->output()),
                                        g.tensor(at + ".running_mean", state.at(0)->output()),
                                        g.tensor(at + ".running_var", state.at(1)->output())},
                                       at);
        set_attribute(g.last_node(), "epsilon", a.number("epsilon", 1e-5f));
        return out;
    }
    throw UnsupportedError(fmt::format(
        "{}: this layer type has no ONNX form in the exporter, which writes input, "
        "fullyconnected, activation, dropout, flatten, reshape, conv2d, pooling2d, globalavgpool, "
        "batchnorm and output layers; build the network from those, or keep it in safetensors "
        "(Model::save)",
        where));
}

}  // namespace

OpsetRange onnx_opsets() { return {kMinOpset, max_opset()}; }

template <typename T>
void Model<T>::export_onnx(const std::string& path, int opset) const {
    const OpsetRange range = onnx_opsets();
    if (opset < range.min || opset > range.max) {
        throw ValueError(fmt::format(
            "Model::export_onnx: '{}': opset {} is not one this build writes ({} to {}: the "
            "newest the linked ONNX library knows); choose one of them",
            path, opset, range.min, range.max));
    }
    const int elem = onnx_export::element_type<T>();
    onnx::ModelProto model;
    model.set_ir_version(onnx::IR_VERSION);
    model.set_producer_name("magmadnn");
    model.set_producer_version(MAGMADNN_VERSION);
    model.set_doc_string(
        "A magmadnn model: 'input' {batch, ...} -> 'output', the values Model::predict gives");
    onnx::OperatorSetIdProto& op_set = *model.add_opset_import();
    op_set.set_domain(onnx::ONNX_DOMAIN);
    op_set.set_version(opset);
    auto meta = [&](const std::string& key, const std::string& value) {
        onnx::StringStringEntryProto& e = *model.add_metadata_props();
        e.set_key(key);
        e.set_value(value);
    };
    meta("magmadnn.architecture", architecture_json());
    for (const auto& [key, value] : metadata_) meta(key, value);

    onnx::GraphProto& graph = *model.mutable_graph();
    graph.set_name("magmadnn");
    GraphWriter g(graph, elem);
    onnx_export::set_value_info(*graph.add_input(), "input", elem, "batch",
                                extents(data_->shape(), 1));
    std::string x = "input";
    for (std::size_t i = 0; i < layers_.size(); ++i) x = export_layer(g, i, *layers_[i], x);
    if (prediction_ != layers_.back()->out()) {  // predict() applies the softmax itself
        x = g.node("Softmax", {x}, "probabilities");
        set_attribute(g.last_node(), "axis", std::int64_t{-1});
    }
    if (!g.rename_output(x, "output")) g.node("Identity", {x}, "output");
    onnx_export::set_value_info(*graph.add_output(), "output", elem, "batch",
                                extents(prediction_->shape(), 1));

    try {
        // strict: a node whose inferred type or shape disagrees with the declared output throws
        onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(),
                                           onnx::ShapeInferenceOptions(true, 1));
        onnx::checker::check_model(model);
    } catch (const std::exception& e) {
        throw FormatError(fmt::format(
            "Model::export_onnx: '{}': the ONNX checker refused the graph written for this "
            "network ({}); nothing was written. This is an exporter bug: please report it with "
            "the architecture {}",
            path, e.what(), architecture_json()));
    }
    const std::size_t bytes = model.ByteSizeLong();
    if (bytes > static_cast<std::size_t>(INT_MAX)) {
        throw UnsupportedError(fmt::format(
            "Model::export_onnx: '{}': the model needs {} bytes, past protobuf's 2 GiB limit for "
            "one ONNX file; save it with Model::save (safetensors) instead",
            path, bytes));
    }
    std::string out;
    if (!model.SerializeToString(&out)) {
        throw FormatError(
            fmt::format("Model::export_onnx: '{}': protobuf could not serialize "
                        "the model",
                        path));
    }
    io::write_file_atomic(path, std::as_bytes(std::span(out.data(), out.size())));
}

template void Model<float>::export_onnx(const std::string&, int) const;
template void Model<double>::export_onnx(const std::string&, int) const;

}  // namespace magmadnn::model
