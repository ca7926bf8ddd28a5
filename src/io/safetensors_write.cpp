// SafetensorsWriter: the header is built with nlohmann::ordered_json, the data streamed through
// an AtomicFileWriter. Tensors are laid out by element size, largest first, so every tensor
// starts at a multiple of its element size (the data section starts at a multiple of 8).

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>
#include <nlohmann/json.hpp>
#include <numeric>

#include "magmadnn/core/error.h"
#include "magmadnn/io/atomic_file.h"
#include "magmadnn/io/safetensors.h"
#include "safetensors_dtype.h"

namespace magmadnn::io {

static_assert(std::endian::native == std::endian::little,
              "safetensors data is little-endian; a big-endian host would need byte swaps");

struct SafetensorsWriter::Entry {
    std::string name;
    DType dtype;
    Shape shape;
    std::shared_ptr<Storage> storage;  // HOST; null for an empty tensor
    std::size_t byte_offset = 0;
    std::size_t bytes = 0;
};

SafetensorsWriter::SafetensorsWriter() = default;
SafetensorsWriter::~SafetensorsWriter() = default;
SafetensorsWriter::SafetensorsWriter(SafetensorsWriter&&) noexcept = default;
SafetensorsWriter& SafetensorsWriter::operator=(SafetensorsWriter&&) noexcept = default;

template <typename T>
void SafetensorsWriter::add(const std::string& name, const Tensor<T>& tensor) {
    const Tensor<T> host = tensor.memory() == HOST ? tensor : tensor.to(HOST);
    add_entry(Entry{name, dtype_of<T>::value, host.shape(), host.storage(),
                    host.offset() * sizeof(T), static_cast<std::size_t>(host.size()) * sizeof(T)});
}

void SafetensorsWriter::add_entry(Entry entry) {
    if (entry.name.empty() || entry.name == "__metadata__") {
        throw ValueError(fmt::format(
            "SafetensorsWriter::add: the name '{}' is reserved or empty; choose another",
            entry.name));
    }
    for (const Entry& e : entries_) {
        if (e.name == entry.name) {
            throw ValueError(fmt::format(
                "SafetensorsWriter::add: a tensor named '{}' was already added; names must be "
                "unique",
                entry.name));
        }
    }
    entries_.push_back(std::move(entry));
}

void SafetensorsWriter::set_metadata(const std::string& key, const std::string& value) {
    metadata_[key] = value;
}

void SafetensorsWriter::write(const std::string& path) const {
    std::vector<std::size_t> order(entries_.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return detail::element_size(entries_[a].dtype) > detail::element_size(entries_[b].dtype);
    });

    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    if (!metadata_.empty()) header["__metadata__"] = metadata_;
    std::uint64_t offset = 0;
    for (std::size_t i : order) {
        const Entry& e = entries_[i];
        header[e.name] = {{"dtype", safetensors_dtype_name(e.dtype)},
                          {"shape", e.shape},
                          {"data_offsets", {offset, offset + e.bytes}}};
        offset += e.bytes;
    }
    std::string text;
    try {
        text = header.dump();
    } catch (const nlohmann::json::exception& ex) {
        throw ValueError(fmt::format(
            "SafetensorsWriter::write('{}'): a tensor name or metadata string is not valid "
            "UTF-8 ({})",
            path, ex.what()));
    }
    text.append((8 - text.size() % 8) % 8, ' ');

    std::array<std::byte, 8> length{};
    for (std::size_t b = 0; b < 8; ++b) {
        length[b] = static_cast<std::byte>((text.size() >> (8 * b)) & 0xffu);
    }
    AtomicFileWriter out(path);
    out.write(length);
    out.write(std::as_bytes(std::span<const char>(text)));
    for (std::size_t i : order) {
        const Entry& e = entries_[i];
        if (e.bytes == 0) continue;
        const auto* base = static_cast<const std::byte*>(e.storage->host_read());
        out.write({base + e.byte_offset, e.bytes});
    }
    out.commit();
}

template void SafetensorsWriter::add<float>(const std::string&, const Tensor<float>&);
template void SafetensorsWriter::add<double>(const std::string&, const Tensor<double>&);
template void SafetensorsWriter::add<f16>(const std::string&, const Tensor<f16>&);
template void SafetensorsWriter::add<bf16>(const std::string&, const Tensor<bf16>&);
template void SafetensorsWriter::add<std::int32_t>(const std::string&, const Tensor<std::int32_t>&);
template void SafetensorsWriter::add<std::uint8_t>(const std::string&, const Tensor<std::uint8_t>&);

}  // namespace magmadnn::io
