#pragma once
// Private: CRC-32C (Castagnoli), the checksum of TensorBoard's record framing, and its masked
// form. The CRC comes from Boost.CRC (header-only, libboost-dev): Debian 12 packages no
// libcrc32c, and Boost's table-driven crc_optimal is a well-kept implementation whose
// parameters name the Castagnoli polynomial directly. Event files are small (a few records per
// epoch), so its byte-at-a-time speed is plenty.

#include <boost/crc.hpp>
#include <cstddef>
#include <cstdint>
#include <span>

namespace magmadnn::io::detail {

// Reflected input and output, initial value and final XOR all ones: CRC-32C("123456789") is
// 0xE3069283.
using Crc32c = boost::crc_optimal<32, 0x1EDC6F41, 0xFFFFFFFF, 0xFFFFFFFF, true, true>;

inline std::uint32_t crc32c(std::span<const std::byte> bytes) {
    Crc32c crc;
    crc.process_bytes(bytes.data(), bytes.size());
    return crc.checksum();
}

// TFRecord's masking, so that a CRC of data holding CRCs stays well distributed: rotate right by
// 15 bits and add a constant.
constexpr std::uint32_t mask_crc(std::uint32_t crc) {
    return ((crc >> 15) | (crc << 17)) + 0xA282EAD8u;
}

constexpr std::uint32_t unmask_crc(std::uint32_t masked) {
    const std::uint32_t rot = masked - 0xA282EAD8u;
    return (rot >> 17) | (rot << 15);
}

inline std::uint32_t masked_crc32c(std::span<const std::byte> bytes) {
    return mask_crc(crc32c(bytes));
}

}  // namespace magmadnn::io::detail
