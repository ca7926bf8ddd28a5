#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>

#include "magmadnn/core/error.h"
#include "magmadnn/layer/layer.h"

namespace magmadnn::layer {

std::string to_string(activation_t a) {
    switch (a) {
        case TANH:
            return "tanh";
        case SIGMOID:
            return "sigmoid";
        case RELU:
            return "relu";
        case LEAKY_RELU:
            return "leaky_relu";
        case GELU:
            return "gelu";
        case SOFTMAX:
            return "softmax";
        case LINEAR:
            return "linear";
    }
    return "?";
}

activation_t activation_from_string(const std::string& name) {
    for (activation_t a : {TANH, SIGMOID, RELU, LEAKY_RELU, GELU, SOFTMAX, LINEAR}) {
        if (to_string(a) == name) return a;
    }
    throw ValueError(fmt::format(
        "unknown activation '{}'; expected tanh, sigmoid, relu, leaky_relu, gelu, softmax or "
        "linear",
        name));
}

template <typename T>
index_t Layer<T>::num_params() const {
    index_t n = 0;
    for (const auto& w : get_weights()) n += numel(w->shape());
    return n;
}

namespace {

template <typename T>
void require_input(const op::OpPtr<T>& in, const char* layer) {
    if (!in) {
        throw ValueError(
            fmt::format("layer::{}: the input is null; pass the previous layer's "
                        "out()",
                        layer));
    }
}

template <typename T>
class InputLayer final : public Layer<T> {
  public:
    explicit InputLayer(op::OpPtr<T> data) : Layer<T>("input", data) { this->output_ = data; }
    LayerSpec spec() const override {
        const Shape& s = this->input_->shape();
        return {"input", {{"shape", fmt::format("{}", fmt::join(s.begin() + 1, s.end(), ","))}}};
    }
};

template <typename T>
class FullyConnectedLayer final : public Layer<T> {
  public:
    FullyConnectedLayer(op::OpPtr<T> in, index_t units, bool bias)
        : Layer<T>("fullyconnected", in), units_(units) {
        op::OpPtr<T> x = in->shape().size() > 2 ? op::flatten(in) : in;
        if (x->shape().size() != 2) {
            throw ShapeError(
                fmt::format("layer::fullyconnected: input '{}' has shape {}; needs "
                            "{{batch, features...}}",
                            in->name(), magmadnn::to_string(in->shape())));
        }
        const index_t fan_in = x->shape()[1];
        const double bound = 1.0 / std::sqrt(double(std::max<index_t>(1, fan_in)));
        weight_ = op::var<T>("weight", {fan_in, units}, {UNIFORM, {-bound, bound}}, in->memory());
        if (bias) bias_ = op::var<T>("bias", {units}, {UNIFORM, {-bound, bound}}, in->memory());
        this->output_ = op::linear(x, weight_, bias_);
    }
    std::vector<op::OpPtr<T>> get_weights() const override {
        if (bias_) return {weight_, bias_};
        return {weight_};
    }
    LayerSpec spec() const override {
        return {"fullyconnected",
                {{"units", std::to_string(units_)}, {"bias", bias_ ? "true" : "false"}}};
    }

  private:
    index_t units_;
    op::OpPtr<T> weight_, bias_;
};

template <typename T>
class ActivationLayer final : public Layer<T> {
  public:
    ActivationLayer(op::OpPtr<T> in, activation_t type) : Layer<T>("activation", in), type_(type) {
        switch (type) {
            case TANH:
                this->output_ = op::tanh(in);
                break;
            case SIGMOID:
                this->output_ = op::sigmoid(in);
                break;
            case RELU:
                this->output_ = op::relu(in);
                break;
            case LEAKY_RELU:
                this->output_ = op::leaky_relu(in, T(0.01));
                break;
            case GELU:
                this->output_ = op::gelu(in);
                break;
            case SOFTMAX:
                this->output_ = op::softmax(in);
                break;
            case LINEAR:
                this->output_ = in;
                break;
        }
    }
    activation_t type() const { return type_; }
    LayerSpec spec() const override { return {"activation", {{"activation", to_string(type_)}}}; }

  private:
    activation_t type_;
};

template <typename T>
class DropoutLayer final : public Layer<T> {
  public:
    DropoutLayer(op::OpPtr<T> in, float rate, std::uint64_t seed)
        : Layer<T>("dropout", in), rate_(rate) {
        this->output_ = op::dropout(in, T(rate), seed);
    }
    LayerSpec spec() const override { return {"dropout", {{"rate", fmt::format("{}", rate_)}}}; }

  private:
    float rate_;
};

template <typename T>
class FlattenLayer final : public Layer<T> {
  public:
    explicit FlattenLayer(op::OpPtr<T> in) : Layer<T>("flatten", in) {
        this->output_ = op::flatten(in);
    }
    LayerSpec spec() const override { return {"flatten", {}}; }
};

template <typename T>
class OutputLayer final : public Layer<T> {
  public:
    explicit OutputLayer(op::OpPtr<T> in) : Layer<T>("output", in) { this->output_ = in; }
    LayerSpec spec() const override { return {"output", {}}; }
};

}  // namespace

template <typename T>
LayerPtr<T> input(const op::OpPtr<T>& data) {
    require_input(data, "input");
    if (data->shape().size() < 2) {
        throw ShapeError(
            fmt::format("layer::input: the data placeholder '{}' has shape {}; "
                        "expected {{batch_size, features...}}",
                        data->name(), magmadnn::to_string(data->shape())));
    }
    return std::make_shared<InputLayer<T>>(data);
}

template <typename T>
LayerPtr<T> fullyconnected(const op::OpPtr<T>& input, index_t units, bool bias) {
    require_input(input, "fullyconnected");
    if (units <= 0) {
        throw ValueError(
            fmt::format("layer::fullyconnected: units must be positive, got {}", units));
    }
    return std::make_shared<FullyConnectedLayer<T>>(input, units, bias);
}

template <typename T>
LayerPtr<T> activation(const op::OpPtr<T>& input, activation_t type) {
    require_input(input, "activation");
    return std::make_shared<ActivationLayer<T>>(input, type);
}

template <typename T>
LayerPtr<T> dropout(const op::OpPtr<T>& input, float rate, std::uint64_t seed) {
    require_input(input, "dropout");
    return std::make_shared<DropoutLayer<T>>(input, rate, seed);
}

template <typename T>
LayerPtr<T> flatten(const op::OpPtr<T>& input) {
    require_input(input, "flatten");
    return std::make_shared<FlattenLayer<T>>(input);
}

template <typename T>
LayerPtr<T> output(const op::OpPtr<T>& input) {
    require_input(input, "output");
    return std::make_shared<OutputLayer<T>>(input);
}

#define MAGMADNN_INSTANTIATE(T)                                                 \
    template class Layer<T>;                                                    \
    template LayerPtr<T> input<T>(const op::OpPtr<T>&);                         \
    template LayerPtr<T> fullyconnected<T>(const op::OpPtr<T>&, index_t, bool); \
    template LayerPtr<T> activation<T>(const op::OpPtr<T>&, activation_t);      \
    template LayerPtr<T> dropout<T>(const op::OpPtr<T>&, float, std::uint64_t); \
    template LayerPtr<T> flatten<T>(const op::OpPtr<T>&);                       \
    template LayerPtr<T> output<T>(const op::OpPtr<T>&);
MAGMADNN_INSTANTIATE(float)
MAGMADNN_INSTANTIATE(double)
#undef MAGMADNN_INSTANTIATE

}  // namespace magmadnn::layer
