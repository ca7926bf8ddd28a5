// The stratified split and row subsets. Classes get their test rows by largest remainder, then
// one shuffled pass over the rows hands them out, so the split costs O(n log classes).

#include "magmadnn/data/split.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>

#include "magmadnn/core/error.h"
#include "magmadnn/data/transforms.h"

namespace magmadnn::data {

namespace {

struct ClassShare {
    index_t rows = 0;
    index_t test = 0;        // rows this class puts into test
    double remainder = 0;    // of rows * fraction
    index_t handed_out = 0;  // test rows already chosen in the shuffled pass
};

// Per class, floor(c_k * f) test rows, then the rest of round(n * f) by largest remainder;
// below f = 1 no class gives up its last train row.
void apportion(std::map<std::int32_t, ClassShare>& classes, index_t n_test, double fraction) {
    index_t given = 0;
    std::vector<std::pair<std::int32_t, ClassShare*>> order;
    for (auto& [label, share] : classes) {
        const double exact = static_cast<double>(share.rows) * fraction;
        const index_t cap = fraction < 1.0 ? share.rows - 1 : share.rows;
        share.test = std::min(static_cast<index_t>(std::floor(exact)), cap);
        share.remainder = exact - std::floor(exact);
        given += share.test;
        order.emplace_back(label, &share);
    }
    std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
        return a.second->remainder > b.second->remainder;
    });
    const index_t cap_bias = fraction < 1.0 ? 1 : 0;
    for (auto& [label, share] : order) {
        if (given >= n_test) break;
        if (share->test + 1 <= share->rows - cap_bias) {
            ++share->test;
            ++given;
        }
    }
}

}  // namespace

SplitIndices split_indices(std::span<const std::int32_t> labels, double test_fraction,
                           std::uint64_t seed, bool stratify) {
    if (!(test_fraction >= 0.0 && test_fraction <= 1.0)) {
        throw ValueError(fmt::format(
            "split_indices: test fraction {} is outside [0, 1]; pass the share of rows to hold "
            "out for testing, e.g. 0.2",
            test_fraction));
    }
    const auto n = static_cast<index_t>(labels.size());
    const auto n_test = static_cast<index_t>(std::llround(static_cast<double>(n) * test_fraction));
    const std::vector<index_t> order = permutation(n, seed);
    std::vector<bool> in_test(labels.size(), false);
    if (stratify) {
        std::map<std::int32_t, ClassShare> classes;
        for (std::size_t i = 0; i < labels.size(); ++i) {
            if (labels[i] < 0) {
                throw ValueError(fmt::format(
                    "split_indices: label {} at row {} is negative; labels must be class "
                    "indices 0, 1, ... (or pass stratify = false)",
                    labels[i], i));
            }
            ++classes[labels[i]].rows;
        }
        apportion(classes, n_test, test_fraction);
        for (const index_t row : order) {
            ClassShare& share = classes[labels[std::size_t(row)]];
            if (share.handed_out < share.test) {
                ++share.handed_out;
                in_test[std::size_t(row)] = true;
            }
        }
    } else {
        for (index_t i = 0; i < n_test; ++i) in_test[std::size_t(order[std::size_t(i)])] = true;
    }
    SplitIndices out;
    for (index_t i = 0; i < n; ++i) (in_test[std::size_t(i)] ? out.test : out.train).push_back(i);
    return out;
}

template <typename T>
Dataset<T> subset(const Dataset<T>& dataset, std::span<const index_t> rows) {
    const index_t n = dataset.x.ndim() == 0 ? 0 : dataset.x.shape(0);
    if (dataset.labels.ndim() != 1 || dataset.labels.shape(0) != n) {
        throw ShapeError(
            fmt::format("subset: x has shape {} but labels {}; expected {{n, ...}} and {{n}}",
                        to_string(dataset.x.shape()), to_string(dataset.labels.shape())));
    }
    const Tensor<T> x = dataset.x.to(HOST);
    const Tensor<std::int32_t> y = dataset.labels.to(HOST);
    Shape shape = x.shape();
    shape[0] = static_cast<index_t>(rows.size());
    Dataset<T> out{Tensor<T>(shape, HOST), Tensor<std::int32_t>({shape[0]}, HOST),
                   dataset.num_classes};
    const index_t width = n == 0 ? 0 : x.size() / n;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const index_t r = rows[i];
        if (r < 0 || r >= n) {
            throw ValueError(
                fmt::format("subset: row {} (at position {}) is outside [0, {})", r, i, n));
        }
        std::memcpy(out.x.data() + index_t(i) * width, x.cdata() + r * width,
                    static_cast<std::size_t>(width) * sizeof(T));
        out.labels.data()[i] = y.cdata()[r];
    }
    return out;
}

template Dataset<float> subset<float>(const Dataset<float>&, std::span<const index_t>);
template Dataset<double> subset<double>(const Dataset<double>&, std::span<const index_t>);

}  // namespace magmadnn::data
