// SafetensorsFile: reads and checks the header on construction (every rule of the format's
// reference implementation: known dtypes, offsets matching dtype and shape, the tensors tiling
// the data section exactly), then reads one tensor's bytes per get().

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include "json_depth.h"
#include "magmadnn/core/error.h"
#include "magmadnn/io/safetensors.h"
#include "safetensors_dtype.h"

namespace magmadnn::io {

namespace {

using json = nlohmann::json;

constexpr std::uint64_t kMaxHeader = 100u << 20;  // the reference implementation's limit

std::string known_dtypes() {
    return "F64, F32, F16, BF16, I64, I32, I16, I8, U64, U32, U16, U8, BOOL, F8_E4M3, F8_E5M2";
}

[[noreturn]] void bad(const std::string& path, const std::string& what) {
    throw FormatError(fmt::format("safetensors file '{}': {}", path, what));
}

std::uint64_t read_u64(const std::string& path, const json& v, const std::string& what) {
    if (!v.is_number_unsigned()) {
        bad(path, fmt::format("{} is {}, expected a non-negative integer", what, v.dump()));
    }
    return v.get<std::uint64_t>();
}

// json::parse keeps the last of duplicate keys; this callback notes any duplicate instead, and
// stops at nesting no header has.
struct DuplicateFinder {
    const std::string& what;
    std::vector<std::set<std::string>> keys;
    std::string duplicate;
    bool operator()(int depth, json::parse_event_t event, json& parsed) {
        switch (event) {
            case json::parse_event_t::object_start:
                detail::check_json_depth(depth, what);
                keys.emplace_back();
                break;
            case json::parse_event_t::array_start:
                detail::check_json_depth(depth, what);
                break;
            case json::parse_event_t::object_end:
                keys.pop_back();
                break;
            case json::parse_event_t::key:
                if (!keys.back().insert(parsed.get<std::string>()).second && duplicate.empty()) {
                    duplicate = parsed.get<std::string>();
                }
                break;
            default:
                break;
        }
        return true;
    }
};

// The file's size and its header text, after the checks on the 8-byte length.
struct RawHeader {
    std::uint64_t file_size = 0;
    std::string text;
};

RawHeader read_raw_header(const std::string& path) {
    RawHeader raw;
    std::error_code ec;
    raw.file_size = std::filesystem::file_size(path, ec);
    if (ec) {
        throw IOError(fmt::format("cannot open safetensors file '{}': {}; check the path", path,
                                  ec.message()));
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw IOError(
            fmt::format("cannot open safetensors file '{}': {}", path, std::strerror(errno)));
    }
    if (raw.file_size < 8) {
        bad(path, fmt::format("{} bytes, shorter than the 8-byte header length; the file is "
                              "truncated or not safetensors",
                              raw.file_size));
    }
    std::array<unsigned char, 8> len_bytes{};
    in.read(reinterpret_cast<char*>(len_bytes.data()), 8);
    std::uint64_t header_len = 0;
    for (int b = 7; b >= 0; --b)
        header_len = (header_len << 8) | len_bytes[static_cast<std::size_t>(b)];
    if (header_len > raw.file_size - 8) {
        bad(path, fmt::format("the header length is {} bytes but only {} bytes follow the "
                              "8-byte length; the file is truncated or not safetensors",
                              header_len, raw.file_size - 8));
    }
    if (header_len > kMaxHeader) {
        bad(path, fmt::format("the header length {} exceeds the format's limit of {} bytes",
                              header_len, kMaxHeader));
    }
    raw.text.assign(static_cast<std::size_t>(header_len), '\0');
    if (!in.read(raw.text.data(), static_cast<std::streamsize>(header_len))) {
        throw IOError(
            fmt::format("reading the header of '{}' failed: {}", path, std::strerror(errno)));
    }
    return raw;
}

// The header as a JSON object with unique keys.
json parse_header(const std::string& path, const std::string& text) {
    DuplicateFinder finder{fmt::format("safetensors file '{}': the header", path), {}, {}};
    json header;
    try {
        header = json::parse(text, std::ref(finder));
    } catch (const json::parse_error& e) {
        bad(path, fmt::format("the {}-byte header is not valid JSON (at header byte {}: {})",
                              text.size(), e.byte, e.what()));
    } catch (const json::exception& e) {  // a number beyond double's range, ...
        bad(path, fmt::format("the {}-byte header cannot be read: {}", text.size(), e.what()));
    }
    if (!header.is_object()) {
        bad(path, fmt::format("the header is a JSON {}, expected an object", header.type_name()));
    }
    if (!finder.duplicate.empty()) {
        bad(path,
            fmt::format("the header names '{}' twice; names must be unique", finder.duplicate));
    }
    return header;
}

void read_metadata(const std::string& path, const json& value,
                   std::map<std::string, std::string>& metadata) {
    if (!value.is_object()) {
        bad(path, fmt::format("__metadata__ is a JSON {}, expected an object of strings",
                              value.type_name()));
    }
    for (const auto& [key, v] : value.items()) {
        if (!v.is_string()) {
            bad(path, fmt::format("__metadata__ '{}' is {}, expected a string", key, v.dump()));
        }
        metadata[key] = v.get<std::string>();
    }
}

// One tensor's entry: a known dtype, a shape, and data offsets that span exactly its bytes
// within the data section.
SafetensorsFile::Info read_entry(const std::string& path, const std::string& name,
                                 const json& value, std::uint64_t data_size) {
    const std::string where = fmt::format("tensor '{}'", name);
    if (!value.is_object() || !value.contains("dtype") || !value.contains("shape") ||
        !value.contains("data_offsets")) {
        bad(path, fmt::format("{} is {}, expected an object with dtype, shape and "
                              "data_offsets",
                              where, value.dump().substr(0, 200)));
    }
    const json& dt = value["dtype"];
    const detail::SafetensorsDtype* d =
        dt.is_string() ? detail::find_safetensors_dtype(dt.get<std::string>()) : nullptr;
    if (d == nullptr) {
        bad(path,
            fmt::format("{} has dtype {}, expected one of {}", where, dt.dump(), known_dtypes()));
    }
    const json& sh = value["shape"];
    const json& off = value["data_offsets"];
    if (!sh.is_array())
        bad(path, fmt::format("{} shape is {}, expected an array", where, sh.dump()));
    if (!off.is_array() || off.size() != 2) {
        bad(path, fmt::format("{} data_offsets is {}, expected [begin, end]", where, off.dump()));
    }
    SafetensorsFile::Info info;
    info.dtype_name = std::string(d->name);
    std::uint64_t bytes = d->size;
    for (const json& e : sh) {
        const std::uint64_t extent = read_u64(path, e, where + " shape extent");
        if (extent > static_cast<std::uint64_t>(std::numeric_limits<index_t>::max()) ||
            __builtin_mul_overflow(bytes, extent, &bytes)) {
            bad(path, fmt::format("{} shape {} describes more than 2^64 bytes", where, sh.dump()));
        }
        info.shape.push_back(static_cast<index_t>(extent));
    }
    info.begin = read_u64(path, off[0], where + " data_offsets[0]");
    info.end = read_u64(path, off[1], where + " data_offsets[1]");
    if (info.end < info.begin) {
        bad(path, fmt::format("{} data_offsets [{}, {}] end before they begin", where, info.begin,
                              info.end));
    }
    if (info.end - info.begin != bytes) {
        bad(path, fmt::format("{} data_offsets [{}, {}] span {} bytes, but dtype {} and "
                              "shape {} need {}",
                              where, info.begin, info.end, info.end - info.begin, d->name,
                              sh.dump(), bytes));
    }
    if (info.end > data_size) {
        bad(path, fmt::format("{} data_offsets [{}, {}] reach past the {}-byte data "
                              "section; the file is truncated",
                              where, info.begin, info.end, data_size));
    }
    return info;
}

// The tensor names in the order of their data.
std::vector<std::string> data_order(const std::map<std::string, SafetensorsFile::Info>& tensors) {
    std::vector<std::string> order;
    for (const auto& [name, info] : tensors) order.push_back(name);
    std::sort(order.begin(), order.end(), [&](const std::string& a, const std::string& b) {
        const SafetensorsFile::Info& x = tensors.at(a);
        const SafetensorsFile::Info& y = tensors.at(b);
        return std::tie(x.begin, x.end) < std::tie(y.begin, y.end);
    });
    return order;
}

// The tensors, in the order of their data, tile the data section exactly: no overlap, no gap.
void check_tiling(const std::string& path,
                  const std::map<std::string, SafetensorsFile::Info>& tensors,
                  const std::vector<std::string>& order, std::uint64_t data_size) {
    std::uint64_t covered = 0;
    std::string previous;
    for (const std::string& name : order) {
        const SafetensorsFile::Info& info = tensors.at(name);
        if (info.begin < covered) {
            bad(path, fmt::format("tensor '{}' data_offsets [{}, {}] overlap tensor '{}' "
                                  "(which ends at {})",
                                  name, info.begin, info.end, previous, covered));
        }
        if (info.begin > covered) {
            bad(path, fmt::format("bytes [{}, {}) of the data section belong to no tensor "
                                  "(before tensor '{}'); the format requires the tensors to "
                                  "cover the data exactly",
                                  covered, info.begin, name));
        }
        covered = info.end;
        previous = name;
    }
    if (covered != data_size) {
        bad(path, fmt::format("the data section holds {} bytes but the tensors cover {}; "
                              "{} bytes at the end belong to no tensor",
                              data_size, covered, data_size - covered));
    }
}

}  // namespace

SafetensorsFile::SafetensorsFile(std::string path) : path_(std::move(path)) {
    const RawHeader raw = read_raw_header(path_);
    data_start_ = 8 + raw.text.size();
    const std::uint64_t data_size = raw.file_size - data_start_;
    const json header = parse_header(path_, raw.text);
    for (const auto& [name, value] : header.items()) {
        if (name == "__metadata__") {
            read_metadata(path_, value, metadata_);
        } else {
            tensors_.emplace(name, read_entry(path_, name, value, data_size));
        }
    }
    order_ = data_order(tensors_);
    check_tiling(path_, tensors_, order_, data_size);
}

std::vector<std::string> SafetensorsFile::names() const { return order_; }

bool SafetensorsFile::contains(const std::string& name) const { return tensors_.count(name) > 0; }

const SafetensorsFile::Info& SafetensorsFile::info(const std::string& name) const {
    const auto it = tensors_.find(name);
    if (it == tensors_.end()) {
        std::string some;
        for (std::size_t i = 0; i < order_.size() && i < 10; ++i) {
            some += (i ? ", " : "") + order_[i];
        }
        if (order_.size() > 10) some += ", ...";
        throw ValueError(fmt::format("safetensors file '{}' has no tensor '{}'; it holds: {}",
                                     path_, name, some.empty() ? "(none)" : some));
    }
    return it->second;
}

std::string SafetensorsFile::dtype_name(const std::string& name) const {
    return info(name).dtype_name;
}

DType SafetensorsFile::dtype(const std::string& name) const {
    const Info& i = info(name);
    const auto dt = detail::find_safetensors_dtype(i.dtype_name)->dtype;
    if (!dt) {
        throw UnsupportedError(fmt::format(
            "safetensors file '{}': tensor '{}' has dtype {}, which magmadnn has no element "
            "type for (supported: F32, F64, F16, BF16, I32, U8); convert it when saving",
            path_, name, i.dtype_name));
    }
    return *dt;
}

const Shape& SafetensorsFile::shape(const std::string& name) const { return info(name).shape; }

void SafetensorsFile::read_bytes(const Info& i, void* dst) const {
    const std::uint64_t n = i.end - i.begin;
    if (n == 0) return;
    std::ifstream in(path_, std::ios::binary);
    in.seekg(static_cast<std::streamoff>(data_start_ + i.begin));
    if (!in || !in.read(static_cast<char*>(dst), static_cast<std::streamsize>(n))) {
        throw IOError(fmt::format(
            "reading {} bytes at offset {} of '{}' failed (was the file changed since it was "
            "opened?)",
            n, data_start_ + i.begin, path_));
    }
}

template <typename T>
Tensor<T> SafetensorsFile::get(const std::string& name, memory_t memory) const {
    const Info& i = info(name);
    const DType stored = dtype(name);
    if (stored != dtype_of<T>::value) {
        throw FormatError(fmt::format(
            "safetensors file '{}': tensor '{}' is {}, not {}; use get<> with its type or "
            "get_as<> to convert",
            path_, name, i.dtype_name, safetensors_dtype_name(dtype_of<T>::value)));
    }
    Tensor<T> out(i.shape, HOST);
    read_bytes(i, out.data());
    return memory == HOST ? out : out.to(memory);
}

template <typename T>
Tensor<T> SafetensorsFile::get_as(const std::string& name, memory_t memory) const {
    Tensor<T> host;
    switch (dtype(name)) {
        case DType::f32:
            host = get<float>(name).template cast<T>();
            break;
        case DType::f64:
            host = get<double>(name).template cast<T>();
            break;
        case DType::f16:
            host = get<f16>(name).template cast<T>();
            break;
        case DType::bf16:
            host = get<bf16>(name).template cast<T>();
            break;
        case DType::i32:
            host = get<std::int32_t>(name).template cast<T>();
            break;
        case DType::u8:
            host = get<std::uint8_t>(name).template cast<T>();
            break;
    }
    return memory == HOST ? host : host.to(memory);
}

#define MAGMADNN_SAFETENSORS_GET(T)                                                 \
    template Tensor<T> SafetensorsFile::get<T>(const std::string&, memory_t) const; \
    template Tensor<T> SafetensorsFile::get_as<T>(const std::string&, memory_t) const;
MAGMADNN_SAFETENSORS_GET(float)
MAGMADNN_SAFETENSORS_GET(double)
MAGMADNN_SAFETENSORS_GET(f16)
MAGMADNN_SAFETENSORS_GET(bf16)
MAGMADNN_SAFETENSORS_GET(std::int32_t)
MAGMADNN_SAFETENSORS_GET(std::uint8_t)

}  // namespace magmadnn::io
