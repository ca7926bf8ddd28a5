#include "tfrecord.h"

#include <cstdint>
#include <span>

#include "crc32c.h"

namespace magmadnn::io::detail {

namespace {

template <typename U>
void append_le(std::string& out, U v) {
    for (std::size_t i = 0; i < sizeof(U); ++i) {
        out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
    }
}

std::span<const std::byte> bytes_of(std::string_view s) {
    return std::as_bytes(std::span<const char>(s.data(), s.size()));
}

}  // namespace

void append_record(std::string& out, std::string_view data) {
    const std::size_t header_at = out.size();
    append_le(out, static_cast<std::uint64_t>(data.size()));
    const std::string_view header(out.data() + header_at, sizeof(std::uint64_t));
    append_le(out, masked_crc32c(bytes_of(header)));
    out.append(data);
    append_le(out, masked_crc32c(bytes_of(data)));
}

}  // namespace magmadnn::io::detail
