// Writes the models that tests/model/onnx_export_test.py checks against onnxruntime and against
// the PyTorch key map (tools/torch_weights.py): for each, <name>.safetensors (Model::save),
// <name>.onnx (Model::export_onnx) and <name>_io.safetensors (x: inputs, 7 rows against a batch
// size of 4, so predict pads and the ONNX batch extent varies; predictions: Model::predict(x)).
//   interop_models DIR
#include <fmt/format.h>

#include <cstdio>
#include <string>

#include "lenet5_architecture.h"
#include "magmadnn.h"

using namespace magmadnn;

namespace {

const char* kMlp = R"({"input_shape": [784], "layers": [
    {"type": "fullyconnected", "units": 64}, {"type": "activation", "activation": "relu"},
    {"type": "fullyconnected", "units": 10}]})";

const char* const kLenet5 = magmadnn::test::kLenet5Architecture;

// `train --model vgg-small`
const char* kVggSmall = R"({"input_shape": [1, 28, 28], "layers": [
    {"type": "conv2d", "out_channels": 32, "kernel": 3, "padding": 1}, {"type": "batchnorm"},
    {"type": "activation", "activation": "relu"},
    {"type": "conv2d", "out_channels": 32, "kernel": 3, "padding": 1}, {"type": "batchnorm"},
    {"type": "activation", "activation": "relu"}, {"type": "pooling2d", "kernel": 2},
    {"type": "conv2d", "out_channels": 64, "kernel": 3, "padding": 1}, {"type": "batchnorm"},
    {"type": "activation", "activation": "relu"},
    {"type": "conv2d", "out_channels": 64, "kernel": 3, "padding": 1}, {"type": "batchnorm"},
    {"type": "activation", "activation": "relu"}, {"type": "pooling2d", "kernel": 2},
    {"type": "globalavgpool"}, {"type": "fullyconnected", "units": 10}]})";

// every activation, dropout, and a log-softmax whose output predict() turns into probabilities
const char* kActivations = R"({"input_shape": [16], "layers": [
    {"type": "fullyconnected", "units": 24}, {"type": "activation", "activation": "relu"},
    {"type": "fullyconnected", "units": 24}, {"type": "activation", "activation": "tanh"},
    {"type": "fullyconnected", "units": 24}, {"type": "activation", "activation": "sigmoid"},
    {"type": "fullyconnected", "units": 24}, {"type": "activation", "activation": "leaky_relu"},
    {"type": "fullyconnected", "units": 24}, {"type": "activation", "activation": "gelu"},
    {"type": "fullyconnected", "units": 24}, {"type": "activation", "activation": "linear"},
    {"type": "dropout", "rate": 0.3},
    {"type": "fullyconnected", "units": 10}, {"type": "activation", "activation": "log_softmax"}]})";

// reshape, strided / dilated / grouped convolutions, padded average pooling, rectangular max
// pooling, batch norm, flatten, and a softmax as the last layer
const char* kShapes = R"({"input_shape": [192], "layers": [
    {"type": "reshape", "shape": [3, 8, 8]},
    {"type": "conv2d", "out_channels": 6, "kernel": 3, "stride": 2, "padding": 1, "groups": 3},
    {"type": "batchnorm", "epsilon": 0.001}, {"type": "activation", "activation": "relu"},
    {"type": "conv2d", "out_channels": 4, "kernel": [3, 2], "dilation": 2, "padding": [2, 1],
     "groups": 2, "bias": false},
    {"type": "pooling2d", "kernel": 3, "stride": 1, "padding": 1, "mode": "average"},
    {"type": "pooling2d", "kernel": [2, 1], "stride": [2, 1], "mode": "max"},
    {"type": "flatten"}, {"type": "fullyconnected", "units": 10},
    {"type": "activation", "activation": "softmax"}]})";

// Batch norm's statistics and affine parameters away from their identity start.
void perturb_batchnorm(model::Model<float>& m) {
    for (const auto& l : m.layers()) {
        if (l->spec().type != "batchnorm") continue;
        const auto w = l->get_weights();
        const auto s = l->get_state();
        Tensor<float>(w[0]->output()).fill({UNIFORM, {0.5, 1.5}});
        Tensor<float>(w[1]->output()).fill({UNIFORM, {-0.2, 0.2}});
        Tensor<float>(s[0]->output()).fill({UNIFORM, {-0.3, 0.3}});
        Tensor<float>(s[1]->output()).fill({UNIFORM, {0.5, 1.5}});
    }
}

// The last fullyconnected layer's weights x 20: logits spread over a few units (at the
// initialisation they differ by a few hundredths), so probabilities far from uniform show a
// wrong operator at once.
void spread_logits(model::Model<float>& m) {
    for (auto it = m.layers().rbegin(); it != m.layers().rend(); ++it) {
        if ((*it)->spec().type != "fullyconnected") continue;
        Tensor<float> w = (*it)->get_weights()[0]->output();
        for (float& v : w.span()) v *= 20.0f;
        return;
    }
}

void write(const std::string& dir, const std::string& name, const char* arch) {
    auto m = model::sequential<float>(arch, 4, optimizer::sgd(0.1));
    perturb_batchnorm(m);
    spread_logits(m);
    Shape shape = m.layers().front()->out()->shape();
    shape[0] = 7;
    const Tensor<float> x(shape, {UNIFORM, {0.0, 1.0}});
    const Tensor<float> p = m.predict(x);
    m.save(dir + "/" + name + ".safetensors");
    m.export_onnx(dir + "/" + name + ".onnx");
    io::SafetensorsWriter io;
    io.add("x", x);
    io.add("predictions", p);
    io.write(dir + "/" + name + "_io.safetensors");
    fmt::print("{}: {} layers\n", name, m.layers().size());
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: interop_models DIR\n");
        return 2;
    }
    try {
        set_seed(7);
        write(argv[1], "mlp", kMlp);
        write(argv[1], "lenet5", kLenet5);
        write(argv[1], "vgg_small", kVggSmall);
        write(argv[1], "activations", kActivations);
        write(argv[1], "shapes", kShapes);
    } catch (const Error& e) {
        std::fprintf(stderr, "interop_models: %s\n", e.what());
        return 1;
    }
    return 0;
}
