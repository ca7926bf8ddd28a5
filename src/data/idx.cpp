// IDX reader. zlib's gzread passes a plain file through unchanged, so one path reads both.
// The tensor is allocated only once the header's promise fits the file's size (a plain file
// exactly, a gzipped one within deflate's ~1032:1 expansion), so a corrupt header cannot ask
// for terabytes.

#include "magmadnn/data/idx.h"

#include <fmt/format.h>
#include <zlib.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <limits>

#include "magmadnn/core/error.h"

namespace magmadnn::data {

namespace {

constexpr std::uint64_t kMaxDeflateRatio = 1032;

std::string type_name(unsigned type) {
    switch (type) {
        case 0x08:
            return "unsigned byte";
        case 0x09:
            return "signed byte";
        case 0x0B:
            return "int16";
        case 0x0C:
            return "int32";
        case 0x0D:
            return "float32";
        case 0x0E:
            return "float64";
        default:
            return "unknown";
    }
}

class GzFile {
  public:
    explicit GzFile(const std::string& path) : path_(path) {
        errno = 0;
        f_ = gzopen(path.c_str(), "rb");
        if (f_ == nullptr) {
            throw IOError(fmt::format("read_idx: cannot open '{}': {}", path,
                                      errno != 0 ? std::strerror(errno) : "out of memory"));
        }
        gzbuffer(f_, 1 << 17);
    }
    ~GzFile() { gzclose(f_); }
    GzFile(const GzFile&) = delete;
    GzFile& operator=(const GzFile&) = delete;

    // Reads up to n bytes; fewer only at the end of the data. A corrupt stream throws.
    std::uint64_t read(void* dst, std::uint64_t n) {
        std::uint64_t done = 0;
        auto* p = static_cast<unsigned char*>(dst);
        while (done < n) {
            const auto chunk = static_cast<unsigned>(std::min<std::uint64_t>(n - done, 1u << 30));
            const int got = gzread(f_, p + done, chunk);
            if (got < 0) fail();
            if (got == 0) break;
            done += static_cast<std::uint64_t>(got);
        }
        return done;
    }

    // Whether the file is plain, not gzip (known after the first read).
    bool plain() const { return gzdirect(f_) != 0; }

    // Counts the bytes left (reads them).
    std::uint64_t drain() {
        std::array<unsigned char, 1 << 16> buf{};
        std::uint64_t total = 0;
        for (std::uint64_t got; (got = read(buf.data(), buf.size())) > 0;) total += got;
        return total;
    }

    // The reason a short read stopped early, if zlib saw one ("unexpected end of file").
    std::string stream_note() const {
        int code = Z_OK;
        const char* msg = gzerror(f_, &code);
        return code == Z_OK ? std::string() : fmt::format(" (zlib: {})", msg);
    }

  private:
    [[noreturn]] void fail() const {
        int code = Z_OK;
        const char* msg = gzerror(f_, &code);
        if (code == Z_ERRNO) {
            throw IOError(
                fmt::format("read_idx: reading '{}' failed: {}", path_, std::strerror(errno)));
        }
        throw FormatError(fmt::format(
            "read_idx: '{}' is a corrupt gzip stream (zlib: {}); download the file again", path_,
            msg));
    }

    std::string path_;
    gzFile f_ = nullptr;
};

[[noreturn]] void truncated(const std::string& path, std::uint64_t expected, std::uint64_t found,
                            const std::string& note) {
    throw FormatError(fmt::format(
        "read_idx: '{}' is truncated: the header promises {} data bytes but the file holds {}{}; "
        "download the file again",
        path, expected, found, note));
}

}  // namespace

Tensor<std::uint8_t> read_idx(const std::string& path) {
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (!std::filesystem::exists(status)) {
        throw IOError(fmt::format(
            "read_idx: '{}' does not exist; put the IDX file (for example "
            "train-images-idx3-ubyte or its .gz) at that path or pass the path where it is",
            path));
    }
    if (std::filesystem::is_directory(status)) {
        throw IOError(
            fmt::format("read_idx: '{}' is a directory; pass the path of an IDX file", path));
    }
    const std::uint64_t file_bytes = std::filesystem::file_size(path, ec);
    GzFile file(path);

    std::array<unsigned char, 4> magic{};
    const std::uint64_t got_magic = file.read(magic.data(), 4);
    if (got_magic < 4) {
        throw FormatError(fmt::format(
            "read_idx: '{}' holds {} bytes, too short for the 4-byte IDX magic; it is not an "
            "IDX file (or is truncated)",
            path, got_magic));
    }
    if (magic[0] != 0 || magic[1] != 0) {
        throw FormatError(fmt::format(
            "read_idx: '{}' starts with bytes {:02x} {:02x} {:02x} {:02x}, expected the IDX "
            "magic 00 00 08 <ndim>; it is not an IDX file",
            path, magic[0], magic[1], magic[2], magic[3]));
    }
    if (magic[2] != 0x08) {
        throw FormatError(fmt::format(
            "read_idx: '{}' holds IDX type 0x{:02x} ({}); only unsigned-byte IDX files (type "
            "0x08, as MNIST and Fashion-MNIST) are supported",
            path, magic[2], type_name(magic[2])));
    }
    const int ndim = magic[3];
    if (ndim == 0) {
        throw FormatError(
            fmt::format("read_idx: '{}' declares 0 dimensions; expected at least 1", path));
    }

    std::array<unsigned char, 4 * 255> dims_raw{};
    const auto dims_bytes = static_cast<std::uint64_t>(4 * ndim);
    const std::uint64_t got_dims = file.read(dims_raw.data(), dims_bytes);
    if (got_dims < dims_bytes) {
        throw FormatError(fmt::format(
            "read_idx: '{}' is truncated in its header: {} dimensions need {} bytes of extents, "
            "the file holds {}",
            path, ndim, dims_bytes, got_dims));
    }
    Shape shape(static_cast<std::size_t>(ndim));
    std::uint64_t promised = 1;
    bool overflow = false;
    for (int d = 0; d < ndim; ++d) {
        const unsigned char* b = dims_raw.data() + 4 * d;
        const std::uint64_t extent = (std::uint64_t{b[0]} << 24) | (std::uint64_t{b[1]} << 16) |
                                     (std::uint64_t{b[2]} << 8) | std::uint64_t{b[3]};
        shape[static_cast<std::size_t>(d)] = static_cast<index_t>(extent);
        if (extent != 0 && promised > (std::uint64_t{1} << 62) / extent) overflow = true;
        promised *= extent;
    }
    if (overflow) {
        throw FormatError(fmt::format(
            "read_idx: '{}' declares extents {} whose product overflows 2^62 bytes; the header "
            "is corrupt",
            path, to_string(shape)));
    }
    if (ec == std::error_code{} && file.plain()) {
        const std::uint64_t header_bytes = 4 + dims_bytes;
        const std::uint64_t present = file_bytes > header_bytes ? file_bytes - header_bytes : 0;
        if (promised > present) truncated(path, promised, present, "");
    } else if (ec == std::error_code{} && promised > file_bytes * kMaxDeflateRatio + 4096) {
        const std::uint64_t present = file.drain();
        truncated(path, promised, present, "");
    }

    Tensor<std::uint8_t> out(shape, HOST);
    const std::uint64_t got = file.read(out.data(), promised);
    if (got < promised) truncated(path, promised, got, file.stream_note());
    const std::uint64_t trailing = file.drain();
    if (trailing > 0) {
        throw FormatError(fmt::format(
            "read_idx: '{}' has {} bytes after the {} data bytes its header {} promises; the "
            "header or the file is wrong",
            path, trailing, promised, to_string(shape)));
    }
    return out;
}

}  // namespace magmadnn::data
