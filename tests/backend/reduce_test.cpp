#include <gtest/gtest.h>

#include <cmath>

#include "magmadnn.h"
#include "test_util.h"

using namespace magmadnn;

TEST(Reduce, SumMeanMaxOverEachAxis) {
    const auto x = test::random_tensor<double>({3, 4, 5}, 1);
    for (int axis = 0; axis < 3; ++axis) {
        const auto s = math::sum(x, axis);
        const auto m = math::mean(x, axis);
        const auto mx = math::max(x, axis);
        Shape expect = x.shape();
        expect.erase(expect.begin() + axis);
        ASSERT_EQ(s.shape(), expect);
        for (index_t i = 0; i < s.size(); ++i) {
            // decompose the output index and loop the reduced axis
            index_t idx[2] = {i / expect[1], i % expect[1]};
            double sum = 0, best = -1e300;
            for (index_t l = 0; l < x.shape(axis); ++l) {
                std::vector<index_t> full(3);
                int k = 0;
                for (int d = 0; d < 3; ++d) full[d] = d == axis ? l : idx[k++];
                sum += x.get(full);
                best = std::max(best, x.get(full));
            }
            EXPECT_NEAR(s.get_flat(i), sum, 1e-13);
            EXPECT_NEAR(m.get_flat(i), sum / double(x.shape(axis)), 1e-14);
            EXPECT_EQ(mx.get_flat(i), best);
        }
    }
}

TEST(Reduce, AllAxesAndKeepdims) {
    const auto x = test::random_tensor<float>({10, 10}, 2);
    double total = 0;
    for (float v : x.to_vector()) total += v;
    const auto s = math::sum(x);
    EXPECT_EQ(s.size(), 1);
    EXPECT_NEAR(s.get_flat(0), total, 1e-5);
    EXPECT_EQ(math::sum(x, 1, true).shape(), (Shape{10, 1}));
    EXPECT_EQ(math::sum(x, math::all_axes, true).shape(), (Shape{1, 1}));
    EXPECT_THROW(math::sum(x, 2), ValueError);
}

TEST(Reduce, MeanOfManyF32KeepsDigits) {
    Tensor<float> x({60000}, HOST);
    x.fill(0.1f);
    EXPECT_NEAR(math::mean(x).get_flat(0), 0.1f, 1e-7);
}

TEST(Reduce, ToShapeSumsBroadcastAxes) {
    const auto g = test::random_tensor<double>({4, 3, 5}, 3);
    Tensor<double> b({3, 1}, HOST);
    math::reduce_to_shape(g, b);
    for (index_t j = 0; j < 3; ++j) {
        double s = 0;
        for (index_t i = 0; i < 4; ++i) {
            for (index_t k = 0; k < 5; ++k) s += g.get({i, j, k});
        }
        EXPECT_NEAR(b.get({j, 0}), s, 1e-13);
    }
    Tensor<double> bad({2}, HOST);
    EXPECT_THROW(math::reduce_to_shape(g, bad), ShapeError);
}

TEST(Reduce, ArgmaxFirstOnTies) {
    const auto x = Tensor<float>::from_vector({1, 5, 5, 0, 9, 2, -1, -1, -3}, {3, 3});
    EXPECT_EQ(math::argmax(x, 1).to_vector(), (std::vector<std::int32_t>{1, 1, 0}));
    EXPECT_EQ(math::argmax(x, 0).to_vector(), (std::vector<std::int32_t>{0, 1, 0}));
}

TEST(Softmax, RowsSumToOneAndMatchReference) {
    auto x = test::random_tensor<double>({7, 13}, 4, -30, 30);
    x.set({0, 0}, 800.0);  // would overflow exp() without the max shift
    const auto y = math::softmax(x);
    Tensor<double> ly(x.shape(), HOST);
    math::log_softmax(x, ly);
    for (index_t r = 0; r < 7; ++r) {
        double m = -1e300, total = 0;
        for (index_t c = 0; c < 13; ++c) m = std::max(m, x.get({r, c}));
        for (index_t c = 0; c < 13; ++c) total += std::exp(x.get({r, c}) - m);
        double rowsum = 0;
        for (index_t c = 0; c < 13; ++c) {
            const double want = std::exp(x.get({r, c}) - m) / total;
            EXPECT_NEAR(y.get({r, c}), want, 1e-15);
            EXPECT_NEAR(ly.get({r, c}), x.get({r, c}) - m - std::log(total), 1e-12);
            rowsum += y.get({r, c});
        }
        EXPECT_NEAR(rowsum, 1.0, 1e-14);
    }
}
