#include "magmadnn/data/csv.h"

#include <gtest/gtest.h>

#include <cmath>

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
                                       "2,\"7\",-0.125\n");
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
    EXPECT_DOUBLE_EQ(t.features.get({2, 1}), -0.125);
    EXPECT_EQ(t.lines, (std::vector<index_t>{2, 4, 5}));  // line 3 is blank
    EXPECT_EQ(t.missing_values, 0);
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
    const std::string path = dir.write("t.csv", "a,b\n1,\n");
    const std::string msg = error_of<FormatError>(path);
    expect_contains(msg, path);
    expect_contains(msg, "line 2, column 2 ('b')");
    expect_contains(msg, "missing value (an empty field)");
    expect_contains(msg, "--missing drop|zero|mean");
}

TEST(Csv, NanInAnyCaseIsAMissingValue) {
    TempDir dir;
    for (const std::string nan : {"nan", "NaN", "-NAN", "+nan", "nan(1)"}) {
        const std::string msg = error_of<FormatError>(dir.write("t.csv", "a,b\n1,2\n3," + nan));
        expect_contains(msg, "line 3, column 2 ('b'): missing value ('" + nan + "')");
        expect_contains(msg, "--missing drop|zero|mean");
    }
}

TEST(Csv, InfinityIsAnErrorUnderEveryPolicy) {
    TempDir dir;
    for (const std::string inf : {"inf", "-Infinity", "+INF"}) {
        const std::string path = dir.write("t.csv", "a,b\n1,2\n" + inf + ",3\n");
        for (const auto policy : {data::Missing::error, data::Missing::drop, data::Missing::zero,
                                  data::Missing::mean}) {
            data::CsvOptions opt;
            opt.missing = policy;
            const std::string msg = error_of<FormatError>(path, opt);
            expect_contains(msg, "line 3, column 1 ('a'): '" + inf + "' is infinite");
        }
    }
}

TEST(Csv, OutOfRangeIsAnErrorAndUnderflowReadsAsZero) {
    TempDir dir;
    const std::string big = dir.write("big.csv", "a\n1e39\n");
    expect_contains(error_of<FormatError>(big), "'1e39' is beyond the range of float");
    data::CsvOptions opt;
    opt.missing = data::Missing::zero;
    expect_contains(error_of<FormatError>(big, opt), "beyond the range of float");
    EXPECT_DOUBLE_EQ(data::read_csv<double>(big).features.get({0, 0}), 1e39);
    const std::string huge = dir.write("huge.csv", "a\n-1e400\n1\n");
    try {
        data::read_csv<double>(huge);
        ADD_FAILURE() << "no error for -1e400 as double";
    } catch (const FormatError& e) {
        expect_contains(e.what(), "line 2, column 1 ('a'): '-1e400' is beyond the range of double");
    }
    const auto tiny = data::read_csv<float>(dir.write("tiny.csv", "a\n1e-50\n-1e-5000\n"));
    EXPECT_EQ(tiny.features.get({0, 0}), 0.0f);
    EXPECT_EQ(tiny.features.get({1, 0}), 0.0f);
    EXPECT_TRUE(std::signbit(tiny.features.get({1, 0})));
}

TEST(Csv, MissingZeroFillsInZero) {
    TempDir dir;
    data::CsvOptions opt;
    opt.missing = data::Missing::zero;
    const auto t = data::read_csv<float>(dir.write("t.csv", "a,b\n1,\nNaN,4\n5,6\n"), opt);
    EXPECT_EQ(t.features.to_vector(), (std::vector<float>{1, 0, 0, 4, 5, 6}));
    EXPECT_EQ(t.missing_values, 2);
    EXPECT_EQ(t.rows_dropped, 0);
}

TEST(Csv, MissingMeanFillsInTheColumnMeanOfTheRowsWithAValue) {
    TempDir dir;
    data::CsvOptions opt;
    opt.missing = data::Missing::mean;
    opt.label_column = 1;
    const auto t =
        data::read_csv<double>(dir.write("t.csv", "a,y,b\n1,0,\n,1,4\n5,0,nan\n6,1,10\n"), opt);
    // a: mean(1, 5, 6) = 4; b: mean(4, 10) = 7
    EXPECT_EQ(t.features.to_vector(), (std::vector<double>{1, 7, 4, 4, 5, 7, 6, 10}));
    EXPECT_EQ(t.labels.to_vector(), (std::vector<std::int32_t>{0, 1, 0, 1}));
    EXPECT_EQ(t.missing_values, 3);
    const std::string msg =
        error_of<FormatError>(dir.write("e.csv", "a,y,b\n1,0,\n2,1,nan\n"), opt);
    expect_contains(msg, "column 3 ('b') has no value in any row");
}

TEST(Csv, MissingDropLeavesTheRowOut) {
    TempDir dir;
    data::CsvOptions opt;
    opt.missing = data::Missing::drop;
    opt.label_column = 0;
    const auto t = data::read_csv<float>(
        dir.write("t.csv", "y,a,b\n0,1,2\n1,,3\n\n2,4,5\n0,nan,nan\n1,6,7\n"), opt);
    EXPECT_EQ(t.features.shape(), (Shape{3, 2}));
    EXPECT_EQ(t.features.to_vector(), (std::vector<float>{1, 2, 4, 5, 6, 7}));
    EXPECT_EQ(t.labels.to_vector(), (std::vector<std::int32_t>{0, 2, 1}));
    EXPECT_EQ(t.lines, (std::vector<index_t>{2, 5, 7}));
    EXPECT_EQ(t.missing_values, 3);
    EXPECT_EQ(t.rows_dropped, 2);
    expect_contains(error_of<FormatError>(dir.write("all.csv", "y,a\n0,\n1,nan\n"), opt),
                    "every one of the 2 data rows");
}

TEST(Csv, AMissingLabelIsAnErrorUnderEveryPolicy) {
    TempDir dir;
    for (const std::string label : {"", "nan", "NaN"}) {
        const std::string path = dir.write("t.csv", "x,y\n1,0\n2," + label + "\n");
        for (const auto policy : {data::Missing::error, data::Missing::drop, data::Missing::zero,
                                  data::Missing::mean}) {
            data::CsvOptions opt;
            opt.label_column = 1;
            opt.missing = policy;
            const std::string msg = error_of<FormatError>(path, opt);
            expect_contains(msg, "line 3, column 2 ('y'): the label is missing");
            expect_contains(msg, "never imputed");
        }
    }
}

TEST(Csv, SignsAreCheckedOnce) {
    TempDir dir;
    expect_contains(error_of<FormatError>(dir.write("t.csv", "a\n+-1\n")), "'+-1'");
    EXPECT_EQ(data::read_csv<float>(dir.write("p.csv", "a\n+2.5\n")).features.get({0, 0}), 2.5f);
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

TEST(Csv, WideHeaderOverShortRowsFailsBeforeAllocating) {
    // 200000 columns x 200000 rows would be 160 GB of floats: the short row is found first
    TempDir dir;
    const std::size_t n = 200000;
    std::string text;
    for (std::size_t c = 0; c < n; ++c) text += c == 0 ? "1" : ",1";
    text += '\n';
    for (std::size_t r = 0; r < n; ++r) text += "1\n";
    data::CsvOptions opt;
    opt.header = false;
    expect_contains(error_of<FormatError>(dir.write("wide.csv", text), opt),
                    "line 2 has 1 fields, expected 200000");
}
