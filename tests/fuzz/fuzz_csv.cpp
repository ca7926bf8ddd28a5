// Fuzz target: data::read_csv and io::read_csv_to_tensor. The first byte chooses the options
// (header, label column, delimiter, element type, the seed's call), the rest is the file.

#include "fuzz_input.h"
#include "magmadnn/data/csv.h"
#include "magmadnn/io/csv.h"

namespace {

template <typename T>
void read(const std::string& path, const magmadnn::data::CsvOptions& options) {
    using namespace magmadnn;
    const data::CsvTable<T> t = data::read_csv<T>(path, options);
    const bool has_label = options.label_column >= 0;
    if (has_label && t.labels.size() != t.features.shape(0)) {
        fuzz::violated("read_csv: the label count differs from the row count");
    }
    if (options.header &&
        static_cast<magmadnn::index_t>(t.column_names.size()) != t.features.shape(1)) {
        fuzz::violated("read_csv: the column names differ in number from the feature columns");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace magmadnn;
    if (size == 0) return 0;
    const std::uint8_t mode = data[0];
    static const fuzz::ScratchFile file("csv");
    const std::string& path = file.write(data + 1, size - 1);
    data::CsvOptions options;
    options.header = (mode & 1) != 0;
    options.label_column = ((mode >> 1) & 3) - 1;  // -1 (none), 0, 1 or 2
    options.delimiter = ",;\t "[(mode >> 3) & 3];
    fuzz::expect_errors([&] {
        if (mode & 0x40) {
            Tensor<float> table({2, 3}, HOST);
            io::read_csv_to_tensor(table, path, options.delimiter);
        } else if (mode & 0x20) {
            read<double>(path, options);
        } else {
            read<float>(path, options);
        }
    });
    return 0;
}
