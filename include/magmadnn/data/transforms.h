#pragma once
// Preprocessing: one-hot labels, per-feature standardization, scaling, a shuffled
// train/validation split.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "magmadnn/core/tensor.h"
#include "magmadnn/data/dataset.h"

namespace magmadnn::data {

// {n} class indices -> {n, num_classes} rows of zeros with a one at the label. Throws ValueError
// for a label outside [0, num_classes) (naming its index and value), ShapeError unless 1-D.
template <typename T>
Tensor<T> one_hot(const Tensor<std::int32_t>& labels, int num_classes);

// Per-feature mean and standard deviation of a {n, f} tensor; apply() maps x to
// (x - mean) / stddev.
// A constant feature (std 0) is only centred.
template <typename T>
struct Standardizer {
    // The metadata key under which the command line saves a model's standardizer (to_json).
    static constexpr const char* metadata_key = "magmadnn.standardize";

    Tensor<T> mean;    // {f}
    Tensor<T> stddev;  // {f}, population standard deviation (1 where a feature is constant)

    void fit(const Tensor<T>& x);
    void apply(Tensor<T>& x) const;  // in place; ShapeError if the feature count differs
    index_t features() const { return mean.ndim() == 1 ? mean.size() : 0; }  // 0: not fitted

    // {"mean": [...], "std": [...]}, the values as JSON doubles (exact for float); from_json
    // reads them back bitwise, and throws FormatError naming `where` for anything but two
    // equally long, non-empty arrays of finite numbers in T's range with every std > 0.
    std::string to_json() const;
    static Standardizer from_json(std::string_view text, std::string_view where);
};

// x *= factor, in place.
template <typename T>
void scale(Tensor<T>& x, T factor);

template <typename T>
struct TrainValidation {
    Dataset<T> train;
    Dataset<T> validation;
};

// Shuffles the rows (deterministically for `seed`) and puts round(n * fraction) of them into
// the validation set. Throws ValueError unless 0 < fraction < 1 and both parts are non-empty.
template <typename T>
TrainValidation<T> train_validation_split(const Dataset<T>& dataset, double fraction,
                                          std::uint64_t seed);

// A permutation of 0..n-1, a pure function of (n, seed) on every platform (Fisher-Yates over
// SplitMix64).
std::vector<index_t> permutation(index_t n, std::uint64_t seed);

#define MAGMADNN_DATA_TRANSFORMS_EXTERN(T)                                                  \
    extern template Tensor<T> one_hot<T>(const Tensor<std::int32_t>&, int);                 \
    extern template struct Standardizer<T>;                                                 \
    extern template void scale<T>(Tensor<T>&, T);                                           \
    extern template TrainValidation<T> train_validation_split<T>(const Dataset<T>&, double, \
                                                                 std::uint64_t);
MAGMADNN_DATA_TRANSFORMS_EXTERN(float)
MAGMADNN_DATA_TRANSFORMS_EXTERN(double)
#undef MAGMADNN_DATA_TRANSFORMS_EXTERN

}  // namespace magmadnn::data
