#pragma once
// Class labels written as any integers ({-1, 1}, {3, 7, 10}) and the class indices 0..C-1 a
// model trains on: class k is the k-th smallest distinct label.
//
//   data::LabelMap map = data::LabelMap::from_labels(table.labels.to_vector());  // {-1, 1}
//   map.apply(table.labels, path, table.lines);  // -1 -> 0, 1 -> 1
//   map.value(1);                                // 1, the original label of class 1

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "magmadnn/core/tensor.h"

namespace magmadnn::data {

class LabelMap {
  public:
    // The metadata key under which the command line saves a model's label values (to_json).
    static constexpr const char* metadata_key = "magmadnn.label_values";

    LabelMap() = default;  // no classes
    // `values[k]`: the original label of class k, strictly increasing; ValueError otherwise.
    explicit LabelMap(std::vector<std::int32_t> values);
    // Class k is label k, for k in 0..classes-1 (classes >= 1).
    static LabelMap identity(int classes);
    // The sorted distinct values of `labels` (the identity when they are 0..C-1 already);
    // ValueError when there are none.
    static LabelMap from_labels(std::span<const std::int32_t> labels);

    int num_classes() const { return static_cast<int>(values_.size()); }
    bool is_identity() const;  // class k is label k for every k
    const std::vector<std::int32_t>& values() const { return values_; }
    // The original label of class `cls`; ValueError outside 0..C-1.
    std::int32_t value(std::int32_t cls) const;
    // The class of an original label, or nothing when the map does not hold it.
    std::optional<std::int32_t> class_of(std::int32_t label) const;
    // Replaces each label by its class, in place. A label the map does not hold is a
    // ValueError naming `source`, the row's line (lines[i] when given, else its 0-based row),
    // the value and the known labels.
    void apply(Tensor<std::int32_t>& labels, std::string_view source = {},
               std::span<const index_t> lines = {}) const;

    // "{-1, 1}" (a long list shortened: "{0, 1, 2, ..., 99} (100 labels)").
    std::string to_string() const;
    // A JSON array of the values in class order, "[-1,1]"; from_json reads one back,
    // FormatError naming `where` for anything but an increasing array of 32-bit integers.
    std::string to_json() const;
    static LabelMap from_json(std::string_view text, std::string_view where);

  private:
    std::vector<std::int32_t> values_;  // strictly increasing
};

}  // namespace magmadnn::data
