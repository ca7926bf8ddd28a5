// Label values <-> class indices: a sorted vector, searched by binary search.

#include "magmadnn/data/label_map.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>

#include "io/json_depth.h"
#include "magmadnn/core/error.h"

namespace magmadnn::data {

LabelMap::LabelMap(std::vector<std::int32_t> values) : values_(std::move(values)) {
    for (std::size_t k = 1; k < values_.size(); ++k) {
        if (values_[k] <= values_[k - 1]) {
            throw ValueError(fmt::format(
                "LabelMap: values {} and {} (classes {} and {}) are not strictly increasing; "
                "pass the distinct labels sorted, or use LabelMap::from_labels",
                values_[k - 1], values_[k], k - 1, k));
        }
    }
}

LabelMap LabelMap::identity(int classes) {
    if (classes < 1) {
        throw ValueError(
            fmt::format("LabelMap::identity: {} classes; expected at least 1", classes));
    }
    std::vector<std::int32_t> v(static_cast<std::size_t>(classes));
    for (int k = 0; k < classes; ++k) v[static_cast<std::size_t>(k)] = k;
    return LabelMap(std::move(v));
}

LabelMap LabelMap::from_labels(std::span<const std::int32_t> labels) {
    if (labels.empty()) {
        throw ValueError("LabelMap::from_labels: no labels; pass at least one row's label");
    }
    std::vector<std::int32_t> v(labels.begin(), labels.end());
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return LabelMap(std::move(v));
}

bool LabelMap::is_identity() const {
    for (std::size_t k = 0; k < values_.size(); ++k) {
        if (values_[k] != static_cast<std::int32_t>(k)) return false;
    }
    return true;
}

std::int32_t LabelMap::value(std::int32_t cls) const {
    if (cls < 0 || cls >= num_classes()) {
        throw ValueError(fmt::format("LabelMap::value: class {} is outside 0..{} (labels {})", cls,
                                     num_classes() - 1, to_string()));
    }
    return values_[static_cast<std::size_t>(cls)];
}

std::optional<std::int32_t> LabelMap::class_of(std::int32_t label) const {
    const auto it = std::lower_bound(values_.begin(), values_.end(), label);
    if (it == values_.end() || *it != label) return std::nullopt;
    return static_cast<std::int32_t>(it - values_.begin());
}

void LabelMap::apply(Tensor<std::int32_t>& labels, std::string_view source,
                     std::span<const index_t> lines) const {
    if (labels.ndim() != 1) {
        throw ShapeError(fmt::format("LabelMap::apply: labels have shape {}, expected {{n}}",
                                     magmadnn::to_string(labels.shape())));
    }
    // mapped into a copy first, so that a bad label leaves `labels` as it was
    std::vector<std::int32_t> v = labels.to_vector();
    for (std::size_t i = 0; i < v.size(); ++i) {
        const auto cls = class_of(v[i]);
        if (!cls) {
            const std::string at =
                i < lines.size() ? fmt::format("line {}", lines[i]) : fmt::format("row {}", i);
            throw ValueError(fmt::format(
                "{}{}{}: label {} is not one of the known labels {}, which map to classes 0..{}; "
                "fix "
                "the label, or train on data that has it",
                source, source.empty() ? "" : " ", at, v[i], to_string(), num_classes() - 1));
        }
        v[i] = *cls;
    }
    labels.copy_from(Tensor<std::int32_t>::from_vector(v, labels.shape()));
}

std::string LabelMap::to_string() const {
    constexpr std::size_t kShown = 12;
    if (values_.size() <= kShown) return fmt::format("{{{}}}", fmt::join(values_, ", "));
    const std::vector<std::int32_t> head(values_.begin(), values_.begin() + kShown - 1);
    return fmt::format("{{{}, ..., {}}} ({} labels)", fmt::join(head, ", "), values_.back(),
                       values_.size());
}

std::string LabelMap::to_json() const { return nlohmann::json(values_).dump(); }

LabelMap LabelMap::from_json(std::string_view text, std::string_view where) {
    const std::string what = fmt::format("{}: {} metadata", where, metadata_key);
    const nlohmann::json j = io::detail::parse_json(text, what);
    if (!j.is_array() || j.empty()) {
        throw FormatError(fmt::format("{} is {}, expected a non-empty JSON array of the labels",
                                      what, j.dump().substr(0, 80)));
    }
    std::vector<std::int32_t> values;
    for (const auto& v : j) {
        if (!v.is_number_integer() ||
            v.get<long long>() < std::numeric_limits<std::int32_t>::min() ||
            v.get<long long>() > std::numeric_limits<std::int32_t>::max()) {
            throw FormatError(
                fmt::format("{}: {} is not a 32-bit integer label", what, v.dump().substr(0, 80)));
        }
        values.push_back(static_cast<std::int32_t>(v.get<long long>()));
    }
    try {
        return LabelMap(std::move(values));
    } catch (const ValueError& e) {
        throw FormatError(fmt::format("{}: {}", what, e.what()));
    }
}

}  // namespace magmadnn::data
