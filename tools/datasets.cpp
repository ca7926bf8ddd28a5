#include "datasets.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace magmadnn::cli {

namespace {
bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

const char* policy_name(data::Missing m) {
    switch (m) {
        case data::Missing::drop:
            return "dropped their rows";
        case data::Missing::zero:
            return "filled in 0";
        case data::Missing::mean:
            return "filled in the column means";
        case data::Missing::error:
            break;
    }
    return "";
}
}  // namespace

TrainTest load_data(const DataOptions& o, const data::LabelMap* labels) {
    const std::string source = fmt::format("'{}'", o.source);
    if (!ends_with(o.source, ".csv")) {
        TrainTest out{data::load_mnist_like<float>(o.source, data::Split::train),
                      data::load_mnist_like<float>(o.source, data::Split::test),
                      {},
                      {}};
        out.classes = labels ? *labels : data::LabelMap::identity(out.train.num_classes);
        if (labels) {
            labels->apply(out.train.labels, source + " (train)");
            labels->apply(out.test.labels, source + " (test)");
            out.train.num_classes = out.test.num_classes = labels->num_classes();
        }
        return out;
    }
    data::CsvOptions csv;
    csv.header = o.csv_header;
    csv.label_column = o.label_column;
    csv.missing = o.missing;
    auto table = data::read_csv<float>(o.source, csv);
    if (table.missing_values > 0) {  // said once on stderr, so a filled-in run is never silent
        fmt::print(stderr, "magmadnn: '{}': {} missing value{}: {} ({} rows dropped)\n", o.source,
                   table.missing_values, table.missing_values == 1 ? "" : "s",
                   policy_name(o.missing), table.rows_dropped);
    }
    if (o.scale != 1.0) data::scale(table.features, static_cast<float>(o.scale));
    const data::LabelMap classes =
        labels ? *labels : data::LabelMap::from_labels(table.labels.to_vector());
    if (!labels && !classes.is_identity()) {
        fmt::print(stderr,
                   "magmadnn: '{}': labels {} mapped to classes 0..{} (saved with the model; "
                   "predict writes the original labels)\n",
                   o.source, classes.to_string(), classes.num_classes() - 1);
    }
    classes.apply(table.labels, source, table.lines);
    data::Dataset<float> all{table.features, table.labels, classes.num_classes()};
    // the classes keep the labels' order, so the stratified split is the one of the labels
    const auto mapped = table.labels.to_vector();
    const data::SplitIndices split =
        data::split_indices(mapped, o.test_fraction, o.seed, o.stratify);
    if (split.train.empty() || split.test.empty()) {
        throw ValueError(fmt::format(
            "{}: {} rows with --test-fraction {} leave {} train and {} test rows; choose a "
            "fraction that leaves both non-empty",
            o.source, mapped.size(), o.test_fraction, split.train.size(), split.test.size()));
    }
    TrainTest out{data::subset(all, split.train), data::subset(all, split.test), {}, classes};
    for (const index_t row : split.test) out.test_lines.push_back(table.lines[std::size_t(row)]);
    return out;
}

DataTransform data_transform(const model::Model<float>& model, const std::string& path) {
    DataTransform t;
    const auto& meta = model.metadata();
    const std::string where = fmt::format("'{}'", path);
    if (auto it = meta.find(data::LabelMap::metadata_key); it != meta.end()) {
        t.labels = data::LabelMap::from_json(it->second, where);
        const auto outputs = model.layers().back()->out()->shape()[1];
        if (t.labels->num_classes() != outputs) {
            throw FormatError(
                fmt::format("{}: the model has {} outputs but {} label values {} ({}); the file is "
                            "inconsistent: train and save it again",
                            where, outputs, t.labels->num_classes(), t.labels->to_string(),
                            data::LabelMap::metadata_key));
        }
    }
    if (auto it = meta.find(data::Standardizer<float>::metadata_key); it != meta.end()) {
        t.standardizer = data::Standardizer<float>::from_json(it->second, where);
    }
    return t;
}

void set_data_transform(model::Model<float>& model, const DataTransform& t) {
    if (t.labels && !t.labels->is_identity()) {
        model.set_metadata(data::LabelMap::metadata_key, t.labels->to_json());
    }
    if (t.standardizer) {
        model.set_metadata(data::Standardizer<float>::metadata_key, t.standardizer->to_json());
    }
}

void standardize(TrainTest& d, const data::Standardizer<float>& s, const std::string& model_path,
                 const std::string& data) {
    for (Tensor<float>* x : {&d.train.x, &d.test.x}) {
        const index_t features = x->ndim() == 2 ? x->shape(1) : -1;
        if (features != s.features()) {
            throw ValueError(fmt::format(
                "'{}' has {} features per row, but the model '{}' was standardized on {}; give "
                "the data the model was trained on",
                data, features, model_path, s.features()));
        }
        s.apply(*x);
    }
}

TrainTest load_data_for(const model::Model<float>& model, const std::string& model_path,
                        const DataOptions& options) {
    const DataTransform t = data_transform(model, model_path);
    const data::LabelMap classes =
        t.labels
            ? *t.labels
            : data::LabelMap::identity(static_cast<int>(model.layers().back()->out()->shape()[1]));
    TrainTest d = load_data(options, &classes);
    if (t.standardizer) standardize(d, *t.standardizer, model_path, options.source);
    return d;
}

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw IOError(fmt::format("cannot open the architecture file '{}'", path));
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string mlp_architecture(index_t features, int classes, const MlpShape& shape) {
    if (shape.hidden < 1) throw ValueError(fmt::format("--hidden {}: expected >= 1", shape.hidden));
    if (shape.layers < 1) throw ValueError(fmt::format("--layers {}: expected >= 1", shape.layers));
    if (!(shape.dropout >= 0 && shape.dropout < 1)) {
        throw ValueError(fmt::format("--dropout {}: expected a rate in [0, 1)", shape.dropout));
    }
    nlohmann::json layers = nlohmann::json::array();
    for (int i = 0; i < shape.layers; ++i) {
        layers.push_back({{"type", "fullyconnected"}, {"units", shape.hidden}});
        layers.push_back({{"type", "activation"}, {"activation", "relu"}});
        if (shape.dropout > 0) layers.push_back({{"type", "dropout"}, {"rate", shape.dropout}});
    }
    layers.push_back({{"type", "fullyconnected"}, {"units", classes}});
    layers.push_back({{"type", "output"}});
    const nlohmann::json j = {
        {"input_shape", {features}}, {"loss", "softmax_crossentropy"}, {"layers", layers}};
    return j.dump();
}

namespace {
nlohmann::json conv(int out, int kernel, int padding) {
    return {{"type", "conv2d"}, {"out_channels", out}, {"kernel", kernel}, {"padding", padding}};
}
nlohmann::json relu() { return {{"type", "activation"}, {"activation", "relu"}}; }
nlohmann::json maxpool() { return {{"type", "pooling2d"}, {"kernel", 2}, {"mode", "max"}}; }
nlohmann::json fc(int units) { return {{"type", "fullyconnected"}, {"units", units}}; }
}  // namespace

std::string lenet5_architecture(int classes) {
    const nlohmann::json j = {{"input_shape", {1, 28, 28}},
                              {"loss", "softmax_crossentropy"},
                              {"layers",
                               {conv(6, 5, 2),
                                relu(),
                                maxpool(),
                                conv(16, 5, 0),
                                relu(),
                                maxpool(),
                                fc(120),
                                relu(),
                                fc(84),
                                relu(),
                                fc(classes),
                                {{"type", "output"}}}}};
    return j.dump();
}

std::string vgg_small_architecture(int classes) {
    const nlohmann::json bn = {{"type", "batchnorm"}};
    const nlohmann::json j = {{"input_shape", {1, 28, 28}},
                              {"loss", "softmax_crossentropy"},
                              {"layers",
                               {conv(32, 3, 1),
                                bn,
                                relu(),
                                conv(32, 3, 1),
                                bn,
                                relu(),
                                maxpool(),
                                conv(64, 3, 1),
                                bn,
                                relu(),
                                conv(64, 3, 1),
                                bn,
                                relu(),
                                maxpool(),
                                {{"type", "globalavgpool"}},
                                fc(classes),
                                {{"type", "output"}}}}};
    return j.dump();
}

Tensor<float> as_model_input(const Tensor<float>& x, const Shape& model_input) {
    if (x.ndim() != 2 || model_input.size() <= 2) return x;
    const index_t per_row = numel(model_input) / model_input[0];
    if (x.shape(1) != per_row) return x;
    Shape s = model_input;
    s[0] = x.shape(0);
    return x.reshape(s);
}

}  // namespace magmadnn::cli
