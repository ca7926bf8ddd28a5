#include "magmadnn/data/csv.h"

#include <gtest/gtest.h>

#include "data/temp_dir.h"
#include "magmadnn/core/error.h"

using namespace magmadnn;
using magmadnn::test::TempDir;

namespace {

template <typename E>
std::string error_of(const std::string& path, const data::CsvOptions& options = {}) {
    try {
        data::read_csv<float>(path, options);
    } catch (const E& e) {
        return e.what();
    }
    ADD_FAILURE() << "expected an error for " << path;
    return {};
}

void expect_contains(const std::string& message, const std::string& part) {
    EXPECT_NE(message.find(part), std::string::npos) << "'" << part << "' not in: " << message;
}

}  // namespace

TEST(Csv, HeaderAndLabelColumn) {
    TempDir dir;
    const std::string path = dir.write("t.csv",
                                       "label,x,\"y, quoted\"\r\n"
                                       "1, 0.5 ,-2\r\n"
                                       "\r\n"
                                       "0,1e3,+3.25\r\n"
                                       "2,\"7\",nan\n");
    data::CsvOptions opt;
    opt.label_column = 0;
    const auto t = data::read_csv<double>(path, opt);
    EXPECT_EQ(t.features.shape(), (Shape{3, 2}));
    EXPECT_EQ(t.labels.to_vector(), (std::vector<std::int32_t>{1, 0, 2}));
    EXPECT_EQ(t.column_names, (std::vector<std::string>{"x", "y, quoted"}));
    EXPECT_EQ(t.label_name, "label");
    EXPECT_DOUBLE_EQ(t.features.get({0, 0}), 0.5);
    EXPECT_DOUBLE_EQ(t.features.get({0, 1}), -2.0);
    EXPECT_DOUBLE_EQ(t.features.get({1, 0}), 1000.0);
    EXPECT_DOUBLE_EQ(t.features.get({1, 1}), 3.25);
    EXPECT_DOUBLE_EQ(t.features.get({2, 0}), 7.0);
    EXPECT_TRUE(std::isnan(t.features.get({2, 1})));
}

TEST(Csv, NoHeaderNoLabelsOtherDelimiter) {
    TempDir dir;
    const std::string path = dir.write("t.tsv", "1\t2\t3\n4\t5\t6");
    data::CsvOptions opt;
    opt.header = false;
    opt.delimiter = '\t';
    const auto t = data::read_csv<float>(path, opt);
    EXPECT_EQ(t.features.to_vector(), (std::vector<float>{1, 2, 3, 4, 5, 6}));
    EXPECT_EQ(t.labels.size(), 0);
    EXPECT_TRUE(t.column_names.empty());
}

TEST(Csv, LastColumnLabels) {
    TempDir dir;
    const std::string path = dir.write("t.csv", "a,b,class\n1,2,3\n4,5,6\n");
    data::CsvOptions opt;
    opt.label_column = 2;
    const auto t = data::read_csv<float>(path, opt);
    EXPECT_EQ(t.features.to_vector(), (std::vector<float>{1, 2, 4, 5}));
    EXPECT_EQ(t.labels.to_vector(), (std::vector<std::int32_t>{3, 6}));
}

TEST(Csv, TextInANumberColumnNamesLineAndColumn) {
    TempDir dir;
    const std::string path = dir.write("t.csv", "a,b,c\n1,2,3\n4,abc,6\n");
    const std::string msg = error_of<FormatError>(path);
    expect_contains(msg, path);
    expect_contains(msg, "line 3");
    expect_contains(msg, "column 2");
    expect_contains(msg, "'abc'");
    expect_contains(msg, "('b')");
}

TEST(Csv, NumberWithTrailingText) {
    TempDir dir;
    const std::string msg = error_of<FormatError>(dir.write("t.csv", "a\n1.5x\n"));
    expect_contains(msg, "line 2, column 1");
    expect_contains(msg, "'1.5x'");
}

TEST(Csv, NonIntegerLabel) {
    TempDir dir;
    data::CsvOptions opt;
    opt.label_column = 0;
    const std::string msg = error_of<FormatError>(dir.write("t.csv", "y,x\n1.5,2\n"), opt);
    expect_contains(msg, "integer label");
}

TEST(Csv, ShortAndLongRows) {
    TempDir dir;
    std::string msg = error_of<FormatError>(dir.write("s.csv", "a,b,c\n1,2,3\n4,5\n"));
    expect_contains(msg, "line 3 has 2 fields, expected 3");
    msg = error_of<FormatError>(dir.write("l.csv", "a,b\n1,2\n\n3,4,5\n"));
    expect_contains(msg, "line 4 has 3 fields, expected 2");
}

TEST(Csv, EmptyFieldIsAMissingValue) {
    TempDir dir;
    const std::string msg = error_of<FormatError>(dir.write("t.csv", "a,b\n1,\n"));
    expect_contains(msg, "line 2, column 2");
    expect_contains(msg, "empty field");
}

TEST(Csv, EmptyFileAndHeaderOnly) {
    TempDir dir;
    expect_contains(error_of<FormatError>(dir.write("e.csv", "")), "empty");
    expect_contains(error_of<FormatError>(dir.write("w.csv", "\n  \n")), "empty");
    expect_contains(error_of<FormatError>(dir.write("h.csv", "a,b\n")), "no data rows");
}

TEST(Csv, MissingFileAndBadLabelColumn) {
    TempDir dir;
    expect_contains(error_of<IOError>(dir.file("none.csv")), "none.csv");
    data::CsvOptions opt;
    opt.label_column = 5;
    expect_contains(error_of<ValueError>(dir.write("t.csv", "a,b\n1,2\n"), opt), "label_column 5");
}

TEST(Csv, UnterminatedQuote) {
    TempDir dir;
    expect_contains(error_of<FormatError>(dir.write("q.csv", "a,b\n1,\"2\n")), "closing quote");
}
