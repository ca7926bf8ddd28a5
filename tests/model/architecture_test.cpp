// The architecture JSON and checkpoint readers reject bad fields with a FormatError that names
// the layer and the field (inputs the fuzz targets of tests/fuzz once broke with other
// exception types, or read wrongly).

#include <gtest/gtest.h>

#include <string>

#include "data/temp_dir.h"
#include "magmadnn.h"

using namespace magmadnn;
using magmadnn::test::TempDir;

namespace {

std::string sequential_error(const std::string& arch) {
    try {
        model::sequential<float>(arch, 2, optimizer::sgd(0.1));
    } catch (const FormatError& e) {
        return e.what();
    }
    ADD_FAILURE() << "expected FormatError for " << arch;
    return {};
}

std::string one_layer(const std::string& layer) {
    return R"({"input_shape": [1, 6, 6], "layers": [)" + layer + "]}";
}

void expect_contains(const std::string& message, const std::string& part) {
    EXPECT_NE(message.find(part), std::string::npos) << "'" << part << "' not in: " << message;
}

}  // namespace

TEST(Architecture, AttributesMustBeWholeNumbers) {
    expect_contains(sequential_error(one_layer(R"({"type": "fullyconnected", "units": "many"})")),
                    "layer 1, fullyconnected): 'units' = 'many' is not an integer");
    // read as 1 before: only the digits up to the exponent were taken
    expect_contains(sequential_error(one_layer(R"({"type": "fullyconnected", "units": 1e20})")),
                    "'units' = '1e+20' is not an integer");
    expect_contains(
        sequential_error(one_layer(R"({"type": "fullyconnected", "units": 18446744073709551615})")),
        "is not an integer");
    expect_contains(
        sequential_error(one_layer(R"({"type": "conv2d", "out_channels": 2, "kernel": "3x"})")),
        "'kernel' = '3x' is not an integer or a pair [h, w]");
    expect_contains(sequential_error(one_layer(R"({"type": "dropout", "rate": "half"})")),
                    "'rate' = 'half' is not a number");
    expect_contains(sequential_error(one_layer(R"({"type": "batchnorm", "momentum": "0.1x"})")),
                    "'momentum' = '0.1x' is not a number");
}

TEST(Architecture, FieldsOfTheWrongType) {
    expect_contains(sequential_error("[1, 2]"),
                    "the architecture is a JSON array, expected an object");
    expect_contains(sequential_error(R"({"input_shape": [4], "layers": [], "loss": 5})"),
                    "'loss' is 5, expected a string");
    expect_contains(sequential_error(R"({"input_shape": 4, "layers": []})"),
                    "input_shape is 4, expected an array");
    expect_contains(sequential_error(R"({"input_shape": [4], "layers": {"a": 1}})"),
                    "layers is {\"a\":1}, expected an array");
}

TEST(Architecture, DeepNestingIsRejectedBeforeAnythingRecurses) {
    const std::size_t depth = 100000;  // enough to overflow the stack in dump() before
    const std::string deep = std::string(depth, '[') + std::string(depth, ']');
    expect_contains(sequential_error(one_layer(R"({"type": )" + deep + "}")),
                    "nests deeper than 64 levels");
}

TEST(Architecture, CheckpointFieldsOfTheWrongType) {
    TempDir dir;
    const auto load_error = [&](const std::string& arch) {
        io::SafetensorsWriter w;
        w.set_metadata("magmadnn.architecture", arch);
        w.write(dir.file("m.safetensors"));
        try {
            model::Model<float>::load(dir.file("m.safetensors"));
        } catch (const FormatError& e) {
            return std::string(e.what());
        }
        ADD_FAILURE() << "expected FormatError for " << arch;
        return std::string();
    };
    expect_contains(load_error(R"({"format": 5})"), "'format' is 5, expected a string");
    expect_contains(load_error(R"({"format": "magmadnn.sequential", "batch_size": "x"})"),
                    "'batch_size' is \"x\", expected an integer");
    expect_contains(load_error("[]"), "expected an object");
}

TEST(Architecture, ReshapeAndLogSoftmaxRoundTrip) {
    const std::string arch = R"({"input_shape": [48], "layers": [
        {"type": "reshape", "shape": [3, -1, 4]}, {"type": "conv2d", "out_channels": 2,
        "kernel": 3, "padding": 1}, {"type": "fullyconnected", "units": 5},
        {"type": "activation", "activation": "log_softmax"}]})";
    auto m = model::sequential<float>(arch, 2, optimizer::sgd(0.1));
    EXPECT_EQ(m.layers()[1]->out()->shape(), (Shape{2, 3, 4, 4}));
    EXPECT_EQ(m.layers()[1]->spec().attrs.at("shape"), "3,4,4");  // -1 resolved
    auto again = model::sequential<float>(m.architecture_json(), 2, optimizer::sgd(0.1));
    EXPECT_EQ(again.architecture_json(), m.architecture_json());
    // predict: softmax(log_softmax(z)) = softmax(z), rows summing to 1
    const Tensor<float> p = m.predict(Tensor<float>({2, 48}, {UNIFORM, {0.0, 1.0}}));
    for (index_t i = 0; i < 2; ++i) {
        float sum = 0;
        for (index_t j = 0; j < 5; ++j) sum += p.get({i, j});
        EXPECT_NEAR(sum, 1.0f, 1e-5f);
    }
}

TEST(Architecture, ReshapeExtentsMustParse) {
    expect_contains(sequential_error(one_layer(R"({"type": "reshape", "shape": [6, "x"]})")),
                    "'shape' = '6,\"x\"' is not a list of positive extents");
    expect_contains(sequential_error(one_layer(R"({"type": "reshape", "shape": [0, 36]})")),
                    "is not a list of positive extents (one may be -1)");
    // extents whose product would overflow, two to infer, or a count that does not fit
    for (const char* shape :
         {"[4611686018427387904, 4611686018427387904]", "[-1, -1]", "[5, 7]", "[-1, 5]"}) {
        try {
            model::sequential<float>(
                one_layer(std::string(R"({"type": "reshape", "shape": )") + shape + "}"), 2,
                optimizer::sgd(0.1));
            ADD_FAILURE() << "no error for " << shape;
        } catch (const ShapeError& e) {
            expect_contains(e.what(), "hold 36 elements, which cannot take the shape");
        }
    }
}
