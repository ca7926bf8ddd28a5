// Integration: the real Fashion-MNIST test split from Debian's dataset-fashion-mnist.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "magmadnn/data/dataset.h"

using namespace magmadnn;

TEST(FashionMnist, RealTestSplit) {
    const std::string dir = "/usr/share/datasets/fashion-mnist";
    if (!std::filesystem::exists(dir + "/t10k-images-idx3-ubyte.gz")) {
        GTEST_SKIP() << dir << " is absent (apt-get install dataset-fashion-mnist)";
    }
    const auto test = data::load_mnist_like<float>(dir, data::Split::test);
    ASSERT_EQ(test.x.shape(), (Shape{10000, 784}));
    ASSERT_EQ(test.labels.shape(), (Shape{10000}));
    const auto labels = test.labels.to_vector();
    EXPECT_EQ(*std::min_element(labels.begin(), labels.end()), 0);
    EXPECT_EQ(*std::max_element(labels.begin(), labels.end()), 9);
    const auto px = test.x.to_vector();
    EXPECT_EQ(*std::min_element(px.begin(), px.end()), 0.0f);
    EXPECT_EQ(*std::max_element(px.begin(), px.end()), 1.0f);
    // Each class has exactly 1000 test images.
    std::vector<int> count(10, 0);
    for (int l : labels) ++count[static_cast<std::size_t>(l)];
    EXPECT_EQ(count, std::vector<int>(10, 1000));
}

TEST(FashionMnist, FoundByName) {
    if (!std::filesystem::exists("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz")) {
        GTEST_SKIP() << "/usr/share/datasets/fashion-mnist is absent";
    }
    const auto test = data::load_mnist_like<float>("fashion-mnist", data::Split::test);
    EXPECT_EQ(test.x.shape(), (Shape{10000, 784}));
}
