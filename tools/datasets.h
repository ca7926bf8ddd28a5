#pragma once
// Loading the command line's --data argument: a named set, a directory of IDX files, or a CSV.

#include <optional>
#include <string>

#include "magmadnn.h"

namespace magmadnn::cli {

struct DataOptions {
    std::string source;          // fashion-mnist, mnist, DIR, FILE.csv
    int label_column = 0;        // CSV: the label column
    bool csv_header = false;     // CSV: the first row names the columns
    double test_fraction = 0.2;  // CSV: rows held out for testing, shuffled by `seed`
    bool stratify = true;        // CSV: every class keeps its share in the test rows
    std::uint64_t seed = 42;     // CSV: the split's shuffle (train: also weights and batches)
    double scale = 1.0;          // CSV: features are multiplied by this
    data::Missing missing = data::Missing::error;  // CSV: empty fields and NaN
};

struct TrainTest {
    data::Dataset<float> train, test;
    std::vector<index_t> test_lines;  // CSV: each test row's line in the file; IDX: empty
    data::LabelMap classes;           // the original label of each class
};

// A named or IDX set's own train and test files, or a CSV split by data::split_indices (the same
// rows for the same seed, so evaluate and predict see the test rows train held out). The labels
// become classes through `labels` (a model's; a label it lacks is a ValueError naming the file
// and line) or, without one, through the file's own distinct labels: 0..C-1 stay as they are,
// any other set is mapped from its sorted values to 0..C-1 with a note on stderr.
TrainTest load_data(const DataOptions& options, const data::LabelMap* labels = nullptr);

// What a model that `train` saved says about its data, kept in its metadata: the original label
// of each class (data::LabelMap::metadata_key; absent when the labels were 0..C-1) and the
// standardization of its features (data::Standardizer::metadata_key).
struct DataTransform {
    std::optional<data::LabelMap> labels;
    std::optional<data::Standardizer<float>> standardizer;
};
// FormatError naming `path` for metadata that does not parse or does not fit the network.
DataTransform data_transform(const model::Model<float>& model, const std::string& path);
// Stores a label map that is not the identity, and the standardizer when there is one.
void set_data_transform(model::Model<float>& model, const DataTransform& t);
// (x - mean) / std on the train and test features; ValueError naming the model file and the
// data when their feature counts differ.
void standardize(TrainTest& d, const data::Standardizer<float>& s, const std::string& model_path,
                 const std::string& data);
// A saved model's view of the data: the labels through its classes (the identity on its outputs
// when it has no label map), the features standardized as it was trained on them.
TrainTest load_data_for(const model::Model<float>& model, const std::string& model_path,
                        const DataOptions& options);

// The whole of an architecture JSON file (--model FILE.json); IOError naming it.
std::string read_text(const std::string& path);

// `train --model mlp`'s hidden layers (--hidden, --layers, --dropout).
struct MlpShape {
    index_t hidden = 528;  // units of each hidden layer
    int layers = 1;        // hidden layers, >= 1
    double dropout = 0;    // in [0, 1): a dropout layer after each hidden ReLU when > 0
};

// features -> `layers` x (fullyconnected `hidden` -> ReLU [-> dropout]) -> fullyconnected
// `classes` (softmax cross-entropy). The default shape is the seed's MLP, 784 -> 528 -> ReLU ->
// 10. ValueError naming the option for a shape outside its range.
std::string mlp_architecture(index_t features, int classes, const MlpShape& shape = {});

// LeNet-5 on {1, 28, 28} images: conv 5x5 6 ch pad 2, ReLU, max-pool 2, conv 5x5 16 ch, ReLU,
// max-pool 2, fc 120, ReLU, fc 84, ReLU, fc 10.
std::string lenet5_architecture(int classes);
// A small VGG-style net on {1, 28, 28}: two blocks of (conv 3x3, batchnorm, ReLU) x 2 + max-pool
// (32 then 64 channels), global average pooling, fc.
std::string vgg_small_architecture(int classes);

// Flat rows {n, features} viewed as the model's input {n, c, h, w} when the element counts match
// (IDX images load as {n, 784}); otherwise x unchanged.
Tensor<float> as_model_input(const Tensor<float>& x, const Shape& model_input);

}  // namespace magmadnn::cli
