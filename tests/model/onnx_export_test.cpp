// Model::export_onnx: the graph each layer becomes (read back with ONNX's own protobuf classes),
// its attributes, initializers and dynamic batch extent, the ONNX checker's verdict, and the
// errors (a layer with no ONNX form, an opset this build does not write, a failed write that
// leaves the previous file). onnxruntime runs the files in tests/model/onnx_export_test.py.
#include <gtest/gtest.h>
#include <onnx/checker.h>
#include <onnx/onnx_pb.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "data/temp_dir.h"
#include "lenet5_architecture.h"
#include "magmadnn.h"

using namespace magmadnn;
using magmadnn::test::TempDir;

namespace {

onnx::ModelProto read_onnx(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    onnx::ModelProto m;
    EXPECT_TRUE(m.ParseFromString(ss.str())) << path;
    return m;
}

template <typename T = float>
onnx::ModelProto exported(const model::Model<T>& m, const TempDir& dir, int opset = 17) {
    const std::string path = dir.file("model.onnx");
    m.export_onnx(path, opset);
    EXPECT_NO_THROW(onnx::checker::check_model(path));
    return read_onnx(path);
}

std::vector<std::string> op_types(const onnx::ModelProto& m) {
    std::vector<std::string> out;
    for (const auto& n : m.graph().node()) out.push_back(n.op_type());
    return out;
}

const onnx::NodeProto& node(const onnx::ModelProto& m, const std::string& op_type, int nth = 0) {
    for (const auto& n : m.graph().node()) {
        if (n.op_type() == op_type && nth-- == 0) return n;
    }
    ADD_FAILURE() << "no " << op_type << " node";
    return m.graph().node(0);
}

const onnx::AttributeProto* attribute(const onnx::NodeProto& n, const std::string& name) {
    for (const auto& a : n.attribute()) {
        if (a.name() == name) return &a;
    }
    return nullptr;
}

std::vector<std::int64_t> ints(const onnx::NodeProto& n, const std::string& name) {
    const auto* a = attribute(n, name);
    if (a == nullptr) return {};
    return {a->ints().begin(), a->ints().end()};
}

const onnx::TensorProto* initializer(const onnx::ModelProto& m, const std::string& name) {
    for (const auto& t : m.graph().initializer()) {
        if (t.name() == name) return &t;
    }
    return nullptr;
}

model::Model<float> build(const std::string& arch) {
    return model::sequential<float>(arch, 4, optimizer::sgd(0.1));
}

const char* const kLenet5 = magmadnn::test::kLenet5Architecture;

void expect_contains(const std::string& message, const std::string& part) {
    EXPECT_NE(message.find(part), std::string::npos) << "'" << part << "' not in: " << message;
}

// A layer the exporter does not know.
class MysteryLayer final : public layer::Layer<float> {
  public:
    explicit MysteryLayer(op::OpPtr<float> in) : layer::Layer<float>("mystery", in) {
        this->output_ = op::tanh(in);
    }
    layer::LayerSpec spec() const override { return {"mystery", {}}; }
};

}  // namespace

TEST(OnnxExport, Lenet5Graph) {
    TempDir dir;
    const auto m = build(kLenet5);
    const onnx::ModelProto p = exported(m, dir);
    EXPECT_EQ(op_types(p), (std::vector<std::string>{"Conv", "Relu", "MaxPool", "Conv", "Relu",
                                                     "MaxPool", "Flatten", "Gemm", "Relu", "Gemm",
                                                     "Relu", "Gemm", "Softmax"}));
    ASSERT_EQ(p.opset_import_size(), 1);
    EXPECT_EQ(p.opset_import(0).domain(), "");
    EXPECT_EQ(p.opset_import(0).version(), 17);
    EXPECT_EQ(p.producer_name(), "magmadnn");
    // the batch extent is a name, the others numbers
    ASSERT_EQ(p.graph().input_size(), 1);
    const auto& in = p.graph().input(0);
    EXPECT_EQ(in.name(), "input");
    EXPECT_EQ(in.type().tensor_type().elem_type(), onnx::TensorProto::FLOAT);
    const auto& dims = in.type().tensor_type().shape().dim();
    ASSERT_EQ(dims.size(), 4);
    EXPECT_EQ(dims[0].dim_param(), "batch");
    EXPECT_EQ(dims[1].dim_value(), 1);
    EXPECT_EQ(dims[3].dim_value(), 28);
    ASSERT_EQ(p.graph().output_size(), 1);
    EXPECT_EQ(p.graph().output(0).name(), "output");
    EXPECT_EQ(p.graph().output(0).type().tensor_type().shape().dim(1).dim_value(), 10);
    EXPECT_EQ(p.graph().node(p.graph().node_size() - 1).output(0), "output");
    // conv: OIHW as ours; its attributes
    const onnx::NodeProto& conv = node(p, "Conv");
    EXPECT_EQ(ints(conv, "kernel_shape"), (std::vector<std::int64_t>{5, 5}));
    EXPECT_EQ(ints(conv, "pads"), (std::vector<std::int64_t>{2, 2, 2, 2}));
    EXPECT_EQ(ints(conv, "strides"), (std::vector<std::int64_t>{1, 1}));
    EXPECT_EQ(conv.input(1), "layers.1.weight");
    EXPECT_EQ(ints(node(p, "MaxPool"), "strides"), (std::vector<std::int64_t>{2, 2}));
    // initializers hold the weights bit for bit, named as Model::save names them
    const auto* w = initializer(p, "layers.1.weight");
    ASSERT_NE(w, nullptr);
    EXPECT_EQ(std::vector<std::int64_t>(w->dims().begin(), w->dims().end()),
              (std::vector<std::int64_t>{6, 1, 5, 5}));
    const auto weights = m.layers()[1]->get_weights()[0]->output().to_vector();
    ASSERT_EQ(w->raw_data().size(), weights.size() * sizeof(float));
    EXPECT_EQ(std::memcmp(w->raw_data().data(), weights.data(), w->raw_data().size()), 0);
    // fullyconnected keeps W {in, out}: Gemm without transB
    const onnx::NodeProto& gemm = node(p, "Gemm");
    EXPECT_EQ(attribute(gemm, "transB"), nullptr);
    const auto* fc = initializer(p, gemm.input(1));
    ASSERT_NE(fc, nullptr);
    EXPECT_EQ(fc->name(), "layers.7.weight");
    EXPECT_EQ(std::vector<std::int64_t>(fc->dims().begin(), fc->dims().end()),
              (std::vector<std::int64_t>{400, 120}));
    // the architecture travels in the metadata
    ASSERT_GE(p.metadata_props_size(), 1);
    EXPECT_EQ(p.metadata_props(0).key(), "magmadnn.architecture");
    EXPECT_EQ(p.metadata_props(0).value(), m.architecture_json());
}

TEST(OnnxExport, ConvAndPoolingAttributes) {
    TempDir dir;
    const auto m = build(R"({"input_shape": [4, 12, 10], "layers": [
        {"type": "conv2d", "out_channels": 6, "kernel": [3, 2], "stride": [2, 1],
         "padding": [1, 0], "dilation": 2, "groups": 2, "bias": false},
        {"type": "pooling2d", "kernel": 3, "stride": 1, "padding": 1, "mode": "average"},
        {"type": "pooling2d", "kernel": [2, 3], "stride": [2, 1], "mode": "max"},
        {"type": "batchnorm", "epsilon": 0.001},
        {"type": "globalavgpool"}, {"type": "fullyconnected", "units": 3, "bias": false}]})");
    const onnx::ModelProto p = exported(m, dir);
    EXPECT_EQ(op_types(p),
              (std::vector<std::string>{"Conv", "AveragePool", "MaxPool", "BatchNormalization",
                                        "GlobalAveragePool", "Flatten", "Gemm", "Softmax"}));
    const onnx::NodeProto& conv = node(p, "Conv");
    EXPECT_EQ(conv.input_size(), 2);  // no bias
    EXPECT_EQ(ints(conv, "kernel_shape"), (std::vector<std::int64_t>{3, 2}));
    EXPECT_EQ(ints(conv, "strides"), (std::vector<std::int64_t>{2, 1}));
    EXPECT_EQ(ints(conv, "pads"), (std::vector<std::int64_t>{1, 0, 1, 0}));
    EXPECT_EQ(ints(conv, "dilations"), (std::vector<std::int64_t>{2, 2}));
    ASSERT_NE(attribute(conv, "group"), nullptr);
    EXPECT_EQ(attribute(conv, "group")->i(), 2);
    const onnx::NodeProto& avg = node(p, "AveragePool");
    EXPECT_EQ(ints(avg, "pads"), (std::vector<std::int64_t>{1, 1, 1, 1}));
    ASSERT_NE(attribute(avg, "count_include_pad"), nullptr);
    EXPECT_EQ(attribute(avg, "count_include_pad")->i(), 1);  // as ours: padding counts
    EXPECT_EQ(ints(node(p, "MaxPool"), "kernel_shape"), (std::vector<std::int64_t>{2, 3}));
    const onnx::NodeProto& bn = node(p, "BatchNormalization");
    EXPECT_FLOAT_EQ(attribute(bn, "epsilon")->f(), 0.001f);
    EXPECT_EQ(std::vector<std::string>(bn.input().begin() + 1, bn.input().end()),
              (std::vector<std::string>{"layers.4.weight", "layers.4.bias", "layers.4.running_mean",
                                        "layers.4.running_var"}));
    EXPECT_EQ(node(p, "Gemm").input_size(), 2);
}

TEST(OnnxExport, EveryActivationAndShapeLayer) {
    TempDir dir;
    const auto m = build(R"({"input_shape": [16], "layers": [
        {"type": "reshape", "shape": [1, 4, 4]}, {"type": "flatten"},
        {"type": "fullyconnected", "units": 8}, {"type": "activation", "activation": "relu"},
        {"type": "activation", "activation": "tanh"},
        {"type": "activation", "activation": "sigmoid"},
        {"type": "activation", "activation": "leaky_relu"},
        {"type": "activation", "activation": "gelu"},
        {"type": "activation", "activation": "linear"}, {"type": "dropout", "rate": 0.5},
        {"type": "activation", "activation": "log_softmax"},
        {"type": "activation", "activation": "softmax"}]})");
    const onnx::ModelProto p = exported(m, dir);
    EXPECT_EQ(op_types(p),
              (std::vector<std::string>{"Reshape", "Flatten", "Gemm", "Relu", "Tanh", "Sigmoid",
                                        "LeakyRelu", "Mul", "Erf", "Add", "Mul", "Mul", "Identity",
                                        "Identity", "LogSoftmax", "Softmax"}));
    // the final softmax is the model's own: predict() adds none
    EXPECT_EQ(p.graph().node(p.graph().node_size() - 1).output(0), "output");
    const auto* shape = initializer(p, node(p, "Reshape").input(1));
    ASSERT_NE(shape, nullptr);
    EXPECT_EQ(std::vector<std::int64_t>(shape->int64_data().begin(), shape->int64_data().end()),
              (std::vector<std::int64_t>{0, 1, 4, 4}));  // 0: the batch extent as it comes
    EXPECT_FLOAT_EQ(attribute(node(p, "LeakyRelu"), "alpha")->f(), 0.01f);
    EXPECT_EQ(attribute(node(p, "Softmax"), "axis")->i(), -1);
    EXPECT_EQ(attribute(node(p, "LogSoftmax"), "axis")->i(), -1);
}

TEST(OnnxExport, RegressionEndsAtTheLastLayer) {
    TempDir dir;
    auto data = op::var<float>("data", {3, 5}, {NONE, {}}, HOST);
    auto input = layer::input(data);
    auto fc = layer::fullyconnected(input->out(), 2);
    model::Model<float> m({input, fc}, optimizer::sgd(0.1), 3, model::Loss::mse);
    EXPECT_EQ(op_types(exported(m, dir)), (std::vector<std::string>{"Gemm"}));
}

TEST(OnnxExport, DoublePrecision) {
    TempDir dir;
    const auto m = model::sequential<double>(
        R"({"input_shape": [3], "layers": [{"type": "fullyconnected", "units": 2},
            {"type": "activation", "activation": "gelu"}]})",
        2, optimizer::sgd(0.1));
    const onnx::ModelProto p = exported(m, dir);
    EXPECT_EQ(p.graph().input(0).type().tensor_type().elem_type(), onnx::TensorProto::DOUBLE);
    EXPECT_EQ(initializer(p, "layers.1.weight")->data_type(), onnx::TensorProto::DOUBLE);
    const auto* inv_sqrt2 = initializer(p, node(p, "Mul").input(1));  // gelu's constants too
    ASSERT_NE(inv_sqrt2, nullptr);
    EXPECT_EQ(inv_sqrt2->data_type(), onnx::TensorProto::DOUBLE);
}

TEST(OnnxExport, OlderOpsetsAndMetadata) {
    TempDir dir;
    auto m = build(kLenet5);
    m.set_metadata("user.note", "hello");
    const onnx::ModelProto p = exported(m, dir, 13);
    EXPECT_EQ(p.opset_import(0).version(), 13);
    ASSERT_EQ(p.metadata_props_size(), 2);
    EXPECT_EQ(p.metadata_props(1).key(), "user.note");
    EXPECT_EQ(p.metadata_props(1).value(), "hello");
    EXPECT_EQ(model::onnx_opsets().min, 13);
    EXPECT_GE(model::onnx_opsets().max, 17);
}

TEST(OnnxExport, ALayerWithoutOnnxFormIsNamed) {
    TempDir dir;
    auto data = op::var<float>("data", {2, 5}, {NONE, {}}, HOST);
    auto input = layer::input(data);
    auto fc = layer::fullyconnected(input->out(), 4);
    auto odd = std::make_shared<MysteryLayer>(fc->out());
    auto out = layer::output(odd->out());
    model::Model<float> m({input, fc, odd, out}, optimizer::sgd(0.1), 2);
    const std::string path = dir.write("model.onnx", "the previous file");
    try {
        m.export_onnx(path);
        FAIL() << "no error";
    } catch (const UnsupportedError& e) {
        expect_contains(e.what(), "Model::export_onnx: layer 2 (mystery, type mystery)");
        expect_contains(e.what(), "has no ONNX form");
    }
    std::ifstream in(path);
    std::string kept((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(kept, "the previous file");
}

TEST(OnnxExport, OpsetOutsideTheRange) {
    TempDir dir;
    const auto m = build(kLenet5);
    for (int opset : {12, model::onnx_opsets().max + 1}) {
        try {
            m.export_onnx(dir.file("model.onnx"), opset);
            FAIL() << "no error for opset " << opset;
        } catch (const ValueError& e) {
            expect_contains(e.what(), "opset " + std::to_string(opset) +
                                          " is not one this build "
                                          "writes (13 to ");
        }
    }
}

TEST(OnnxExport, AnUnwritablePathIsAnIOError) {
    TempDir dir;
    const auto m = build(kLenet5);
    EXPECT_THROW(m.export_onnx(dir.file("missing/model.onnx")), IOError);
}
