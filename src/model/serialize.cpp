// Architecture JSON, building a sequential model from it, and saving / loading models.
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <optional>

#include "magmadnn/core/error.h"
#include "magmadnn/io/safetensors.h"
#include "magmadnn/model/model.h"

namespace magmadnn::model {

using nlohmann::json;

namespace {

constexpr const char* kFormat = "magmadnn.sequential";
constexpr const char* kArchitectureKey = "magmadnn.architecture";
constexpr const char* kOptimizerKey = "magmadnn.optimizer";
// The optimizer's step count; its buffers are the tensors optimizer.<i>.s1 / .s2 (i: the
// parameter's index in Model order).
constexpr const char* kOptimizerStepsKey = "magmadnn.optimizer_steps";
// Model::epochs_trained(), from which a resumed fit continues, and the whole position
// (TrainingPosition as JSON) with the random streams of the nodes that draw
// ({"<index in the loss graph's order>": [state...]}).
constexpr const char* kEpochsKey = "magmadnn.epochs_trained";
constexpr const char* kPositionKey = "magmadnn.position";
constexpr const char* kRngKey = "magmadnn.rng_state";

std::string state_name(std::size_t i, const char* which) {
    return fmt::format("optimizer.{}.{}", i, which);
}

// Attribute strings become JSON numbers or booleans where they are ones, and back.
json attr_to_json(const std::string& v) {
    if (v == "true") return true;
    if (v == "false") return false;
    try {
        std::size_t used = 0;
        const double d = std::stod(v, &used);
        if (used == v.size()) {
            if (d == std::floor(d) && std::abs(d) < 9e15) return static_cast<long long>(d);
            return d;
        }
    } catch (const std::exception&) {
    }
    return v;
}

std::string json_to_attr(const json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
    if (v.is_number_integer()) return std::to_string(v.get<long long>());
    if (v.is_number()) return fmt::format("{}", v.get<double>());
    return v.dump();
}

template <typename T>
std::string dtype_name() {
    return std::is_same_v<T, float> ? "f32" : "f64";
}

std::string loss_name(Loss l) { return l == Loss::mse ? "mse" : "softmax_crossentropy"; }

Loss loss_from_name(const std::string& s, const std::string& where) {
    if (s == "mse") return Loss::mse;
    if (s == "softmax_crossentropy" || s == "crossentropy") return Loss::softmax_crossentropy;
    throw ValueError(
        fmt::format("{}: unknown loss '{}'; expected softmax_crossentropy or mse", where, s));
}

const json& require(const json& j, const char* key, const std::string& where) {
    if (!j.is_object() || !j.contains(key)) {
        throw FormatError(fmt::format("{}: the architecture has no '{}' field", where, key));
    }
    return j.at(key);
}

std::string weight_name(std::size_t layer, std::size_t k, std::size_t count) {
    return fmt::format("layers.{}.{}", layer,
                       count == 2 && k == 1 ? "bias" : (k == 0 ? "weight" : fmt::format("w{}", k)));
}

// "5", "5,3", "[5,3]" or "[5]" -> {h, w}.
op::Pair parse_pair(std::string v, const char* key, const std::string& where, std::size_t index) {
    std::erase_if(v, [](char c) { return c == '[' || c == ']' || c == ' '; });
    try {
        const auto comma = v.find(',');
        if (comma == std::string::npos) {
            const index_t a = std::stoll(v);
            return {a, a};
        }
        return {std::stoll(v.substr(0, comma)), std::stoll(v.substr(comma + 1))};
    } catch (const std::exception&) {
        throw FormatError(
            fmt::format("{}: layer {}: '{}' = '{}' is not an integer or a pair "
                        "[h, w]",
                        where, index, key, v));
    }
}

}  // namespace

template <typename T>
std::string Model<T>::architecture_json() const {
    json layers = json::array();
    json input_shape = json::array();
    const Shape& ds = data_->shape();
    for (std::size_t i = 1; i < ds.size(); ++i) input_shape.push_back(ds[i]);
    for (std::size_t i = 1; i < layers_.size(); ++i) {
        const layer::LayerSpec spec = layers_[i]->spec();
        json l = {{"type", spec.type}};
        for (const auto& [k, v] : spec.attrs) l[k] = attr_to_json(v);
        layers.push_back(l);
    }
    const json j = {{"format", kFormat},
                    {"version", 1},
                    {"dtype", dtype_name<T>()},
                    {"batch_size", batch_size_},
                    {"loss", loss_name(loss_kind_)},
                    {"input_shape", input_shape},
                    {"layers", layers}};
    return j.dump();
}

template <typename T>
Model<T> sequential(const std::string& architecture_json, index_t batch_size,
                    const optimizer::Config& optimizer, memory_t memory) {
    const std::string where = "model::sequential";
    json arch;
    try {
        arch = json::parse(architecture_json);
    } catch (const json::exception& e) {
        throw FormatError(
            fmt::format("{}: the architecture is not valid JSON: {}", where, e.what()));
    }
    if (batch_size <= 0) {
        throw ValueError(fmt::format("{}: batch size must be positive, got {}", where, batch_size));
    }
    Shape shape{batch_size};
    for (const auto& d : require(arch, "input_shape", where)) {
        if (!d.is_number_integer() || d.get<long long>() <= 0) {
            throw FormatError(fmt::format("{}: input_shape must hold positive integers, got {}",
                                          where, arch["input_shape"].dump()));
        }
        shape.push_back(d.get<index_t>());
    }
    const Loss loss = loss_from_name(arch.value("loss", "softmax_crossentropy"), where);
    auto data = op::var<T>("data", shape, {NONE, {}}, memory);
    std::vector<layer::LayerPtr<T>> layers{layer::input(data)};
    bool has_output = false;
    std::size_t index = 0;
    for (const auto& l : require(arch, "layers", where)) {
        ++index;
        const std::string type = json_to_attr(require(l, "type", where));
        auto attr = [&](const char* key) {
            return json_to_attr(
                require(l, key, fmt::format("{} (layer {}, {})", where, index, type)));
        };
        const op::OpPtr<T> prev = layers.back()->out();
        if (type == "fullyconnected") {
            const bool bias = !l.contains("bias") || attr("bias") == "true";
            layers.push_back(layer::fullyconnected(prev, std::stoll(attr("units")), bias));
        } else if (type == "activation") {
            layers.push_back(
                layer::activation(prev, layer::activation_from_string(attr("activation"))));
        } else if (type == "dropout") {
            layers.push_back(layer::dropout(prev, std::stof(attr("rate"))));
        } else if (type == "flatten") {
            layers.push_back(layer::flatten(prev));
        } else if (type == "conv2d") {
            auto opt = [&](const char* key, op::Pair def) {
                return l.contains(key) ? parse_pair(json_to_attr(l.at(key)), key, where, index)
                                       : def;
            };
            const bool bias = !l.contains("bias") || attr("bias") == "true";
            const index_t groups = l.contains("groups") ? std::stoll(attr("groups")) : 1;
            const conv::Algo algo =
                l.contains("algo") ? conv::algo_from_string(attr("algo")) : conv::Algo::automatic;
            layers.push_back(layer::conv2d(prev, std::stoll(attr("out_channels")),
                                           parse_pair(attr("kernel"), "kernel", where, index),
                                           opt("stride", {1, 1}), opt("padding", {0, 0}),
                                           opt("dilation", {1, 1}), groups, bias, algo));
        } else if (type == "pooling2d") {
            const op::Pair kernel = parse_pair(attr("kernel"), "kernel", where, index);
            const op::Pair stride =
                l.contains("stride") ? parse_pair(attr("stride"), "stride", where, index) : kernel;
            const op::Pair padding = l.contains("padding")
                                         ? parse_pair(attr("padding"), "padding", where, index)
                                         : op::Pair{0, 0};
            const std::string mode = l.contains("mode") ? attr("mode") : "max";
            if (mode != "max" && mode != "average") {
                throw FormatError(
                    fmt::format("{}: layer {} (pooling2d) has mode '{}'; expected max or average",
                                where, index, mode));
            }
            layers.push_back(layer::pooling2d(
                prev, kernel, stride, mode == "max" ? layer::MAX : layer::AVERAGE, padding));
        } else if (type == "globalavgpool") {
            layers.push_back(layer::globalavgpool(prev));
        } else if (type == "batchnorm") {
            layers.push_back(
                layer::batchnorm(prev, l.contains("momentum") ? std::stof(attr("momentum")) : 0.1f,
                                 l.contains("epsilon") ? std::stof(attr("epsilon")) : 1e-5f));
        } else if (type == "output") {
            layers.push_back(layer::output(prev));
            has_output = true;
        } else {
            throw FormatError(fmt::format(
                "{}: layer {} has unknown type '{}'; expected fullyconnected, activation, "
                "dropout, flatten, conv2d, pooling2d, globalavgpool, batchnorm or output",
                where, index, type));
        }
    }
    if (!has_output) layers.push_back(layer::output(layers.back()->out()));
    return Model<T>(std::move(layers), optimizer, batch_size, loss);
}

template <typename T>
void Model<T>::save(const std::string& path) const {
    io::SafetensorsWriter writer;
    for (std::size_t i = 0; i < layers_.size(); ++i) {
        const auto w = layers_[i]->get_weights();
        for (std::size_t k = 0; k < w.size(); ++k)
            writer.add(weight_name(i, k, w.size()), w[k]->output());
        for (const auto& st : layers_[i]->get_state())
            writer.add(fmt::format("layers.{}.{}", i, st->name()), st->output());
    }
    writer.set_metadata(kArchitectureKey, architecture_json());
    const auto cfg = optimizer_->config().to_map();
    writer.set_metadata(kOptimizerKey, json(cfg).dump());
    writer.set_metadata(kEpochsKey, std::to_string(position_.epoch));
    const TrainingPosition& p = position_;
    writer.set_metadata(kPositionKey, json{{"epoch", p.epoch},
                                           {"step", p.step},
                                           {"rows", p.rows},
                                           {"loss_sum", p.loss_sum},
                                           {"correct", p.correct},
                                           {"seconds", p.seconds}}
                                          .dump());
    json rng = json::object();
    const auto& order = loss_->order();
    for (std::size_t i = 0; i < order.size(); ++i) {
        if (auto state = order[i]->rng_state(); !state.empty()) rng[std::to_string(i)] = state;
    }
    if (!rng.empty()) writer.set_metadata(kRngKey, rng.dump());
    // the optimizer's state, so that training continues where it stopped
    const auto state = optimizer_->state();
    if (state.steps > 0) {
        writer.set_metadata(kOptimizerStepsKey, std::to_string(state.steps));
        for (std::size_t i = 0; i < state.s1.size(); ++i) {
            if (!state.s1[i].empty()) writer.add(state_name(i, "s1"), state.s1[i]);
            if (!state.s2[i].empty()) writer.add(state_name(i, "s2"), state.s2[i]);
        }
    }
    writer.write(path);
}

template <typename T>
Model<T> Model<T>::load(const std::string& path, index_t batch_size, memory_t memory,
                        const std::optional<optimizer::Config>& optimizer) {
    const io::SafetensorsFile file(path);
    const auto& meta = file.metadata();
    auto it = meta.find(kArchitectureKey);
    if (it == meta.end()) {
        throw FormatError(
            fmt::format("Model::load: '{}' is a safetensors file without a magmadnn "
                        "architecture (metadata key '{}'); it was not saved by "
                        "Model::save",
                        path, kArchitectureKey));
    }
    json arch;
    try {
        arch = json::parse(it->second);
    } catch (const json::exception& e) {
        throw FormatError(
            fmt::format("Model::load: '{}': the architecture metadata is not valid "
                        "JSON: {}",
                        path, e.what()));
    }
    if (arch.value("format", "") != kFormat) {
        throw FormatError(fmt::format("Model::load: '{}' holds format '{}', expected '{}'", path,
                                      arch.value("format", ""), kFormat));
    }
    optimizer::Config cfg;
    std::optional<optimizer::Config> saved_cfg;
    if (auto o = meta.find(kOptimizerKey); o != meta.end()) {
        try {
            cfg = optimizer::Config::from_map(
                json::parse(o->second).get<std::map<std::string, std::string>>());
            saved_cfg = cfg;
        } catch (const json::exception& e) {
            throw FormatError(
                fmt::format("Model::load: '{}': bad optimizer metadata: {}", path, e.what()));
        }
    }
    if (optimizer) cfg = *optimizer;
    const index_t batch = batch_size > 0 ? batch_size : arch.value("batch_size", index_t(1));
    Model<T> model = sequential<T>(it->second, batch, cfg, memory);
    if (auto e = meta.find(kEpochsKey); e != meta.end()) {
        std::size_t used = 0;
        int epochs = -1;
        try {
            epochs = std::stoi(e->second, &used);
        } catch (const std::exception&) {
        }
        if (epochs < 0 || used != e->second.size()) {
            throw FormatError(
                fmt::format("Model::load: '{}': bad {} metadata '{}' (expected a "
                            "count of epochs >= 0)",
                            path, kEpochsKey, e->second));
        }
        model.position_ = TrainingPosition{epochs};
    }
    if (auto pos = meta.find(kPositionKey); pos != meta.end()) {
        try {
            const json j = json::parse(pos->second);
            TrainingPosition p;
            p.epoch = j.at("epoch").get<int>();
            p.step = j.at("step").get<index_t>();
            p.rows = j.at("rows").get<index_t>();
            p.loss_sum = j.at("loss_sum").get<double>();
            p.correct = j.at("correct").get<index_t>();
            p.seconds = j.at("seconds").get<double>();
            if (p.epoch < 0 || p.step < 0 || p.rows < 0 || p.correct < 0 || p.correct > p.rows ||
                (p.step == 0) != (p.rows == 0)) {
                throw FormatError("values out of range");
            }
            model.position_ = p;
        } catch (const std::exception& e) {
            throw FormatError(fmt::format("Model::load: '{}': bad {} metadata '{}': {}", path,
                                          kPositionKey, pos->second, e.what()));
        }
    }
    if (auto rng = meta.find(kRngKey); rng != meta.end()) {
        const auto& order = model.loss_->order();
        try {
            const json streams = json::parse(rng->second);
            for (const auto& [index, state] : streams.items()) {
                const std::size_t i = std::stoul(index);
                if (i >= order.size()) throw FormatError(fmt::format("no node {}", i));
                order[i]->set_rng_state(state.template get<std::vector<std::uint64_t>>());
            }
        } catch (const std::exception& e) {
            throw FormatError(fmt::format(
                "Model::load: '{}': bad {} metadata (the random streams of the network's "
                "dropout nodes) '{}': {}",
                path, kRngKey, rng->second, e.what()));
        }
    }
    for (std::size_t i = 0; i < model.layers_.size(); ++i) {
        const auto w = model.layers_[i]->get_weights();
        for (std::size_t k = 0; k < w.size(); ++k) {
            const std::string name = weight_name(i, k, w.size());
            if (!file.contains(name)) {
                throw FormatError(
                    fmt::format("Model::load: '{}' lacks tensor '{}' that its "
                                "architecture needs",
                                path, name));
            }
            if (file.shape(name) != w[k]->shape()) {
                throw FormatError(
                    fmt::format("Model::load: '{}': tensor '{}' has shape {}, the "
                                "architecture needs {}",
                                path, name, to_string(file.shape(name)), to_string(w[k]->shape())));
            }
            Tensor<T> dst = w[k]->output();
            dst.copy_from(file.get_as<T>(name, HOST));
        }
        for (const auto& st : model.layers_[i]->get_state()) {
            const std::string name = fmt::format("layers.{}.{}", i, st->name());
            if (!file.contains(name) || file.shape(name) != st->shape()) {
                throw FormatError(fmt::format(
                    "Model::load: '{}' lacks tensor '{}' of shape {} (the layer's state, such as "
                    "batchnorm running statistics)",
                    path, name, to_string(st->shape())));
            }
            Tensor<T> dst = st->output();
            dst.copy_from(file.get_as<T>(name, HOST));
        }
    }
    // The optimizer's state, when the file has one and the optimizer is the one that wrote it
    // (another optimizer, or the same with other settings, starts afresh).
    const auto steps = meta.find(kOptimizerStepsKey);
    if (steps != meta.end() && saved_cfg && saved_cfg->to_map() == cfg.to_map()) {
        typename optimizer::Optimizer<T>::State state;
        try {
            state.steps = std::stoll(steps->second);
        } catch (const std::exception&) {
            throw FormatError(fmt::format("Model::load: '{}': bad {} metadata '{}'", path,
                                          kOptimizerStepsKey, steps->second));
        }
        std::vector<Shape> shapes;
        for (std::size_t i = 0; i < model.params_.size(); ++i) {
            shapes.push_back(model.params_[i].shape());
            for (auto [which, list] : {std::pair{"s1", &state.s1}, std::pair{"s2", &state.s2}}) {
                const std::string name = state_name(i, which);
                list->push_back(file.contains(name) ? file.get_as<T>(name, HOST) : Tensor<T>());
            }
        }
        try {
            model.optimizer_->set_state(state, shapes, memory);
        } catch (const Error& e) {
            throw FormatError(fmt::format("Model::load: '{}': {}", path, e.what()));
        }
    }
    return model;
}

template Model<float> sequential<float>(const std::string&, index_t, const optimizer::Config&,
                                        memory_t);
template Model<double> sequential<double>(const std::string&, index_t, const optimizer::Config&,
                                          memory_t);
template std::string Model<float>::architecture_json() const;
template std::string Model<double>::architecture_json() const;
template void Model<float>::save(const std::string&) const;
template void Model<double>::save(const std::string&) const;
template Model<float> Model<float>::load(const std::string&, index_t, memory_t,
                                         const std::optional<optimizer::Config>&);
template Model<double> Model<double>::load(const std::string&, index_t, memory_t,
                                           const std::optional<optimizer::Config>&);

}  // namespace magmadnn::model
