#include <gtest/gtest.h>

#include "magmadnn.h"
#include "test_util.h"

using namespace magmadnn;

TEST(Tensor, ShapeAndElementAccess) {
    Tensor<float> t({2, 3, 4}, HOST);
    EXPECT_EQ(t.size(), 24);
    EXPECT_EQ(t.ndim(), 3);
    EXPECT_EQ(t.shape(-1), 4);
    EXPECT_EQ(t.get_shape(1), 3);
    t.set({1, 2, 3}, 7.5f);
    EXPECT_EQ(t.get({1, 2, 3}), 7.5f);
    EXPECT_EQ(t.get_flat(23), 7.5f);
    EXPECT_EQ(t.get({0, 0, 0}), 0.0f);  // new storage is zeroed
}

TEST(Tensor, CopiesShareStorageClonesDoNot) {
    Tensor<double> a({3}, HOST);
    Tensor<double> b = a;
    b.set({1}, 2.0);
    EXPECT_EQ(a.get({1}), 2.0);
    EXPECT_TRUE(a.shares_storage(b));
    Tensor<double> c = a.clone();
    c.set({1}, 5.0);
    EXPECT_EQ(a.get({1}), 2.0);
    EXPECT_FALSE(a.shares_storage(c));
}

TEST(Tensor, SliceIsAViewOfRows) {
    Tensor<float> t = Tensor<float>::from_vector({0, 1, 2, 3, 4, 5, 6, 7}, {4, 2});
    Tensor<float> rows = t.slice(1, 3);
    EXPECT_EQ(rows.shape(), (Shape{2, 2}));
    EXPECT_EQ(rows.get({0, 0}), 2.0f);
    rows.set({1, 1}, 50.0f);
    EXPECT_EQ(t.get({2, 1}), 50.0f);
    Tensor<float> row = t[3];
    EXPECT_EQ(row.shape(), (Shape{2}));
    EXPECT_EQ(row.get({0}), 6.0f);
    EXPECT_TRUE(row.shares_storage(t));
}

TEST(Tensor, ReshapeKeepsDataAndInfersOneAxis) {
    Tensor<float> t = Tensor<float>::from_vector({0, 1, 2, 3, 4, 5}, {2, 3});
    Tensor<float> r = t.reshape({3, -1});
    EXPECT_EQ(r.shape(), (Shape{3, 2}));
    EXPECT_EQ(r.get({2, 1}), 5.0f);
    EXPECT_THROW(t.reshape({4, 2}), ShapeError);
    EXPECT_THROW(t.reshape({-1, -1}), ShapeError);
}

TEST(Tensor, BadIndicesThrowWithTheShape) {
    Tensor<float> t({2, 3}, HOST);
    try {
        t.get({2, 0});
        FAIL() << "expected ValueError";
    } catch (const ValueError& e) {
        EXPECT_NE(std::string(e.what()).find("{2, 3}"), std::string::npos) << e.what();
    }
    EXPECT_THROW(t.get({0}), ValueError);
    EXPECT_THROW(t.slice(1, 5), ValueError);
    EXPECT_THROW(Tensor<float>({2, -1}, HOST), ValueError);
    EXPECT_THROW(Tensor<float>::from_vector({1, 2, 3}, {2, 2}), ShapeError);
}

TEST(Tensor, CastConvertsEveryElementType) {
    Tensor<float> t = Tensor<float>::from_vector({1.5f, -2.25f, 300.0f, 0.1f}, {4});
    const auto h = t.cast<f16>();
    const auto b = t.cast<bf16>();
    const auto i = t.cast<std::int32_t>();
    const auto u = t.cast<std::uint8_t>().to_vector();
    const auto d = h.cast<double>();
    EXPECT_EQ(d.get({0}), 1.5);
    EXPECT_EQ(d.get({2}), 300.0);
    EXPECT_NEAR(d.get({3}), 0.1, 1e-4);
    EXPECT_EQ(static_cast<float>(b.get({1})), -2.25f);
    EXPECT_EQ(i.get({1}), -2);
    EXPECT_EQ(u[0], 1);
    EXPECT_EQ(h.dtype(), DType::f16);
}

TEST(Tensor, FillAndToVector) {
    Tensor<std::int32_t> t({5}, HOST);
    t.fill(7);
    EXPECT_EQ(t.to_vector(), std::vector<std::int32_t>(5, 7));
    Tensor<float> z({0, 4}, HOST);
    EXPECT_TRUE(z.empty());
}

TEST(Tensor, DeviceMemoryWithoutGpuSaysSo) {
    if (has_device()) GTEST_SKIP() << "a device is present";
    try {
        Tensor<float> t({4}, DEVICE);
        FAIL() << "expected an error";
    } catch (const Error& e) {
        const std::string msg = e.what();
        EXPECT_TRUE(msg.find("no CUDA support") != std::string::npos ||
                    msg.find("none is present") != std::string::npos)
            << msg;
    }
    EXPECT_THROW(Tensor<float>({4}, MANAGED), Error);
    EXPECT_THROW(Tensor<float>({4}, CUDA_MANAGED), Error);
}
