#pragma once
// Loading the command line's --data argument: a named set, a directory of IDX files, or a CSV.

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
};

// A named or IDX set's own train and test files, or a CSV split by data::split_indices (the same
// rows for the same seed, so evaluate and predict see the test rows train held out).
TrainTest load_data(const DataOptions& options);

// The seed's MLP: 784 -> fullyconnected 528 -> ReLU -> fullyconnected 10 (softmax cross-entropy).
std::string mlp_architecture(index_t features, int classes);

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
