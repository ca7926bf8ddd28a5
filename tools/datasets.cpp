#include "datasets.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

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

TrainTest load_data(const DataOptions& o) {
    if (!ends_with(o.source, ".csv")) {
        return {data::load_mnist_like<float>(o.source, data::Split::train),
                data::load_mnist_like<float>(o.source, data::Split::test),
                {}};
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
    data::Dataset<float> all{table.features, table.labels, 0};
    const auto labels = table.labels.to_vector();
    for (std::size_t i = 0; i < labels.size(); ++i) {
        if (labels[i] < 0) {
            throw FormatError(
                fmt::format("{}: label {} (data row {}) is negative; labels must be class "
                            "indices 0, 1, ...",
                            o.source, labels[i], i + 1));
        }
        all.num_classes = std::max(all.num_classes, labels[i] + 1);
    }
    const data::SplitIndices split =
        data::split_indices(labels, o.test_fraction, o.seed, o.stratify);
    if (split.train.empty() || split.test.empty()) {
        throw ValueError(fmt::format(
            "{}: {} rows with --test-fraction {} leave {} train and {} test rows; choose a "
            "fraction that leaves both non-empty",
            o.source, labels.size(), o.test_fraction, split.train.size(), split.test.size()));
    }
    TrainTest out{data::subset(all, split.train), data::subset(all, split.test), {}};
    for (const index_t row : split.test) out.test_lines.push_back(table.lines[std::size_t(row)]);
    return out;
}

std::string mlp_architecture(index_t features, int classes) {
    const nlohmann::json j = {{"input_shape", {features}},
                              {"loss", "softmax_crossentropy"},
                              {"layers",
                               {{{"type", "fullyconnected"}, {"units", 528}},
                                {{"type", "activation"}, {"activation", "relu"}},
                                {{"type", "fullyconnected"}, {"units", classes}},
                                {{"type", "output"}}}}};
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
