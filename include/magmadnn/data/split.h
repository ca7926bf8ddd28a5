#pragma once
// Holding out a test set: a shuffled split of row indices, stratified by label by default, and
// the rows of a data set picked by index.

#include <cstdint>
#include <span>
#include <vector>

#include "magmadnn/core/tensor.h"
#include "magmadnn/data/dataset.h"

namespace magmadnn::data {

struct SplitIndices {
    std::vector<index_t> train;  // ascending (file order)
    std::vector<index_t> test;   // ascending (file order)
};

// Splits rows 0..n-1 (n = labels.size()) into train and test, a pure function of (labels,
// test_fraction, seed, stratify). round(n * test_fraction) rows go to test, chosen along
// data::permutation(n, seed):
// - stratify (scikit-learn's train_test_split(stratify=y)): class k of c_k rows puts
//   floor(c_k * test_fraction) rows into test, and the rows left of round(n * test_fraction)
//   go one each to the classes with the largest remainders (ties: the smaller label), so every
//   class is within one row of its exact share. Below fraction 1 every class keeps a row in
//   train: a class of one row stays there, and the test set is then smaller when no other
//   class can take the row. Labels must be non-negative.
// - otherwise the first round(n * test_fraction) rows of the permutation.
// Fraction 0 puts every row into train, 1 into test. Throws ValueError for a fraction outside
// [0, 1] (or NaN) and, when stratifying, a negative label (naming its index).
SplitIndices split_indices(std::span<const std::int32_t> labels, double test_fraction,
                           std::uint64_t seed, bool stratify = true);

// The rows `rows` of a data set, in that order, copied to new HOST tensors. Throws ValueError
// for a row outside [0, n).
template <typename T>
Dataset<T> subset(const Dataset<T>& dataset, std::span<const index_t> rows);

extern template Dataset<float> subset<float>(const Dataset<float>&, std::span<const index_t>);
extern template Dataset<double> subset<double>(const Dataset<double>&, std::span<const index_t>);

}  // namespace magmadnn::data
