#pragma once
// Numeric CSV tables: an optional header row, an optional integer label column, the rest
// floating-point features.

#include <cstdint>
#include <string>
#include <vector>

#include "magmadnn/core/tensor.h"

namespace magmadnn::data {

struct CsvOptions {
    bool header = true;     // the first row names the columns
    int label_column = -1;  // index of an integer label column; -1: none
    char delimiter = ',';
};

template <typename T>
struct CsvTable {
    Tensor<T> features;                     // {rows, feature columns}, HOST
    Tensor<std::int32_t> labels;            // {rows}; empty (shape {0}) without a label column
    std::vector<std::string> column_names;  // feature columns' names, in order; empty w/o header
    std::string label_name;                 // the label column's name, if any
};

// Reads a CSV file. Blank lines are skipped, "\r\n" line ends accepted, fields may be quoted
// ("a,b" with "" for a quote) and surrounded by spaces. Throws IOError when the file cannot be
// read, FormatError naming the file, line and column for text in a number column, a row with
// the wrong number of fields, an empty file or one without data rows; ValueError for a label
// column outside the table.
template <typename T>
CsvTable<T> read_csv(const std::string& path, const CsvOptions& options = {});

extern template CsvTable<float> read_csv<float>(const std::string&, const CsvOptions&);
extern template CsvTable<double> read_csv<double>(const std::string&, const CsvOptions&);

}  // namespace magmadnn::data
