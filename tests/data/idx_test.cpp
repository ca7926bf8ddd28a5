#include "magmadnn/data/idx.h"

#include <gtest/gtest.h>

#include "data/idx_writer.h"
#include "data/temp_dir.h"
#include "magmadnn/core/error.h"

using namespace magmadnn;
using magmadnn::test::idx_bytes;
using magmadnn::test::TempDir;

namespace {

std::vector<unsigned char> iota_bytes(std::size_t n) {
    std::vector<unsigned char> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<unsigned char>(i * 7 % 256);
    return v;
}

// The FormatError message of read_idx(path); fails the test if there is none.
std::string format_error(const std::string& path) {
    try {
        data::read_idx(path);
    } catch (const FormatError& e) {
        return e.what();
    }
    ADD_FAILURE() << "expected FormatError for " << path;
    return {};
}

void expect_contains(const std::string& message, const std::string& part) {
    EXPECT_NE(message.find(part), std::string::npos) << "'" << part << "' not in: " << message;
}

}  // namespace

TEST(Idx, RoundTripRaw) {
    TempDir dir;
    const auto data = iota_bytes(2 * 3 * 4);
    const std::string path = dir.write_bytes("a.idx", idx_bytes({2, 3, 4}, data));
    const Tensor<std::uint8_t> t = data::read_idx(path);
    EXPECT_EQ(t.shape(), (Shape{2, 3, 4}));
    EXPECT_EQ(t.to_vector(), data);
}

TEST(Idx, RoundTripGzip) {
    TempDir dir;
    const auto data = iota_bytes(5 * 28 * 28);
    const std::string path = dir.file("images.gz");
    ASSERT_TRUE(test::write_gz(path, idx_bytes({5, 28, 28}, data)));
    const Tensor<std::uint8_t> t = data::read_idx(path);
    EXPECT_EQ(t.shape(), (Shape{5, 28, 28}));
    EXPECT_EQ(t.to_vector(), data);
}

TEST(Idx, OneDimensionalLabels) {
    TempDir dir;
    const std::string path = dir.write_bytes("labels", idx_bytes({4}, {3, 1, 4, 1}));
    EXPECT_EQ(data::read_idx(path).to_vector(), (std::vector<std::uint8_t>{3, 1, 4, 1}));
}

TEST(Idx, MissingFileIsAnIOErrorNamingIt) {
    TempDir dir;
    const std::string path = dir.file("nope-idx3-ubyte");
    try {
        data::read_idx(path);
        FAIL() << "expected IOError";
    } catch (const IOError& e) {
        expect_contains(e.what(), path);
        expect_contains(e.what(), "does not exist");
    }
}

TEST(Idx, TruncatedDataSaysExpectedAndPresentBytes) {
    TempDir dir;
    const auto full = idx_bytes({2, 10}, iota_bytes(20));
    const std::vector<unsigned char> cut(full.begin(), full.end() - 5);
    const std::string msg = format_error(dir.write_bytes("t.idx", cut));
    expect_contains(msg, "truncated");
    expect_contains(msg, "promises 20");
    expect_contains(msg, "holds 15");
}

TEST(Idx, TruncatedGzip) {
    TempDir dir;
    const std::string full = dir.file("full.gz");
    ASSERT_TRUE(test::write_gz(full, idx_bytes({100, 100}, iota_bytes(10000))));
    std::string gz = test::read_text(full);
    gz.resize(gz.size() / 2);
    const std::string path = dir.write("half.gz", gz);
    EXPECT_THROW(data::read_idx(path), FormatError);
}

TEST(Idx, TruncatedHeader) {
    TempDir dir;
    const std::string msg = format_error(dir.write_bytes("h.idx", {0, 0, 8, 3, 0, 0, 0, 2}));
    expect_contains(msg, "header");
}

TEST(Idx, WrongMagic) {
    TempDir dir;
    auto bytes = idx_bytes({4}, iota_bytes(4));
    bytes[0] = 0x1f;
    bytes[1] = 0x42;
    const std::string path = dir.write_bytes("m.idx", bytes);
    const std::string msg = format_error(path);
    expect_contains(msg, path);
    expect_contains(msg, "magic");
}

TEST(Idx, UnsupportedTypeByte) {
    TempDir dir;
    const std::string msg =
        format_error(dir.write_bytes("f.idx", idx_bytes({1}, {0, 0, 0, 0}, 0x0D)));
    expect_contains(msg, "0x0d");
    expect_contains(msg, "float32");
}

TEST(Idx, HeaderPromisingFarMoreThanTheFileHolds) {
    TempDir dir;  // 4e9 items in a 30-byte file: rejected before allocating anything
    const std::string msg =
        format_error(dir.write_bytes("big.idx", idx_bytes({65536, 65536}, iota_bytes(18))));
    expect_contains(msg, "promises 4294967296");
    expect_contains(msg, "holds 18");
}

TEST(Idx, TrailingBytesAreAnError) {
    TempDir dir;
    const std::string msg = format_error(dir.write_bytes("x.idx", idx_bytes({3}, iota_bytes(5))));
    expect_contains(msg, "2 bytes after the 3 data bytes");
}

TEST(Idx, EmptyFile) {
    TempDir dir;
    EXPECT_THROW(data::read_idx(dir.write("empty", "")), FormatError);
}
