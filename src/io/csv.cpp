// The seed's read_csv_to_tensor, on top of data::read_csv.

#include "magmadnn/io/csv.h"

#include <fmt/format.h>

#include "magmadnn/core/error.h"
#include "magmadnn/data/csv.h"

namespace magmadnn::io {

template <typename T>
void read_csv_to_tensor(Tensor<T>& table, const std::string& path, char delimiter) {
    data::CsvOptions options;
    options.header = false;
    options.delimiter = delimiter;
    const data::CsvTable<T> csv = data::read_csv<T>(path, options);
    if (table.shape() != csv.features.shape()) {
        throw ShapeError(fmt::format(
            "read_csv_to_tensor: '{}' holds {} rows x {} columns, shape {}, but the tensor has "
            "shape {}; allocate Tensor<T>({}) (no header row is expected)",
            path, csv.features.shape(0), csv.features.shape(1), to_string(csv.features.shape()),
            to_string(table.shape()), to_string(csv.features.shape())));
    }
    table.copy_from(csv.features);
}

template void read_csv_to_tensor<float>(Tensor<float>&, const std::string&, char);
template void read_csv_to_tensor<double>(Tensor<double>&, const std::string&, char);

}  // namespace magmadnn::io
