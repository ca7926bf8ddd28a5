#pragma once
// safetensors files (https://github.com/huggingface/safetensors): an 8-byte little-endian header
// length N, N bytes of JSON header (padded with spaces so the data starts at a multiple of 8),
// then the tensors' raw little-endian bytes. The header maps each tensor name to
// {"dtype", "shape", "data_offsets": [begin, end]} (offsets from the first data byte), with an
// optional "__metadata__" object of string to string.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "magmadnn/core/tensor.h"

namespace magmadnn::io {

// The safetensors spelling of a dtype: "F32", "F64", "F16", "BF16", "I32", "U8".
std::string safetensors_dtype_name(DType dtype);

// Collects tensors and metadata, then writes them atomically. Tensors may be in any memory type:
// HOST tensors are referenced, not copied (write() saves their values at that time); others are
// copied to the host by add(). Tensors are laid out by element size, largest first, so each one
// starts at a multiple of its element size.
class SafetensorsWriter {
  public:
    SafetensorsWriter();
    ~SafetensorsWriter();
    SafetensorsWriter(SafetensorsWriter&&) noexcept;
    SafetensorsWriter& operator=(SafetensorsWriter&&) noexcept;

    // Throws ValueError for an empty name, "__metadata__" or a name already added.
    template <typename T>
    void add(const std::string& name, const Tensor<T>& tensor);
    void set_metadata(const std::string& key, const std::string& value);
    // Throws IOError when the file cannot be written; the previous file then survives.
    void write(const std::string& path) const;

  private:
    struct Entry;
    void add_entry(Entry entry);
    std::vector<Entry> entries_;
    std::map<std::string, std::string> metadata_;
};

// A safetensors file, its header parsed and checked on construction; tensors are read on get().
// Every check that fails throws FormatError naming the file: shorter than 8 bytes, a header
// length beyond the file, a header that is not a JSON object, a duplicate name, an unknown
// dtype, offsets that disagree with dtype and shape, overlap, leave gaps or fall outside the
// data. Valid safetensors dtypes this library has no type for (I64, BOOL, ...) are listed by
// names() and dtype_name(); dtype() and get() throw UnsupportedError for them.
class SafetensorsFile {
  public:
    explicit SafetensorsFile(std::string path);

    const std::string& path() const { return path_; }
    std::vector<std::string> names() const;  // in the order of their data
    bool contains(const std::string& name) const;
    const std::map<std::string, std::string>& metadata() const { return metadata_; }
    std::string dtype_name(const std::string& name) const;  // "F32", "I64", ...
    DType dtype(const std::string& name) const;
    const Shape& shape(const std::string& name) const;

    // The tensor as stored; FormatError when T is not its dtype (get_as converts).
    template <typename T>
    Tensor<T> get(const std::string& name, memory_t memory = HOST) const;
    // The tensor converted to T from any supported dtype (f16/bf16 round to nearest even).
    template <typename T>
    Tensor<T> get_as(const std::string& name, memory_t memory = HOST) const;

    struct Info {
        std::string dtype_name;
        Shape shape;
        std::uint64_t begin = 0;  // data offsets
        std::uint64_t end = 0;
    };

  private:
    const Info& info(const std::string& name) const;
    void read_bytes(const Info& info, void* dst) const;

    std::string path_;
    std::uint64_t data_start_ = 0;  // 8 + header length
    std::map<std::string, Info> tensors_;
    std::vector<std::string> order_;
    std::map<std::string, std::string> metadata_;
};

#define MAGMADNN_SAFETENSORS_EXTERN(T)                                                     \
    extern template void SafetensorsWriter::add<T>(const std::string&, const Tensor<T>&);  \
    extern template Tensor<T> SafetensorsFile::get<T>(const std::string&, memory_t) const; \
    extern template Tensor<T> SafetensorsFile::get_as<T>(const std::string&, memory_t) const;
MAGMADNN_SAFETENSORS_EXTERN(float)
MAGMADNN_SAFETENSORS_EXTERN(double)
MAGMADNN_SAFETENSORS_EXTERN(f16)
MAGMADNN_SAFETENSORS_EXTERN(bf16)
MAGMADNN_SAFETENSORS_EXTERN(std::int32_t)
MAGMADNN_SAFETENSORS_EXTERN(std::uint8_t)
#undef MAGMADNN_SAFETENSORS_EXTERN

}  // namespace magmadnn::io
