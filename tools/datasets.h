#pragma once
// Loading the command line's --data argument: a named set, a directory of IDX files, or a CSV.

#include <string>

#include "magmadnn.h"

namespace magmadnn::cli {

struct DataOptions {
    std::string source;          // fashion-mnist, mnist, DIR, FILE.csv
    int label_column = 0;        // CSV: the label column
    bool csv_header = false;     // CSV: the first row names the columns
    double test_fraction = 0.2;  // CSV: the last rows held out for testing
    double scale = 1.0;          // CSV: features are multiplied by this
};

struct TrainTest {
    data::Dataset<float> train, test;
};

TrainTest load_data(const DataOptions& options);

// The seed's MLP: 784 -> fullyconnected 528 -> ReLU -> fullyconnected 10 (softmax cross-entropy).
std::string mlp_architecture(index_t features, int classes);

}  // namespace magmadnn::cli
