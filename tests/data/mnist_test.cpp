#include <gtest/gtest.h>

#include <cstdlib>

#include "data/idx_writer.h"
#include "data/temp_dir.h"
#include "magmadnn/core/error.h"
#include "magmadnn/data/dataset.h"

using namespace magmadnn;
using magmadnn::test::idx_bytes;
using magmadnn::test::TempDir;

namespace {

// A tiny MNIST-like split: n images whose pixel (i, p) is (i + p) % 256, labels i % 10.
void write_split(const TempDir& dir, const std::string& prefix, std::uint32_t n, bool gz,
                 std::uint32_t label_count = 0, unsigned char bad_label = 0) {
    std::vector<unsigned char> px(n * 784);
    for (std::size_t i = 0; i < px.size(); ++i)
        px[i] = static_cast<unsigned char>(i / 784 + i % 784);
    const std::uint32_t nl = label_count ? label_count : n;
    std::vector<unsigned char> labels(nl);
    for (std::uint32_t i = 0; i < nl; ++i) labels[i] = static_cast<unsigned char>(i % 10);
    if (bad_label) labels.back() = bad_label;
    const auto images = idx_bytes({n, 28, 28}, px);
    const auto labs = idx_bytes({nl}, labels);
    const std::string img_name = prefix + "-images-idx3-ubyte";
    const std::string lab_name = prefix + "-labels-idx1-ubyte";
    if (gz) {
        ASSERT_TRUE(test::write_gz(dir.file(img_name + ".gz"), images));
        ASSERT_TRUE(test::write_gz(dir.file(lab_name + ".gz"), labs));
    } else {
        dir.write_bytes(img_name, images);
        dir.write_bytes(lab_name, labs);
    }
}

}  // namespace

TEST(Mnist, LoadsADirectoryScaledAndFlattened) {
    TempDir dir;
    write_split(dir, "train", 12, true);
    write_split(dir, "t10k", 3, false);
    const auto train = data::load_mnist_like<float>(dir.path().string(), data::Split::train);
    EXPECT_EQ(train.x.shape(), (Shape{12, 784}));
    EXPECT_EQ(train.labels.shape(), (Shape{12}));
    EXPECT_EQ(train.num_classes, 10);
    EXPECT_EQ(train.labels.get({11}), 1);
    EXPECT_FLOAT_EQ(train.x.get({2, 5}), 7.0f / 255.0f);
    const auto test = data::load_mnist_like<double>(dir.path().string(), data::Split::test);
    EXPECT_EQ(test.x.shape(), (Shape{3, 784}));
    EXPECT_DOUBLE_EQ(test.x.get({1, 254}), 1.0);
}

TEST(Mnist, FindsNamedSetsUnderMagmadnnData) {
    TempDir root;
    std::filesystem::create_directories(root.path() / "mnist");
    write_split(root, "mnist/t10k", 4, true);
    ::setenv("MAGMADNN_DATA", root.path().c_str(), 1);
    const auto test = data::load_mnist_like<float>("mnist", data::Split::test);
    ::unsetenv("MAGMADNN_DATA");
    EXPECT_EQ(test.x.shape(), (Shape{4, 784}));
}

TEST(Mnist, NotFoundListsThePlacesAndFiles) {
    TempDir root;
    ::setenv("MAGMADNN_DATA", root.path().c_str(), 1);
    try {
        data::load_mnist_like<float>("mnist", data::Split::train);
        FAIL() << "expected IOError";
    } catch (const IOError& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find((root.path() / "mnist").string()), std::string::npos) << msg;
        EXPECT_NE(msg.find("/usr/share/datasets/mnist"), std::string::npos) << msg;
        EXPECT_NE(msg.find("train-labels-idx1-ubyte.gz"), std::string::npos) << msg;
        EXPECT_NE(msg.find("t10k-images-idx3-ubyte.gz"), std::string::npos) << msg;
    }
    ::unsetenv("MAGMADNN_DATA");
}

TEST(Mnist, UnknownNameOrMissingFiles) {
    EXPECT_THROW(data::load_mnist_like<float>("cifar-77", data::Split::train), IOError);
    TempDir dir;
    write_split(dir, "train", 2, false);
    EXPECT_THROW(data::load_mnist_like<float>(dir.path().string(), data::Split::test), IOError);
}

TEST(Mnist, CountMismatchNamesBothFiles) {
    TempDir dir;
    write_split(dir, "train", 5, false, 4);
    try {
        data::load_mnist_like<float>(dir.path().string(), data::Split::train);
        FAIL() << "expected FormatError";
    } catch (const FormatError& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("train-images-idx3-ubyte"), std::string::npos) << msg;
        EXPECT_NE(msg.find("train-labels-idx1-ubyte"), std::string::npos) << msg;
        EXPECT_NE(msg.find("5 images"), std::string::npos) << msg;
        EXPECT_NE(msg.find("4 labels"), std::string::npos) << msg;
    }
}

TEST(Mnist, LabelOutOfRange) {
    TempDir dir;
    write_split(dir, "train", 3, false, 0, 12);
    EXPECT_THROW(data::load_mnist_like<float>(dir.path().string(), data::Split::train),
                 FormatError);
}

TEST(Mnist, WrongImageSize) {
    TempDir dir;
    dir.write_bytes("train-images-idx3-ubyte",
                    idx_bytes({1, 8, 8}, std::vector<unsigned char>(64)));
    dir.write_bytes("train-labels-idx1-ubyte", idx_bytes({1}, {0}));
    EXPECT_THROW(data::load_mnist_like<float>(dir.path().string(), data::Split::train),
                 FormatError);
}
