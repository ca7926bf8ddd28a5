#pragma once
// Numeric CSV tables: an optional header row, an optional integer label column, the rest
// floating-point features.

#include <cstdint>
#include <string>
#include <vector>

#include "magmadnn/core/tensor.h"

namespace magmadnn::data {

// What to do with a missing feature value: an empty field or NaN (`nan`, any case, signed).
// Infinities and numbers beyond the element type's range are errors under every policy, and a
// missing label is always an error: labels are never imputed.
enum class Missing {
    error,  // FormatError naming the file, line and column (the default)
    drop,   // leave the row out
    zero,   // read it as 0
    mean,   // the column's mean over the rows that have a value (the whole file, before a split)
};

struct CsvOptions {
    bool header = true;     // the first row names the columns
    int label_column = -1;  // index of an integer label column; -1: none
    char delimiter = ',';
    Missing missing = Missing::error;
};

template <typename T>
struct CsvTable {
    Tensor<T> features;                     // {rows, feature columns}, HOST
    Tensor<std::int32_t> labels;            // {rows}; empty (shape {0}) without a label column
    std::vector<std::string> column_names;  // feature columns' names, in order; empty w/o header
    std::string label_name;                 // the label column's name, if any
    std::vector<index_t> lines;             // each row's line in the file (1-based)
    index_t missing_values = 0;             // missing feature values found (and filled or dropped)
    index_t rows_dropped = 0;               // rows left out by Missing::drop
};

// Reads a CSV file. Blank lines are skipped, "\r\n" line ends accepted, fields may be quoted
// ("a,b" with "" for a quote) and surrounded by spaces. Magnitudes below the element type's
// smallest value are read as 0, as a conversion to it rounds them. Throws IOError when the file
// cannot be read, FormatError naming the file, line and column for text in a number column, a
// missing value under Missing::error, a missing label, an infinity or a number out of range, a
// row with the wrong number of fields, an empty file, one without data rows (or with none left
// by Missing::drop) or a column without any value to take a mean of; ValueError for a label
// column outside the table.
template <typename T>
CsvTable<T> read_csv(const std::string& path, const CsvOptions& options = {});

extern template CsvTable<float> read_csv<float>(const std::string&, const CsvOptions&);
extern template CsvTable<double> read_csv<double>(const std::string&, const CsvOptions&);

}  // namespace magmadnn::data
