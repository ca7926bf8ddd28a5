// The CNN layers inside models: architecture JSON for a user CNN (conv2d, pooling2d, batchnorm,
// globalavgpool), training on a tiny problem, and save / load with batchnorm's running
// statistics restored exactly.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "data/temp_dir.h"
#include "magmadnn.h"
#include "test_util.h"

using namespace magmadnn;

namespace {

const char* kArch = R"({
  "input_shape": [2, 8, 8],
  "layers": [
    {"type": "conv2d", "out_channels": 4, "kernel": 3, "padding": 1, "algo": "im2col"},
    {"type": "batchnorm"},
    {"type": "activation", "activation": "relu"},
    {"type": "pooling2d", "kernel": 2, "mode": "max"},
    {"type": "conv2d", "out_channels": 6, "kernel": [3, 2], "stride": [1, 2], "bias": false},
    {"type": "pooling2d", "kernel": 2, "stride": 1, "mode": "average"},
    {"type": "globalavgpool"},
    {"type": "fullyconnected", "units": 3},
    {"type": "output"}
  ]
})";

}  // namespace

TEST(CnnLayers, ShapesAndSpecsRoundTrip) {
    auto model = model::sequential<float>(kArch, 4, optimizer::sgd(0.1));
    const auto& layers = model.layers();
    EXPECT_EQ(layers[1]->out()->shape(), (Shape{4, 4, 8, 8}));
    EXPECT_EQ(layers[4]->out()->shape(), (Shape{4, 4, 4, 4}));
    EXPECT_EQ(layers[5]->out()->shape(), (Shape{4, 6, 2, 2}));
    EXPECT_EQ(layers[6]->out()->shape(), (Shape{4, 6, 1, 1}));
    EXPECT_EQ(layers[7]->out()->shape(), (Shape{4, 6}));
    EXPECT_EQ(layers[1]->num_params(), 4 * 2 * 9 + 4);
    EXPECT_EQ(layers[2]->get_state().size(), 2u);
    // the saved architecture rebuilds the same network
    auto again = model::sequential<float>(model.architecture_json(), 4, optimizer::sgd(0.1));
    EXPECT_EQ(again.architecture_json(), model.architecture_json());
}

TEST(CnnLayers, TrainsAndReloadsWithRunningStatistics) {
    set_seed(7);
    // two classes told apart by which input channel is brighter
    const index_t n = 64;
    Tensor<float> x({n, 2, 8, 8}), y({n, 3});
    auto noise = test::random_tensor<float>({n, 2, 8, 8}, 5, 0.0, 0.5);
    for (index_t i = 0; i < n; ++i) {
        const index_t cls = i % 2;
        for (index_t e = 0; e < 128; ++e) {
            const index_t c = e / 64;
            x.set_flat(i * 128 + e, noise.get_flat(i * 128 + e) + (c == cls ? 1.0f : 0.0f));
        }
        y.set({i, cls}, 1.0f);
    }
    auto model = model::sequential<float>(kArch, 8, optimizer::sgd(0.1, 0.9));
    model::FitOptions fo;
    fo.verbosity = model::Verbosity::silent;
    model.fit(x, y, 15, fo);
    const model::Metrics m = model.evaluate(x, y);
    EXPECT_GE(m.accuracy, 0.95);
    const auto state = model.layers()[2]->get_state();
    EXPECT_NE(op::value_of(state[0]).get_flat(0), 0.0f);  // running mean moved

    const test::TempDir dir;
    const std::string path = dir.file("cnn_layers.safetensors");
    model.save(path);
    auto loaded = model::Model<float>::load(path, 8);
    const auto ls = loaded.layers()[2]->get_state();
    EXPECT_EQ(op::value_of(ls[0]).to_vector(), op::value_of(state[0]).to_vector());
    EXPECT_EQ(op::value_of(ls[1]).to_vector(), op::value_of(state[1]).to_vector());
    EXPECT_EQ(loaded.predict(x).to_vector(), model.predict(x).to_vector());
}

TEST(CnnLayers, BadArchitecturesAreSpecificErrors) {
    auto bad = nlohmann::json::parse(kArch);
    bad["layers"][0]["kernel"] = 11;  // larger than the padded 8x8 input
    EXPECT_THROW(model::sequential<float>(bad.dump(), 4, optimizer::sgd(0.1)), ShapeError);
    bad = nlohmann::json::parse(kArch);
    bad["input_shape"] = {128};  // flat input into a conv layer
    EXPECT_THROW(model::sequential<float>(bad.dump(), 4, optimizer::sgd(0.1)), ShapeError);
    bad = nlohmann::json::parse(kArch);
    bad["layers"][3]["mode"] = "median";
    EXPECT_THROW(model::sequential<float>(bad.dump(), 4, optimizer::sgd(0.1)), FormatError);
}
