#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>

#include "magmadnn/core/error.h"
#include "magmadnn/layer/layer.h"

namespace magmadnn::layer {

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
            case LOG_SOFTMAX:
                this->output_ = op::log_softmax(in);
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
class ReshapeLayer final : public Layer<T> {
  public:
    ReshapeLayer(op::OpPtr<T> in, const Shape& shape) : Layer<T>("reshape", in) {
        Shape full{in->shape()[0]};
        full.insert(full.end(), shape.begin(), shape.end());
        this->output_ = op::reshape(in, full);
    }
    LayerSpec spec() const override {
        const Shape& s = this->output_->shape();
        return {"reshape", {{"shape", fmt::format("{}", fmt::join(s.begin() + 1, s.end(), ","))}}};
    }
};

template <typename T>
class OutputLayer final : public Layer<T> {
  public:
    explicit OutputLayer(op::OpPtr<T> in) : Layer<T>("output", in) { this->output_ = in; }
    LayerSpec spec() const override { return {"output", {}}; }
};

std::string pair_attr(op::Pair p) {
    return p[0] == p[1] ? std::to_string(p[0]) : fmt::format("{},{}", p[0], p[1]);
}

template <typename T>
class Conv2dLayer final : public Layer<T> {
  public:
    Conv2dLayer(op::OpPtr<T> in, index_t out_channels, op::Pair kernel, op::Pair stride,
                op::Pair padding, op::Pair dilation, index_t groups, bool bias, conv::Algo algo)
        : Layer<T>("conv2d", in),
          out_(out_channels),
          kernel_(kernel),
          stride_(stride),
          padding_(padding),
          dilation_(dilation),
          groups_(groups),
          algo_(algo) {
        const Shape& s = in->shape();
        if (s.size() != 4) {
            throw ShapeError(fmt::format(
                "layer::conv2d: input '{}' has shape {}; needs {{batch, channels, height, width}} "
                "(give the model input_shape [c, h, w])",
                in->name(), magmadnn::to_string(s)));
        }
        if (groups <= 0 || s[1] % groups != 0 || out_channels % groups != 0) {
            throw ShapeError(fmt::format(
                "layer::conv2d: groups {} must divide the input channels {} (input {}) and the "
                "output channels {}",
                groups, s[1], magmadnn::to_string(s), out_channels));
        }
        const index_t fan_in = s[1] / groups * kernel[0] * kernel[1];
        const double bound = 1.0 / std::sqrt(double(std::max<index_t>(1, fan_in)));
        weight_ = op::var<T>("weight", {out_channels, s[1] / groups, kernel[0], kernel[1]},
                             {UNIFORM, {-bound, bound}}, in->memory());
        if (bias) {
            bias_ = op::var<T>("bias", {out_channels}, {UNIFORM, {-bound, bound}}, in->memory());
        }
        this->output_ = op::conv2d(in, weight_, bias_, stride, padding, dilation, groups, algo);
    }
    std::vector<op::OpPtr<T>> get_weights() const override {
        if (bias_) return {weight_, bias_};
        return {weight_};
    }
    LayerSpec spec() const override {
        LayerSpec s{"conv2d",
                    {{"out_channels", std::to_string(out_)},
                     {"kernel", pair_attr(kernel_)},
                     {"stride", pair_attr(stride_)},
                     {"padding", pair_attr(padding_)},
                     {"bias", bias_ ? "true" : "false"}}};
        if (dilation_ != op::Pair{1, 1}) s.attrs["dilation"] = pair_attr(dilation_);
        if (groups_ != 1) s.attrs["groups"] = std::to_string(groups_);
        if (algo_ != conv::Algo::automatic) s.attrs["algo"] = conv::to_string(algo_);
        return s;
    }

  private:
    index_t out_;
    op::Pair kernel_, stride_, padding_, dilation_;
    index_t groups_;
    conv::Algo algo_;
    op::OpPtr<T> weight_, bias_;
};

template <typename T>
class Pooling2dLayer final : public Layer<T> {
  public:
    Pooling2dLayer(op::OpPtr<T> in, op::Pair kernel, op::Pair stride, pooling_t mode,
                   op::Pair padding)
        : Layer<T>("pooling2d", in),
          kernel_(kernel),
          stride_(stride),
          padding_(padding),
          mode_(mode) {
        this->output_ = op::pooling2d(in, kernel, stride, padding,
                                      mode == MAX ? op::PoolMode::max : op::PoolMode::average);
    }
    LayerSpec spec() const override {
        return {"pooling2d",
                {{"kernel", pair_attr(kernel_)},
                 {"stride", pair_attr(stride_)},
                 {"padding", pair_attr(padding_)},
                 {"mode", mode_ == MAX ? "max" : "average"}}};
    }

  private:
    op::Pair kernel_, stride_, padding_;
    pooling_t mode_;
};

template <typename T>
class GlobalAvgPoolLayer final : public Layer<T> {
  public:
    explicit GlobalAvgPoolLayer(op::OpPtr<T> in) : Layer<T>("globalavgpool", in) {
        this->output_ = op::global_avg_pool(in);
    }
    LayerSpec spec() const override { return {"globalavgpool", {}}; }
};

template <typename T>
class BatchNormLayer final : public Layer<T> {
  public:
    BatchNormLayer(op::OpPtr<T> in, float momentum, float epsilon)
        : Layer<T>("batchnorm", in), momentum_(momentum), epsilon_(epsilon) {
        if (in->shape().size() < 2) {
            throw ShapeError(
                fmt::format("layer::batchnorm: input '{}' has shape {}; needs "
                            "{{batch, channels, ...}}",
                            in->name(), magmadnn::to_string(in->shape())));
        }
        const index_t c = in->shape()[1];
        gamma_ = op::var<T>("weight", {c}, {ONE, {}}, in->memory());
        beta_ = op::var<T>("bias", {c}, {ZERO, {}}, in->memory());
        mean_ = op::var<T>("running_mean", {c}, {ZERO, {}}, in->memory());
        var_ = op::var<T>("running_var", {c}, {ONE, {}}, in->memory());
        this->output_ = op::batchnorm(in, gamma_, beta_, mean_, var_, T(momentum), T(epsilon));
    }
    std::vector<op::OpPtr<T>> get_weights() const override { return {gamma_, beta_}; }
    std::vector<op::OpPtr<T>> get_state() const override { return {mean_, var_}; }
    LayerSpec spec() const override {
        return {
            "batchnorm",
            {{"momentum", fmt::format("{}", momentum_)}, {"epsilon", fmt::format("{}", epsilon_)}}};
    }

  private:
    float momentum_, epsilon_;
    op::OpPtr<T> gamma_, beta_, mean_, var_;
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
LayerPtr<T> reshape(const op::OpPtr<T>& input, const Shape& shape) {
    require_input(input, "reshape");
    if (shape.empty()) {
        throw ShapeError(
            fmt::format("layer::reshape: input '{}' {}: give the shape of each row (without the "
                        "batch axis), e.g. {{1, 28, 28}}",
                        input->name(), magmadnn::to_string(input->shape())));
    }
    // each row's elements must fill the new shape; checked here, before any product of the
    // extents could overflow
    const Shape& in = input->shape();
    const index_t row = in.empty() || in[0] == 0 ? 0 : numel(in) / in[0];
    index_t known = 1;
    int unknown = 0;
    for (index_t e : shape) {
        if (e == -1) {
            ++unknown;
        } else if (e <= 0 || known > row / e) {
            known = -1;
            break;
        } else {
            known *= e;
        }
    }
    if (known < 0 || unknown > 1 || (unknown == 0 ? known != row : row % known != 0)) {
        throw ShapeError(fmt::format(
            "layer::reshape: the rows of input '{}' {} hold {} elements, which cannot take the "
            "shape {} (positive extents, at most one -1 to infer)",
            input->name(), magmadnn::to_string(in), row, magmadnn::to_string(shape)));
    }
    return std::make_shared<ReshapeLayer<T>>(input, shape);
}

template <typename T>
LayerPtr<T> output(const op::OpPtr<T>& input) {
    require_input(input, "output");
    return std::make_shared<OutputLayer<T>>(input);
}

template <typename T>
LayerPtr<T> conv2d(const op::OpPtr<T>& input, index_t out_channels, op::Pair kernel,
                   op::Pair stride, op::Pair padding, op::Pair dilation, index_t groups, bool bias,
                   conv::Algo algo) {
    require_input(input, "conv2d");
    if (out_channels <= 0 || kernel[0] <= 0 || kernel[1] <= 0) {
        throw ValueError(
            fmt::format("layer::conv2d: out_channels {} and kernel {}x{} must be positive",
                        out_channels, kernel[0], kernel[1]));
    }
    return std::make_shared<Conv2dLayer<T>>(input, out_channels, kernel, stride, padding, dilation,
                                            groups, bias, algo);
}

template <typename T>
LayerPtr<T> pooling2d(const op::OpPtr<T>& input, op::Pair kernel, op::Pair stride, pooling_t mode,
                      op::Pair padding) {
    require_input(input, "pooling2d");
    if (stride == op::Pair{0, 0}) stride = kernel;
    return std::make_shared<Pooling2dLayer<T>>(input, kernel, stride, mode, padding);
}

template <typename T>
LayerPtr<T> globalavgpool(const op::OpPtr<T>& input) {
    require_input(input, "globalavgpool");
    return std::make_shared<GlobalAvgPoolLayer<T>>(input);
}

template <typename T>
LayerPtr<T> batchnorm(const op::OpPtr<T>& input, float momentum, float epsilon) {
    require_input(input, "batchnorm");
    return std::make_shared<BatchNormLayer<T>>(input, momentum, epsilon);
}

#define MAGMADNN_INSTANTIATE(T)                                                                \
    template class Layer<T>;                                                                   \
    template LayerPtr<T> input<T>(const op::OpPtr<T>&);                                        \
    template LayerPtr<T> fullyconnected<T>(const op::OpPtr<T>&, index_t, bool);                \
    template LayerPtr<T> activation<T>(const op::OpPtr<T>&, activation_t);                     \
    template LayerPtr<T> dropout<T>(const op::OpPtr<T>&, float, std::uint64_t);                \
    template LayerPtr<T> flatten<T>(const op::OpPtr<T>&);                                      \
    template LayerPtr<T> reshape<T>(const op::OpPtr<T>&, const Shape&);                        \
    template LayerPtr<T> output<T>(const op::OpPtr<T>&);                                       \
    template LayerPtr<T> conv2d<T>(const op::OpPtr<T>&, index_t, op::Pair, op::Pair, op::Pair, \
                                   op::Pair, index_t, bool, conv::Algo);                       \
    template LayerPtr<T> pooling2d<T>(const op::OpPtr<T>&, op::Pair, op::Pair, pooling_t,      \
                                      op::Pair);                                               \
    template LayerPtr<T> globalavgpool<T>(const op::OpPtr<T>&);                                \
    template LayerPtr<T> batchnorm<T>(const op::OpPtr<T>&, float, float);
MAGMADNN_INSTANTIATE(float)
MAGMADNN_INSTANTIATE(double)
#undef MAGMADNN_INSTANTIATE

}  // namespace magmadnn::layer
