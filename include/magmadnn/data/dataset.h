#pragma once
// An in-memory labelled data set, and the loader for MNIST-like IDX sets (MNIST, Fashion-MNIST).

#include <cstdint>
#include <string>

#include "magmadnn/core/tensor.h"

namespace magmadnn::data {

template <typename T>
struct Dataset {
    Tensor<T> x;                  // {n, features}, HOST
    Tensor<std::int32_t> labels;  // {n}, class indices in [0, num_classes)
    int num_classes = 0;
};

enum class Split { train, test };

// Loads one split of an MNIST-like set: x is {n, 784} with pixels scaled to [0, 1], labels in
// [0, 10). `name_or_path` is a directory holding the IDX files (train-images-idx3-ubyte,
// train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each optionally
// .gz), or the name "mnist" or "fashion-mnist", looked for in $MAGMADNN_DATA/<name>,
// ./data/<name> and /usr/share/datasets/<name>, in that order. Throws IOError naming the places
// searched and the files to put there when the set is not found, FormatError when the files
// disagree (image and label counts) or are not 28x28 images with labels below 10.
template <typename T>
Dataset<T> load_mnist_like(const std::string& name_or_path, Split split);

extern template Dataset<float> load_mnist_like<float>(const std::string&, Split);
extern template Dataset<double> load_mnist_like<double>(const std::string&, Split);

}  // namespace magmadnn::data
