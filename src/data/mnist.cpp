// MNIST-like sets: find the directory, read the split's two IDX files, check they agree.

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <vector>

#include "magmadnn/core/error.h"
#include "magmadnn/data/dataset.h"
#include "magmadnn/data/idx.h"

namespace magmadnn::data {

namespace fs = std::filesystem;

namespace {

constexpr index_t kSide = 28;
constexpr int kClasses = 10;

struct SplitFiles {
    std::string images;  // base names, without ".gz"
    std::string labels;
};

SplitFiles split_files(Split split) {
    if (split == Split::train) return {"train-images-idx3-ubyte", "train-labels-idx1-ubyte"};
    return {"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};
}

// The file for `base` in `dir`: plain, gzipped, or with the dotted spelling some mirrors use
// (train-images.idx3-ubyte).
std::optional<fs::path> find_file(const fs::path& dir, const std::string& base) {
    std::string dotted = base;
    const auto dash = dotted.find("-idx");
    if (dash != std::string::npos) dotted[dash] = '.';
    for (const std::string& name : {base, base + ".gz", dotted, dotted + ".gz"}) {
        std::error_code ec;
        if (fs::is_regular_file(dir / name, ec)) return dir / name;
    }
    return std::nullopt;
}

std::string all_file_names() {
    return "train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, "
           "t10k-labels-idx1-ubyte.gz (gzipped or not)";
}

std::vector<fs::path> search_dirs(const std::string& name) {
    std::vector<fs::path> dirs;
    if (const char* env = std::getenv("MAGMADNN_DATA"); env != nullptr && *env != '\0') {
        dirs.push_back(fs::path(env) / name);
    }
    dirs.push_back(fs::path("data") / name);
    dirs.push_back(fs::path("/usr/share/datasets") / name);
    return dirs;
}

struct Found {
    fs::path images;
    fs::path labels;
};

std::optional<Found> find_in(const fs::path& dir, const SplitFiles& files) {
    auto images = find_file(dir, files.images);
    auto labels = find_file(dir, files.labels);
    if (!images || !labels) return std::nullopt;
    return Found{*images, *labels};
}

Found locate(const std::string& name_or_path, Split split) {
    const SplitFiles files = split_files(split);
    std::error_code ec;
    if (fs::is_directory(name_or_path, ec)) {
        if (auto found = find_in(name_or_path, files)) return *found;
        throw IOError(fmt::format(
            "load_mnist_like: directory '{}' lacks {} and/or {} (or their .gz); an MNIST-like "
            "directory holds {}",
            name_or_path, files.images, files.labels, all_file_names()));
    }
    if (name_or_path != "mnist" && name_or_path != "fashion-mnist") {
        throw IOError(fmt::format(
            "load_mnist_like: '{}' is neither a directory nor a known data set name; pass "
            "\"mnist\", \"fashion-mnist\" or a directory holding {}",
            name_or_path, all_file_names()));
    }
    std::string searched;
    for (const fs::path& dir : search_dirs(name_or_path)) {
        if (auto found = find_in(dir, files)) return *found;
        searched += fmt::format("\n  {}", fs::absolute(dir, ec).string());
    }
    const std::string hint = name_or_path == "fashion-mnist"
                                 ? " (on Debian: apt-get install dataset-fashion-mnist)"
                                 : "";
    throw IOError(fmt::format(
        "load_mnist_like: data set '{}' not found; searched:{}\nPut the files {} into one of "
        "these directories (or $MAGMADNN_DATA/{}){}, or pass the directory holding them",
        name_or_path, searched, all_file_names(), name_or_path, hint));
}

}  // namespace

template <typename T>
Dataset<T> load_mnist_like(const std::string& name_or_path, Split split) {
    const Found found = locate(name_or_path, split);
    const Tensor<std::uint8_t> images = read_idx(found.images.string());
    const Tensor<std::uint8_t> labels = read_idx(found.labels.string());

    if (images.ndim() != 3 || images.shape(1) != kSide || images.shape(2) != kSide) {
        throw FormatError(fmt::format(
            "load_mnist_like: '{}' holds an array of shape {}, expected {{n, 28, 28}} images",
            found.images.string(), to_string(images.shape())));
    }
    if (labels.ndim() != 1) {
        throw FormatError(
            fmt::format("load_mnist_like: '{}' holds an array of shape {}, expected {{n}} labels",
                        found.labels.string(), to_string(labels.shape())));
    }
    const index_t n = images.shape(0);
    if (labels.shape(0) != n) {
        throw FormatError(fmt::format(
            "load_mnist_like: '{}' holds {} images but '{}' holds {} labels; the two files must "
            "come from the same split",
            found.images.string(), n, found.labels.string(), labels.shape(0)));
    }

    Dataset<T> out;
    out.num_classes = kClasses;
    out.labels = Tensor<std::int32_t>({n}, HOST);
    const std::uint8_t* lab = labels.cdata();
    std::int32_t* dst_lab = out.labels.data();
    for (index_t i = 0; i < n; ++i) {
        if (lab[i] >= kClasses) {
            throw FormatError(
                fmt::format("load_mnist_like: '{}' label {} is {}, expected a class in [0, 10)",
                            found.labels.string(), i, lab[i]));
        }
        dst_lab[i] = lab[i];
    }

    out.x = Tensor<T>({n, kSide * kSide}, HOST);
    const std::uint8_t* px = images.cdata();
    T* dst = out.x.data();
    const index_t total = n * kSide * kSide;
    for (index_t i = 0; i < total; ++i) dst[i] = static_cast<T>(px[i]) / T(255);
    return out;
}

template Dataset<float> load_mnist_like<float>(const std::string&, Split);
template Dataset<double> load_mnist_like<double>(const std::string&, Split);

}  // namespace magmadnn::data
