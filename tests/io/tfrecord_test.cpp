// TFRecord framing of TensorBoard event files and its CRC-32C (src/io/tfrecord.h, crc32c.h).
// The expected masked CRCs were computed by TensorBoard's own reader
// (tensorboard.compat.tensorflow_stub.pywrap_tensorflow.masked_crc32c).
#include "io/tfrecord.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "io/crc32c.h"

namespace magmadnn::io::detail {
namespace {

std::span<const std::byte> bytes(std::string_view s) {
    return std::as_bytes(std::span<const char>(s.data(), s.size()));
}

std::uint32_t u32_at(const std::string& s, std::size_t at) {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < 4; ++i) v |= std::uint32_t(std::uint8_t(s[at + i])) << (8 * i);
    return v;
}

std::uint64_t u64_at(const std::string& s, std::size_t at) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < 8; ++i) v |= std::uint64_t(std::uint8_t(s[at + i])) << (8 * i);
    return v;
}

TEST(Crc32c, CheckValue) {
    // the catalogued check value of CRC-32C (iSCSI, Castagnoli)
    EXPECT_EQ(crc32c(bytes("123456789")), 0xE3069283u);
    EXPECT_EQ(crc32c(bytes("")), 0u);
}

TEST(Crc32c, Masking) {
    EXPECT_EQ(mask_crc(0), 0xA282EAD8u);
    EXPECT_EQ(masked_crc32c(bytes("123456789")), 0xC78AB0E5u);
    for (std::uint32_t v : {0u, 1u, 0xE3069283u, 0xFFFFFFFFu, 0x80000000u}) {
        EXPECT_EQ(unmask_crc(mask_crc(v)), v);
    }
}

TEST(TfRecord, FramesLengthAndData) {
    std::string out = "x";  // appends after what is there
    append_record(out, "abc");
    ASSERT_EQ(out.size(), 1u + 8 + 4 + 3 + 4);
    EXPECT_EQ(u64_at(out, 1), 3u);
    EXPECT_EQ(u32_at(out, 9), 0x0E4999B0u);  // masked CRC of the 8 length bytes
    EXPECT_EQ(out.substr(13, 3), "abc");
    EXPECT_EQ(u32_at(out, 16), 0x21F1576Eu);  // masked CRC of the data
    EXPECT_EQ(u32_at(out, 9), masked_crc32c(bytes(std::string_view(out).substr(1, 8))));
}

TEST(TfRecord, EmptyRecord) {
    std::string out;
    append_record(out, "");
    ASSERT_EQ(out.size(), 16u);
    EXPECT_EQ(u64_at(out, 0), 0u);
    EXPECT_EQ(u32_at(out, 8), 0x07980329u);
    EXPECT_EQ(u32_at(out, 12), 0xA282EAD8u);
}

TEST(TfRecord, BinaryDataWithZeros) {
    const std::string data("\0\xff\0\x01", 4);
    std::string out;
    append_record(out, data);
    EXPECT_EQ(out.substr(12, 4), data);
    EXPECT_EQ(u32_at(out, 16), masked_crc32c(bytes(data)));
}

}  // namespace
}  // namespace magmadnn::io::detail
