// PyTorch state dicts into models: the fixtures of bench/torch_import_fixture.py (an MLP of named
// modules, LeNet-5 as an nn.Sequential, a conv net with batch norm whose module names sort out of
// order) give the logits PyTorch computed, to f32 rounding; a state dict that does not fit is an
// error listing both sides.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "lenet5_architecture.h"
#include "magmadnn.h"

using namespace magmadnn;

namespace {

const std::string kData = MAGMADNN_TEST_DATA_DIR;

std::string fixture(const std::string& name) { return kData + "/torch_" + name + ".safetensors"; }

const char* kMlp = R"({"input_shape": [784], "layers": [
    {"type": "fullyconnected", "units": 32}, {"type": "activation", "activation": "relu"},
    {"type": "fullyconnected", "units": 10}]})";
const char* const kLenet5 = magmadnn::test::kLenet5Architecture;

std::string small_bn() {
    std::FILE* f = std::fopen((kData + "/torch_small_bn.json").c_str(), "rb");
    EXPECT_NE(f, nullptr);
    std::string text;
    char buf[4096];
    for (std::size_t n; f && (n = std::fread(buf, 1, sizeof buf, f)) > 0;) text.append(buf, n);
    if (f) std::fclose(f);
    return text;
}

// The network's logits (the last layer's output, before predict's softmax) for x.
Tensor<float> logits(model::Model<float>& m, const Tensor<float>& x) {
    Tensor<float> in = m.layers().front()->out()->output();
    in.copy_from(x);
    for (const auto& l : m.layers()) {
        for (op::Operation<float>* node : l->out()->order()) node->set_training(false);
    }
    return m.layers().back()->out()->eval().clone();
}

// max |ours - PyTorch's| over the fixture's inputs
double max_logit_difference(const std::string& name, const std::string& arch,
                            const std::vector<std::string>& order = {}) {
    const io::SafetensorsFile io(kData + "/torch_" + name + "_logits.safetensors");
    const Tensor<float> x = io.get<float>("x"), want = io.get<float>("logits");
    auto m = model::sequential<float>(arch, x.shape(0), optimizer::sgd(0.1));
    model::load_torch_state_dict(m, fixture(name), order);
    const Tensor<float> got = logits(m, x);
    EXPECT_EQ(got.shape(), want.shape());
    double diff = 0;
    for (index_t i = 0; i < got.size(); ++i) {
        diff = std::max(diff, std::abs(double(got.get_flat(i)) - want.get_flat(i)));
    }
    std::printf("%s: max |logit - PyTorch's| = %.3g\n", name.c_str(), diff);
    return diff;
}

void expect_contains(const std::string& message, const std::string& part) {
    EXPECT_NE(message.find(part), std::string::npos) << "'" << part << "' not in: " << message;
}

}  // namespace

// Logits reach 11 in magnitude; f32 sums in another order differ by a few ulps of that.
TEST(TorchImport, NamedModuleMlpGivesPyTorchsLogits) {
    EXPECT_LT(max_logit_difference("mlp", kMlp), 1e-4);
}

TEST(TorchImport, SequentialLenet5GivesPyTorchsLogits) {
    EXPECT_LT(max_logit_difference("lenet5", kLenet5), 1e-4);
}

TEST(TorchImport, BatchNormModulesInTheOrderGiven) {
    EXPECT_LT(max_logit_difference(
                  "small_bn", small_bn(),
                  {"features.0", "features.1", "features.4", "features.5", "classifier"}),
              1e-4);
}

TEST(TorchImport, ModulesInNaturalOrder) {
    std::vector<std::string> names;
    for (const auto& m : model::torch_modules(fixture("lenet5"))) names.push_back(m.prefix);
    EXPECT_EQ(names, (std::vector<std::string>{"0", "3", "7", "9", "11"}));  // 11 after 9
    const auto bn = model::torch_modules(fixture("small_bn"));
    ASSERT_EQ(bn.size(), 5u);
    EXPECT_EQ(bn[0].prefix, "classifier");  // sorts first: the import needs the order given
    EXPECT_EQ(bn[2].tensors.size(), 4u);    // weight, bias, running_mean, running_var
    EXPECT_EQ(bn[2].tensors.count("num_batches_tracked"), 0u);
}

TEST(TorchImport, AMismatchListsBothSides) {
    auto m = model::sequential<float>(kLenet5, 2, optimizer::sgd(0.1));
    try {
        model::load_torch_state_dict(m, fixture("mlp"));
        FAIL() << "no error";
    } catch (const ShapeError& e) {
        const std::string what = e.what();
        expect_contains(what, "torch_mlp.safetensors' does not fit the model");
        expect_contains(what, "2 modules with tensors in the state dict, 5 layers");
        expect_contains(what, "layers.1 conv2d: bias {6}, weight {6, 1, 5, 5}");
        expect_contains(what, "fc1: bias {32}, weight {32, 784}");
        expect_contains(what, "layers.11 fullyconnected: bias {10}, weight {10, 84}");
        expect_contains(what, "(none)");
    }
    // the right modules in the wrong order: a shape mismatch, shown row by row
    auto bn = model::sequential<float>(small_bn(), 2, optimizer::sgd(0.1));
    try {
        model::load_torch_state_dict(bn, fixture("small_bn"));
        FAIL() << "no error";
    } catch (const ShapeError& e) {
        expect_contains(e.what(),
                        "!=  model layers.1 conv2d: bias {4}, weight {4, 1, 3, 3}  |  "
                        "state dict classifier: bias {10}, weight {10, 8}");
        expect_contains(e.what(), "--modules");
    }
}

TEST(TorchImport, AnOrderMustNameEveryModuleOnce) {
    auto m = model::sequential<float>(kMlp, 2, optimizer::sgd(0.1));
    try {
        model::load_torch_state_dict(m, fixture("mlp"), {"fc1", "fc1"});
        FAIL() << "no error";
    } catch (const ValueError& e) {
        expect_contains(e.what(),
                        "the module order [fc1, fc1] must name each of the file's "
                        "modules [fc1, fc2] once");
    }
}

TEST(TorchImport, KeysMustBeModules) {
    const std::string path = ::testing::TempDir() + "/not_a_state_dict.safetensors";
    io::SafetensorsWriter w;
    w.add("weight", Tensor<float>({2, 2}, {ZERO, {}}));
    w.write(path);
    auto m = model::sequential<float>(kMlp, 2, optimizer::sgd(0.1));
    try {
        model::load_torch_state_dict(m, path);
        FAIL() << "no error";
    } catch (const FormatError& e) {
        expect_contains(e.what(), "tensor 'weight' is not a module's");
    }
    std::remove(path.c_str());
}
