#include "magmadnn/io/csv.h"

#include <gtest/gtest.h>

#include "data/temp_dir.h"
#include "magmadnn/core/error.h"

using namespace magmadnn;
using magmadnn::test::TempDir;

TEST(ReadCsvToTensor, FillsThePreallocatedTable) {
    TempDir dir;
    const std::string path = dir.write("t.csv", "1,2,3\n4,5,6\n");
    Tensor<float> table({2, 3}, HOST);
    io::read_csv_to_tensor(table, path);
    EXPECT_EQ(table.get({1, 2}), 6.0f);
    EXPECT_EQ(table.to_vector(), (std::vector<float>{1, 2, 3, 4, 5, 6}));

    Tensor<double> semi({1, 2}, HOST);
    io::read_csv_to_tensor(semi, dir.write("s.csv", "0.25;-1\n"), ';');
    EXPECT_EQ(semi.to_vector(), (std::vector<double>{0.25, -1}));
}

TEST(ReadCsvToTensor, ShapeMismatchNamesBothShapes) {
    TempDir dir;
    const std::string path = dir.write("t.csv", "1,2,3\n4,5,6\n");
    Tensor<float> table({3, 3}, HOST);
    try {
        io::read_csv_to_tensor(table, path);
        FAIL() << "expected ShapeError";
    } catch (const ShapeError& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("{2, 3}"), std::string::npos) << msg;
        EXPECT_NE(msg.find("{3, 3}"), std::string::npos) << msg;
        EXPECT_NE(msg.find(path), std::string::npos) << msg;
    }
}

TEST(ReadCsvToTensor, TextAndMissingFile) {
    TempDir dir;
    Tensor<float> table({1, 2}, HOST);
    EXPECT_THROW(io::read_csv_to_tensor(table, dir.write("h.csv", "a,b\n")), FormatError);
    EXPECT_THROW(io::read_csv_to_tensor(table, dir.file("none.csv")), IOError);
}
