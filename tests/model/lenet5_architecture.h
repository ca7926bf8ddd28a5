#pragma once
// LeNet-5 on {1, 28, 28} images as an architecture JSON, for the tests that build it (as
// `train --model lenet5` does: conv 5x5 6 ch pad 2, ReLU, max-pool 2, conv 5x5 16 ch, ReLU,
// max-pool 2, fc 120, ReLU, fc 84, ReLU, fc 10).

namespace magmadnn::test {

inline constexpr const char* kLenet5Architecture = R"({"input_shape": [1, 28, 28], "layers": [
    {"type": "conv2d", "out_channels": 6, "kernel": 5, "padding": 2},
    {"type": "activation", "activation": "relu"}, {"type": "pooling2d", "kernel": 2},
    {"type": "conv2d", "out_channels": 16, "kernel": 5},
    {"type": "activation", "activation": "relu"}, {"type": "pooling2d", "kernel": 2},
    {"type": "fullyconnected", "units": 120}, {"type": "activation", "activation": "relu"},
    {"type": "fullyconnected", "units": 84}, {"type": "activation", "activation": "relu"},
    {"type": "fullyconnected", "units": 10}]})";

}  // namespace magmadnn::test
