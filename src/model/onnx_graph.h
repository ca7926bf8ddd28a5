#pragma once
// Building an ONNX graph with the ONNX project's own protobuf classes (Debian's libonnx-dev,
// onnx/onnx-ml.pb.h): typed initializers from tensors, nodes with attributes, and names that
// stay unique. Private to the library: Model::export_onnx (onnx_export.cpp) uses it.

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <vector>

#include "magmadnn/core/tensor.h"

namespace magmadnn::model::onnx_export {

// onnx::TensorProto::FLOAT or DOUBLE.
template <typename T>
int element_type();

class GraphWriter {
  public:
    GraphWriter(onnx::GraphProto& graph, int element_type);

    // A constant input (an initializer) holding the tensor's values, in the tensor's shape.
    template <typename T>
    std::string tensor(const std::string& name, const Tensor<T>& values);
    // A constant of the model's element type; shape {} (a scalar) by default.
    std::string constant(const std::string& name, double value);
    // An int64 constant (Reshape's target shape).
    std::string int64s(const std::string& name, const std::vector<std::int64_t>& values);

    // A node reading `inputs` and writing one output named `output` (made unique). Returns the
    // output's name; attributes go on last_node().
    std::string node(const std::string& op_type, const std::vector<std::string>& inputs,
                     const std::string& output);
    onnx::NodeProto& last_node();
    std::size_t node_count() const;

    // Renames the output of the node that wrote `from`, so the graph's result has a fixed name.
    // False when no node wrote it (a graph input or initializer).
    bool rename_output(const std::string& from, const std::string& to);

  private:
    std::string unique(const std::string& name);

    onnx::GraphProto& graph_;
    int element_type_;
    std::vector<std::string> names_;
};

void set_attribute(onnx::NodeProto& node, const std::string& name, std::int64_t value);
void set_attribute(onnx::NodeProto& node, const std::string& name, float value);
void set_attribute(onnx::NodeProto& node, const std::string& name,
                   const std::vector<std::int64_t>& values);

// A graph input or output of the element type, the first extent named `batch` (dynamic).
void set_value_info(onnx::ValueInfoProto& info, const std::string& name, int element_type,
                    const std::string& batch, const std::vector<std::int64_t>& rest);

}  // namespace magmadnn::model::onnx_export
