#include "magmadnn/data/transforms.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>

#include "magmadnn/core/error.h"

using namespace magmadnn;

TEST(OneHot, RowsHaveASingleOne) {
    const auto labels = Tensor<std::int32_t>::from_vector({2, 0, 1}, {3});
    const Tensor<float> y = data::one_hot<float>(labels, 3);
    EXPECT_EQ(y.shape(), (Shape{3, 3}));
    EXPECT_EQ(y.to_vector(), (std::vector<float>{0, 0, 1, 1, 0, 0, 0, 1, 0}));
}

TEST(OneHot, BadLabelNamesIndexAndValue) {
    const auto labels = Tensor<std::int32_t>::from_vector({0, 1, 10, 2}, {4});
    try {
        data::one_hot<double>(labels, 10);
        FAIL() << "expected ValueError";
    } catch (const ValueError& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("label 10 (at index 2)"), std::string::npos) << msg;
        EXPECT_NE(msg.find("[0, 10)"), std::string::npos) << msg;
    }
    EXPECT_THROW(data::one_hot<float>(Tensor<std::int32_t>::from_vector({-1}, {1}), 3), ValueError);
    EXPECT_THROW(data::one_hot<float>(Tensor<std::int32_t>({2, 2}), 3), ShapeError);
}

TEST(Standardizer, ZeroMeanUnitVarianceAndConstantColumns) {
    auto x = Tensor<double>::from_vector({1, 5, 10, 3, 5, 20, 5, 5, 30}, {3, 3});
    data::Standardizer<double> s;
    s.fit(x);
    EXPECT_DOUBLE_EQ(s.mean.get({0}), 3.0);
    EXPECT_DOUBLE_EQ(s.stddev.get({1}), 1.0);  // constant column
    s.apply(x);
    for (index_t j = 0; j < 3; ++j) {
        double mean = 0, sq = 0;
        for (index_t i = 0; i < 3; ++i) mean += x.get({i, j}) / 3;
        for (index_t i = 0; i < 3; ++i) sq += (x.get({i, j}) - mean) * (x.get({i, j}) - mean) / 3;
        EXPECT_NEAR(mean, 0.0, 1e-12);
        EXPECT_NEAR(sq, j == 1 ? 0.0 : 1.0, 1e-12);
    }
    Tensor<double> wrong({2, 4});
    EXPECT_THROW(s.apply(wrong), ShapeError);
    data::Standardizer<double> unfitted;
    EXPECT_THROW(unfitted.apply(x), ValueError);
}

TEST(Standardizer, RandomRowsGetMeanZeroAndStdOne) {
    // 500 rows of 6 features of very different scales and offsets (up to 5e4 + 1e4 x), fitted
    // on the first 400 rows: those rows come out with |mean| < 1e-4 and |std - 1| < 1e-4 (float
    // rounding of values near 5e4 is about 4e-3, i.e. 4e-7 of the std); the other 100 rows are
    // only transformed with the same statistics.
    std::mt19937 gen(11);
    std::normal_distribution<double> z(0.0, 1.0);
    const index_t n = 500, fit_rows = 400, f = 6;
    const double offset[f] = {0, 5e4, -3, 1e-3, 100, 7};
    const double spread[f] = {1, 1e4, 0.01, 1e-4, 50, 0};  // the last column is constant
    Tensor<float> x({n, f});
    for (index_t i = 0; i < n; ++i) {
        for (index_t j = 0; j < f; ++j) x.set({i, j}, float(offset[j] + spread[j] * z(gen)));
    }
    const std::vector<float> raw = x.to_vector();
    data::Standardizer<float> s;
    s.fit(x.slice(0, fit_rows));
    EXPECT_EQ(s.features(), f);
    EXPECT_EQ(s.stddev.get({5}), 1.0f);  // a constant column: std taken as 1, only centred
    s.apply(x);
    for (index_t j = 0; j < f; ++j) {
        double mean = 0, sq = 0;
        for (index_t i = 0; i < fit_rows; ++i) mean += x.get({i, j}) / double(fit_rows);
        for (index_t i = 0; i < fit_rows; ++i) {
            sq += (x.get({i, j}) - mean) * (x.get({i, j}) - mean) / double(fit_rows);
        }
        EXPECT_NEAR(mean, 0.0, 1e-4) << "feature " << j;
        EXPECT_NEAR(std::sqrt(sq), j == 5 ? 0.0 : 1.0, 1e-4) << "feature " << j;
    }
    for (index_t i = fit_rows; i < n; ++i) {  // the held-out rows: the training statistics
        for (index_t j = 0; j < f; ++j) {
            const float want = (raw[std::size_t(i * f + j)] - s.mean.get({j})) / s.stddev.get({j});
            EXPECT_EQ(x.get({i, j}), want);
        }
    }
}

TEST(Standardizer, JsonRoundTripIsBitwise) {
    std::mt19937 gen(5);
    std::uniform_real_distribution<double> u(-1e6, 1e6);
    Tensor<double> x({50, 4});
    for (index_t i = 0; i < x.size(); ++i) x.data()[i] = u(gen) * (i % 4 == 3 ? 0.0 : 1.0);
    data::Standardizer<double> s;
    s.fit(x);
    const std::string json = s.to_json();
    EXPECT_EQ(json.rfind("{\"mean\":[", 0), 0u) << json;
    const auto back = data::Standardizer<double>::from_json(json, "m");
    EXPECT_EQ(back.mean.to_vector(), s.mean.to_vector());
    EXPECT_EQ(back.stddev.to_vector(), s.stddev.to_vector());
    data::Standardizer<float> sf;
    sf.fit(x.cast<float>());
    const auto backf = data::Standardizer<float>::from_json(sf.to_json(), "m");
    EXPECT_EQ(backf.mean.to_vector(), sf.mean.to_vector());
    EXPECT_EQ(backf.stddev.to_vector(), sf.stddev.to_vector());
    for (const char* bad : {"", "[]", "{\"mean\": [1]}", "{\"mean\": [], \"std\": []}",
                            "{\"mean\": [1, 2], \"std\": [1]}", "{\"mean\": [1], \"std\": [0]}",
                            "{\"mean\": [1], \"std\": [-1]}", "{\"mean\": [\"a\"], \"std\": [1]}",
                            "{\"mean\": [1e300], \"std\": [1]}"}) {
        EXPECT_THROW(data::Standardizer<float>::from_json(bad, "m"), FormatError) << bad;
    }
    try {
        data::Standardizer<float>::from_json("{\"mean\": [1], \"std\": [0]}", "'m.safetensors'");
        FAIL() << "expected FormatError";
    } catch (const FormatError& e) {
        EXPECT_NE(std::string(e.what()).find("'m.safetensors'"), std::string::npos) << e.what();
    }
    EXPECT_THROW(data::Standardizer<float>().to_json(), ValueError);
}

TEST(Scale, MultipliesInPlace) {
    auto x = Tensor<float>::from_vector({0, 51, 255}, {3});
    data::scale(x, 1.0f / 255);
    EXPECT_FLOAT_EQ(x.get({1}), 0.2f);
    EXPECT_FLOAT_EQ(x.get({2}), 1.0f);
}

TEST(TrainValidationSplit, DisjointShuffledAndDeterministic) {
    const index_t n = 100;
    data::Dataset<float> d{Tensor<float>({n, 2}), Tensor<std::int32_t>({n}), 10};
    for (index_t i = 0; i < n; ++i) {
        d.x.set({i, 0}, static_cast<float>(i));
        d.x.set({i, 1}, static_cast<float>(-i));
        d.labels.set({i}, static_cast<std::int32_t>(i % 10));
    }
    const auto s = data::train_validation_split(d, 0.2, 7);
    EXPECT_EQ(s.train.x.shape(), (Shape{80, 2}));
    EXPECT_EQ(s.validation.x.shape(), (Shape{20, 2}));
    EXPECT_EQ(s.validation.num_classes, 10);
    std::vector<int> seen(n, 0);
    bool shuffled = false;
    for (const auto* part : {&s.train, &s.validation}) {
        for (index_t i = 0; i < part->x.shape(0); ++i) {
            const auto row = static_cast<index_t>(part->x.get({i, 0}));
            ++seen[static_cast<std::size_t>(row)];
            EXPECT_EQ(part->x.get({i, 1}), -static_cast<float>(row));
            EXPECT_EQ(part->labels.get({i}), row % 10);
            if (part == &s.train && row != i) shuffled = true;
        }
    }
    EXPECT_TRUE(std::all_of(seen.begin(), seen.end(), [](int c) { return c == 1; }));
    EXPECT_TRUE(shuffled);
    const auto again = data::train_validation_split(d, 0.2, 7);
    EXPECT_EQ(again.validation.x.to_vector(), s.validation.x.to_vector());
    const auto other = data::train_validation_split(d, 0.2, 8);
    EXPECT_NE(other.validation.x.to_vector(), s.validation.x.to_vector());
    EXPECT_THROW(data::train_validation_split(d, 1.0, 7), ValueError);
    EXPECT_THROW(data::train_validation_split(d, 0.001, 7), ValueError);
}

TEST(Permutation, IsAPermutationAndStable) {
    const auto p = data::permutation(1000, 42);
    auto sorted = p;
    std::sort(sorted.begin(), sorted.end());
    for (index_t i = 0; i < 1000; ++i) EXPECT_EQ(sorted[static_cast<std::size_t>(i)], i);
    EXPECT_EQ(p, data::permutation(1000, 42));
    EXPECT_NE(p, data::permutation(1000, 43));
}
