#include "model/onnx_graph.h"

#include <fmt/format.h>

#include <algorithm>
#include <type_traits>

#include "magmadnn/core/error.h"

namespace magmadnn::model::onnx_export {

template <typename T>
int element_type() {
    static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>);
    return std::is_same_v<T, float> ? onnx::TensorProto::FLOAT : onnx::TensorProto::DOUBLE;
}

GraphWriter::GraphWriter(onnx::GraphProto& graph, int element_type)
    : graph_(graph), element_type_(element_type) {}

std::string GraphWriter::unique(const std::string& name) {
    std::string out = name;
    for (int k = 1; std::find(names_.begin(), names_.end(), out) != names_.end(); ++k) {
        out = fmt::format("{}_{}", name, k);
    }
    names_.push_back(out);
    return out;
}

template <typename T>
std::string GraphWriter::tensor(const std::string& name, const Tensor<T>& values) {
    const Tensor<T> host = values.to(HOST);
    onnx::TensorProto& t = *graph_.add_initializer();
    t.set_name(unique(name));
    t.set_data_type(element_type<T>());
    for (index_t d : host.shape()) t.add_dims(d);
    // raw_data is little-endian, as the host (x86-64, aarch64) stores it
    t.set_raw_data(host.cdata(), static_cast<std::size_t>(host.size()) * sizeof(T));
    return t.name();
}

std::string GraphWriter::constant(const std::string& name, double value) {
    onnx::TensorProto& t = *graph_.add_initializer();
    t.set_name(unique(name));
    t.set_data_type(element_type_);
    if (element_type_ == onnx::TensorProto::DOUBLE) {
        t.add_double_data(value);
    } else {
        t.add_float_data(static_cast<float>(value));
    }
    return t.name();
}

std::string GraphWriter::int64s(const std::string& name, const std::vector<std::int64_t>& values) {
    onnx::TensorProto& t = *graph_.add_initializer();
    t.set_name(unique(name));
    t.set_data_type(onnx::TensorProto::INT64);
    t.add_dims(static_cast<std::int64_t>(values.size()));
    for (std::int64_t v : values) t.add_int64_data(v);
    return t.name();
}

std::string GraphWriter::node(const std::string& op_type, const std::vector<std::string>& inputs,
                              const std::string& output) {
    onnx::NodeProto& n = *graph_.add_node();
    n.set_op_type(op_type);
    for (const auto& in : inputs) n.add_input(in);
    const std::string out = unique(output);
    n.add_output(out);
    n.set_name(out);
    return out;
}

onnx::NodeProto& GraphWriter::last_node() {
    if (graph_.node_size() == 0) throw ValueError("onnx GraphWriter: no node written yet");
    return *graph_.mutable_node(graph_.node_size() - 1);
}

std::size_t GraphWriter::node_count() const { return static_cast<std::size_t>(graph_.node_size()); }

bool GraphWriter::rename_output(const std::string& from, const std::string& to) {
    for (int i = 0; i < graph_.node_size(); ++i) {
        onnx::NodeProto& n = *graph_.mutable_node(i);
        for (int k = 0; k < n.output_size(); ++k) {
            if (n.output(k) == from) {
                n.set_output(k, to);
                names_.push_back(to);
                return true;
            }
        }
    }
    return false;
}

void set_attribute(onnx::NodeProto& node, const std::string& name, std::int64_t value) {
    onnx::AttributeProto& a = *node.add_attribute();
    a.set_name(name);
    a.set_type(onnx::AttributeProto::INT);
    a.set_i(value);
}

void set_attribute(onnx::NodeProto& node, const std::string& name, float value) {
    onnx::AttributeProto& a = *node.add_attribute();
    a.set_name(name);
    a.set_type(onnx::AttributeProto::FLOAT);
    a.set_f(value);
}

void set_attribute(onnx::NodeProto& node, const std::string& name,
                   const std::vector<std::int64_t>& values) {
    onnx::AttributeProto& a = *node.add_attribute();
    a.set_name(name);
    a.set_type(onnx::AttributeProto::INTS);
    for (std::int64_t v : values) a.add_ints(v);
}

void set_value_info(onnx::ValueInfoProto& info, const std::string& name, int element_type,
                    const std::string& batch, const std::vector<std::int64_t>& rest) {
    info.set_name(name);
    onnx::TypeProto_Tensor& t = *info.mutable_type()->mutable_tensor_type();
    t.set_elem_type(element_type);
    onnx::TensorShapeProto& s = *t.mutable_shape();
    s.add_dim()->set_dim_param(batch);
    for (std::int64_t d : rest) s.add_dim()->set_dim_value(d);
}

template int element_type<float>();
template int element_type<double>();
template std::string GraphWriter::tensor<float>(const std::string&, const Tensor<float>&);
template std::string GraphWriter::tensor<double>(const std::string&, const Tensor<double>&);

}  // namespace magmadnn::model::onnx_export
