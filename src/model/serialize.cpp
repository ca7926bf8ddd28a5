// Architecture JSON, building a sequential model from it, and saving / loading models.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <iterator>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

#include "io/json_depth.h"
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
// The keys save() writes itself, which Model::set_metadata refuses.
constexpr const char* kReservedKeys[] = {kArchitectureKey, kOptimizerKey, kOptimizerStepsKey,
                                         kEpochsKey,       kPositionKey,  kRngKey};

bool is_reserved(const std::string& key) {
    return std::find(std::begin(kReservedKeys), std::end(kReservedKeys), key) !=
           std::end(kReservedKeys);
}

// "namespace.name": a dot with text on both sides.
bool is_metadata_key(const std::string& key) {
    const auto dot = key.find('.');
    return dot != std::string::npos && dot > 0 && dot + 1 < key.size();
}

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
    if (v.is_number_unsigned()) return std::to_string(v.get<unsigned long long>());
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

// Whether all of `text` is one number of type V: std::stoll and std::stof stop at the first
// character they cannot use, which read "1e+20" units as 1.
template <typename V>
bool parse_whole(std::string_view text, V& out) {
    const char* end = text.data() + text.size();
    const auto [p, ec] = std::from_chars(text.data(), end, out);
    return !text.empty() && ec == std::errc{} && p == end;
}

index_t to_int(const std::string& v, const char* key, const std::string& where) {
    index_t out = 0;
    if (!parse_whole(v, out)) {
        throw FormatError(fmt::format("{}: '{}' = '{}' is not an integer", where, key, v));
    }
    return out;
}

float to_float(const std::string& v, const char* key, const std::string& where) {
    float out = 0;
    if (!parse_whole(v, out)) {
        throw FormatError(fmt::format("{}: '{}' = '{}' is not a number", where, key, v));
    }
    return out;
}

// "5", "5,3", "[5,3]" or "[5]" -> {h, w}.
op::Pair parse_pair(std::string v, const char* key, const std::string& where) {
    std::erase_if(v, [](char c) { return c == '[' || c == ']' || c == ' '; });
    const auto comma = v.find(',');
    index_t h = 0, w = 0;
    const bool ok = comma == std::string::npos
                        ? parse_whole(v, h) && parse_whole(v, w)
                        : parse_whole(std::string_view(v).substr(0, comma), h) &&
                              parse_whole(std::string_view(v).substr(comma + 1), w);
    if (!ok) {
        throw FormatError(
            fmt::format("{}: '{}' = '{}' is not an integer or a pair [h, w]", where, key, v));
    }
    return {h, w};
}

// "1,28,28", "[1, 28, 28]" or "784" -> {1, 28, 28}: a reshape layer's extents (-1: inferred).
Shape parse_extents(std::string v, const char* key, const std::string& where) {
    std::erase_if(v, [](char c) { return c == '[' || c == ']' || c == ' '; });
    Shape out;
    std::string_view rest(v);
    while (true) {
        const auto comma = rest.find(',');
        index_t e = 0;
        if (!parse_whole(rest.substr(0, comma), e) || (e <= 0 && e != -1)) {
            throw FormatError(
                fmt::format("{}: '{}' = '{}' is not a list of positive extents (one may be -1)",
                            where, key, v));
        }
        out.push_back(e);
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
    }
    return out;
}

// The architecture as a JSON object; FormatError for anything else.
json parse_architecture(const std::string& text, const std::string& where) {
    json arch;
    try {
        arch = json::parse(text, [&](int depth, json::parse_event_t event, json&) {
            if (event == json::parse_event_t::object_start ||
                event == json::parse_event_t::array_start) {
                io::detail::check_json_depth(depth, where + ": the architecture");
            }
            return true;
        });
    } catch (const json::exception& e) {
        throw FormatError(
            fmt::format("{}: the architecture is not valid JSON: {}", where, e.what()));
    }
    if (!arch.is_object()) {
        throw FormatError(fmt::format("{}: the architecture is a JSON {}, expected an object",
                                      where, arch.type_name()));
    }
    return arch;
}

// An optional field of the architecture that must have type `Want` when present.
template <typename Want>
Want optional_field(const json& arch, const char* key, Want fallback, const std::string& where) {
    const auto it = arch.find(key);
    if (it == arch.end()) return fallback;
    const bool ok = std::is_same_v<Want, std::string> ? it->is_string() : it->is_number_integer();
    if (!ok) {
        throw FormatError(fmt::format(
            "{}: the architecture's '{}' is {}, expected {}", where, key, it->dump().substr(0, 80),
            std::is_same_v<Want, std::string> ? "a string" : "an integer"));
    }
    return it->get<Want>();
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
    const json arch = parse_architecture(architecture_json, where);
    if (batch_size <= 0) {
        throw ValueError(fmt::format("{}: batch size must be positive, got {}", where, batch_size));
    }
    Shape shape{batch_size};
    const json& input_shape = require(arch, "input_shape", where);
    if (!input_shape.is_array()) {
        throw FormatError(fmt::format("{}: input_shape is {}, expected an array of extents", where,
                                      input_shape.dump().substr(0, 80)));
    }
    for (const auto& d : input_shape) {
        if (!d.is_number_integer() || d.get<long long>() <= 0) {
            throw FormatError(fmt::format("{}: input_shape must hold positive integers, got {}",
                                          where, input_shape.dump().substr(0, 80)));
        }
        shape.push_back(d.get<index_t>());
    }
    const Loss loss = loss_from_name(
        optional_field<std::string>(arch, "loss", "softmax_crossentropy", where), where);
    const json& layer_list = require(arch, "layers", where);
    if (!layer_list.is_array()) {
        throw FormatError(fmt::format("{}: layers is {}, expected an array of layers", where,
                                      layer_list.dump().substr(0, 80)));
    }
    auto data = op::var<T>("data", shape, {NONE, {}}, memory);
    std::vector<layer::LayerPtr<T>> layers{layer::input(data)};
    bool has_output = false;
    std::size_t index = 0;
    for (const auto& l : layer_list) {
        ++index;
        const std::string type =
            json_to_attr(require(l, "type", fmt::format("{} (layer {})", where, index)));
        const std::string at = fmt::format("{} (layer {}, {})", where, index, type);
        auto attr = [&](const char* key) { return json_to_attr(require(l, key, at)); };
        auto int_attr = [&](const char* key) { return to_int(attr(key), key, at); };
        auto float_attr = [&](const char* key) { return to_float(attr(key), key, at); };
        auto pair_attr = [&](const char* key) { return parse_pair(attr(key), key, at); };
        const op::OpPtr<T> prev = layers.back()->out();
        if (type == "fullyconnected") {
            const bool bias = !l.contains("bias") || attr("bias") == "true";
            layers.push_back(layer::fullyconnected(prev, int_attr("units"), bias));
        } else if (type == "activation") {
            layers.push_back(
                layer::activation(prev, layer::activation_from_string(attr("activation"))));
        } else if (type == "dropout") {
            layers.push_back(layer::dropout(prev, float_attr("rate")));
        } else if (type == "flatten") {
            layers.push_back(layer::flatten(prev));
        } else if (type == "reshape") {
            layers.push_back(layer::reshape(prev, parse_extents(attr("shape"), "shape", at)));
        } else if (type == "conv2d") {
            auto opt = [&](const char* key, op::Pair def) {
                return l.contains(key) ? pair_attr(key) : def;
            };
            const bool bias = !l.contains("bias") || attr("bias") == "true";
            const index_t groups = l.contains("groups") ? int_attr("groups") : 1;
            const conv::Algo algo =
                l.contains("algo") ? conv::algo_from_string(attr("algo")) : conv::Algo::automatic;
            layers.push_back(layer::conv2d(prev, int_attr("out_channels"), pair_attr("kernel"),
                                           opt("stride", {1, 1}), opt("padding", {0, 0}),
                                           opt("dilation", {1, 1}), groups, bias, algo));
        } else if (type == "pooling2d") {
            const op::Pair kernel = pair_attr("kernel");
            const op::Pair stride = l.contains("stride") ? pair_attr("stride") : kernel;
            const op::Pair padding = l.contains("padding") ? pair_attr("padding") : op::Pair{0, 0};
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
                layer::batchnorm(prev, l.contains("momentum") ? float_attr("momentum") : 0.1f,
                                 l.contains("epsilon") ? float_attr("epsilon") : 1e-5f));
        } else if (type == "output") {
            layers.push_back(layer::output(prev));
            has_output = true;
        } else {
            throw FormatError(fmt::format(
                "{}: layer {} has unknown type '{}'; expected fullyconnected, activation, "
                "dropout, flatten, reshape, conv2d, pooling2d, globalavgpool, batchnorm or output",
                where, index, type));
        }
    }
    if (!has_output) layers.push_back(layer::output(layers.back()->out()));
    return Model<T>(std::move(layers), optimizer, batch_size, loss);
}

template <typename T>
void Model<T>::set_metadata(const std::string& key, std::string value) {
    if (!is_metadata_key(key)) {
        throw ValueError(
            fmt::format("Model::set_metadata: key '{}' is not of the form namespace.name; use e.g. "
                        "'user.{}'",
                        key, key.empty() ? "note" : key));
    }
    if (is_reserved(key)) {
        throw ValueError(fmt::format(
            "Model::set_metadata: '{}' is written by Model::save itself; choose another key", key));
    }
    metadata_[key] = std::move(value);
}

template <typename T>
void Model<T>::save(const std::string& path) const {
    io::SafetensorsWriter writer;
    for (const auto& [key, value] : metadata_) writer.set_metadata(key, value);
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
    const std::string where = fmt::format("Model::load: '{}'", path);
    const json arch = parse_architecture(it->second, where);
    const std::string format = optional_field<std::string>(arch, "format", "", where);
    if (format != kFormat) {
        throw FormatError(
            fmt::format("{} holds format '{}', expected '{}'", where, format, kFormat));
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
    const index_t batch =
        batch_size > 0 ? batch_size : optional_field<index_t>(arch, "batch_size", 1, where);
    Model<T> model = sequential<T>(it->second, batch, cfg, memory);
    for (const auto& [key, value] : meta) {
        if (is_metadata_key(key) && !is_reserved(key)) model.metadata_[key] = value;
    }
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
template void Model<float>::set_metadata(const std::string&, std::string);
template void Model<double>::set_metadata(const std::string&, std::string);
template void Model<float>::save(const std::string&) const;
template void Model<double>::save(const std::string&) const;
template Model<float> Model<float>::load(const std::string&, index_t, memory_t,
                                         const std::optional<optimizer::Config>&);
template Model<double> Model<double>::load(const std::string&, index_t, memory_t,
                                           const std::optional<optimizer::Config>&);

}  // namespace magmadnn::model
