#pragma once
// The seed's CSV reader: fills a preallocated {rows, cols} tensor from a numeric CSV file.

#include <string>

#include "magmadnn/core/tensor.h"

namespace magmadnn::io {

// Reads a CSV file without a header, every field a number, into `table` (any memory type).
// Throws ShapeError naming both shapes when the file's rows x columns differ from table's
// shape, and the errors of data::read_csv (IOError, FormatError with line and column) otherwise.
template <typename T>
void read_csv_to_tensor(Tensor<T>& table, const std::string& path, char delimiter = ',');

extern template void read_csv_to_tensor<float>(Tensor<float>&, const std::string&, char);
extern template void read_csv_to_tensor<double>(Tensor<double>&, const std::string&, char);

}  // namespace magmadnn::io
