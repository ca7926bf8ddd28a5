#include "magmadnn/io/safetensors.h"

#include <gtest/gtest.h>

#include "data/temp_dir.h"
#include "io/reference_content.h"
#include "magmadnn/core/error.h"

using namespace magmadnn;
using magmadnn::test::TempDir;

namespace {

// A file with the given header text (padded to 8) and `data_bytes` zero data bytes.
std::string raw_file(const TempDir& dir, const std::string& name, std::string header,
                     std::size_t data_bytes) {
    header.append((8 - header.size() % 8) % 8, ' ');
    std::string blob(8, '\0');
    for (int b = 0; b < 8; ++b) blob[b] = static_cast<char>((header.size() >> (8 * b)) & 0xff);
    blob += header;
    blob.append(data_bytes, '\0');
    return dir.write(name, blob);
}

std::string format_error(const std::string& path) {
    try {
        io::SafetensorsFile f(path);
    } catch (const FormatError& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find(path), std::string::npos) << "message does not name the file: " << msg;
        return msg;
    }
    ADD_FAILURE() << "expected FormatError for " << path;
    return {};
}

void expect_contains(const std::string& message, const std::string& part) {
    EXPECT_NE(message.find(part), std::string::npos) << "'" << part << "' not in: " << message;
}

template <typename T>
void round_trip(const Shape& shape) {
    TempDir dir;
    const Tensor<T> t = test::reference_tensor<T>(shape);
    io::SafetensorsWriter w;
    w.add("t", t);
    w.write(dir.file("t.safetensors"));
    const io::SafetensorsFile f(dir.file("t.safetensors"));
    EXPECT_EQ(f.dtype("t"), dtype_of<T>::value);
    EXPECT_EQ(f.dtype_name("t"), io::safetensors_dtype_name(dtype_of<T>::value));
    EXPECT_EQ(f.shape("t"), shape);
    EXPECT_TRUE(test::same_elements(f.get<T>("t"), t));
}

}  // namespace

TEST(Safetensors, RoundTripEachDtype) {
    round_trip<float>({3, 4});
    round_trip<double>({2, 5});
    round_trip<f16>({7});
    round_trip<bf16>({2, 2, 2});
    round_trip<std::int32_t>({6});
    round_trip<std::uint8_t>({3, 3});
    round_trip<float>({});       // a scalar
    round_trip<double>({0, 4});  // no elements
}

TEST(Safetensors, ManyTensorsMetadataAndLayout) {
    TempDir dir;
    const std::string path = dir.file("m.safetensors");
    test::reference_writer().write(path);
    const io::SafetensorsFile f(path);
    EXPECT_EQ(f.names().size(), 8u);
    EXPECT_EQ(f.names().front(), "w_f64");  // the largest elements first: every tensor aligned
    for (const auto& [k, v] : test::reference_metadata()) EXPECT_EQ(f.metadata().at(k), v);
    EXPECT_TRUE(f.contains("p_u8"));
    EXPECT_FALSE(f.contains("nope"));
    const std::string blob = test::read_text(path);
    std::uint64_t n = 0;
    for (int b = 7; b >= 0; --b) n = (n << 8) | static_cast<unsigned char>(blob[b]);
    EXPECT_EQ((8 + n) % 8, 0u);
    EXPECT_EQ(blob[8], '{');
}

TEST(Safetensors, SlicesAndNonHostTensorsAreWrittenByValue) {
    TempDir dir;
    const auto t = Tensor<float>::from_vector({0, 1, 2, 3, 4, 5}, {3, 2});
    io::SafetensorsWriter w;
    w.add("rows", t.slice(1, 3));
    w.write(dir.file("s.safetensors"));
    EXPECT_EQ(io::SafetensorsFile(dir.file("s.safetensors")).get<float>("rows").to_vector(),
              (std::vector<float>{2, 3, 4, 5}));
}

TEST(Safetensors, WrongTypeAndConversion) {
    TempDir dir;
    io::SafetensorsWriter w;
    w.add("h", Tensor<f16>::from_vector({f16(1.5f), f16(-2.0f)}, {2}));
    w.write(dir.file("c.safetensors"));
    const io::SafetensorsFile f(dir.file("c.safetensors"));
    try {
        f.get<float>("h");
        FAIL() << "expected FormatError";
    } catch (const FormatError& e) {
        expect_contains(e.what(), "F16, not F32");
    }
    EXPECT_EQ(f.get_as<float>("h").to_vector(), (std::vector<float>{1.5f, -2.0f}));
    EXPECT_EQ(f.get_as<double>("h").to_vector(), (std::vector<double>{1.5, -2.0}));
    EXPECT_THROW(f.get<float>("missing"), ValueError);
}

TEST(Safetensors, WriterRejectsBadNames) {
    io::SafetensorsWriter w;
    w.add("a", Tensor<float>({1}));
    EXPECT_THROW(w.add("a", Tensor<float>({1})), ValueError);
    EXPECT_THROW(w.add("__metadata__", Tensor<float>({1})), ValueError);
    EXPECT_THROW(w.add("", Tensor<float>({1})), ValueError);
}

TEST(Safetensors, ValidDtypesWithoutAnElementTypeAreListed) {
    TempDir dir;
    const std::string path = raw_file(
        dir, "i64.st", R"({"step":{"dtype":"I64","shape":[2],"data_offsets":[0,16]}})", 16);
    const io::SafetensorsFile f(path);
    EXPECT_EQ(f.dtype_name("step"), "I64");
    EXPECT_THROW(f.dtype("step"), UnsupportedError);
    EXPECT_THROW(f.get<float>("step"), UnsupportedError);
}

TEST(SafetensorsCorrupt, ShorterThanEightBytes) {
    TempDir dir;
    expect_contains(format_error(dir.write("s.st", "abc")), "3 bytes");
}

TEST(SafetensorsCorrupt, HeaderLengthBeyondTheFile) {
    TempDir dir;
    std::string blob(8, '\0');
    blob[0] = 100;
    blob += "{}";
    expect_contains(format_error(dir.write("l.st", blob)), "header length is 100 bytes");
}

TEST(SafetensorsCorrupt, HeaderNotJsonOrNotAnObject) {
    TempDir dir;
    expect_contains(format_error(raw_file(dir, "j.st", "{\"a\": [1,", 0)), "not valid JSON");
    expect_contains(format_error(raw_file(dir, "o.st", "[1, 2]", 0)), "expected an object");
}

TEST(SafetensorsCorrupt, UnknownDtype) {
    TempDir dir;
    expect_contains(
        format_error(raw_file(dir, "d.st",
                              R"({"x":{"dtype":"F128","shape":[1],"data_offsets":[0,16]}})", 16)),
        "\"F128\"");
}

TEST(SafetensorsCorrupt, ShapeAndOffsetsDisagree) {
    TempDir dir;
    expect_contains(
        format_error(raw_file(dir, "s.st",
                              R"({"x":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}})", 20)),
        "span 20 bytes, but dtype F32 and shape [2,3] need 24");
}

TEST(SafetensorsCorrupt, OffsetsOutOfRange) {
    TempDir dir;
    expect_contains(
        format_error(
            raw_file(dir, "r.st", R"({"x":{"dtype":"U8","shape":[8],"data_offsets":[4,12]}})", 8)),
        "reach past the 8-byte data section");
}

TEST(SafetensorsCorrupt, Overlap) {
    TempDir dir;
    expect_contains(format_error(raw_file(dir, "o.st",
                                          R"({"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},)"
                                          R"("b":{"dtype":"U8","shape":[4],"data_offsets":[2,6]}})",
                                          6)),
                    "overlap");
}

TEST(SafetensorsCorrupt, GapsAndTrailingBytes) {
    TempDir dir;
    expect_contains(
        format_error(
            raw_file(dir, "g.st", R"({"a":{"dtype":"U8","shape":[4],"data_offsets":[2,6]}})", 6)),
        "belong to no tensor");
    expect_contains(
        format_error(
            raw_file(dir, "t.st", R"({"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}})", 9)),
        "5 bytes at the end");
}

TEST(SafetensorsCorrupt, DuplicateNames) {
    TempDir dir;
    expect_contains(format_error(raw_file(dir, "d.st",
                                          R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},)"
                                          R"("a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}})",
                                          2)),
                    "names 'a' twice");
}

TEST(SafetensorsCorrupt, BadEntriesAndMetadata) {
    TempDir dir;
    expect_contains(format_error(raw_file(dir, "m.st", R"({"__metadata__":{"k":1}})", 0)),
                    "expected a string");
    expect_contains(format_error(raw_file(dir, "e.st", R"({"a":{"dtype":"U8"}})", 0)),
                    "expected an object with dtype, shape and data_offsets");
    expect_contains(
        format_error(
            raw_file(dir, "n.st", R"({"a":{"dtype":"U8","shape":[-1],"data_offsets":[0,0]}})", 0)),
        "non-negative integer");
}

TEST(SafetensorsCorrupt, MissingFileIsAnIOError) {
    TempDir dir;
    EXPECT_THROW(io::SafetensorsFile(dir.file("none.safetensors")), IOError);
}

TEST(SafetensorsCorrupt, DeepNestingIsAFormatError) {
    TempDir dir;
    // 100000 levels overflowed the stack in the error message's dump() before the depth limit
    const std::size_t depth = 100000;
    const std::string deep = std::string(depth, '[') + std::string(depth, ']');
    expect_contains(format_error(raw_file(dir, "deep.st", R"({"a":)" + deep + "}", 0)),
                    "nests deeper than 64 levels");
}
