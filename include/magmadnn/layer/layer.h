#pragma once
// Layers: small builders over the graph. Each layer takes the node before it and exposes its own
// result as out(), as in MagmaDNN: layer::fullyconnected(input->out(), 528).

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "magmadnn/op/conv.h"
#include "magmadnn/op/ops.h"

namespace magmadnn::layer {

// Activations are magmadnn::Activation (op/activation.h); the seed's names stay as constants.
using activation_t = Activation;
inline constexpr Activation TANH = Activation::tanh;
inline constexpr Activation SIGMOID = Activation::sigmoid;
inline constexpr Activation RELU = Activation::relu;
inline constexpr Activation LEAKY_RELU = Activation::leaky_relu;
inline constexpr Activation GELU = Activation::gelu;
inline constexpr Activation SOFTMAX = Activation::softmax;
inline constexpr Activation LOG_SOFTMAX = Activation::log_softmax;
inline constexpr Activation LINEAR = Activation::linear;
using magmadnn::activation_from_string;  // "relu", "tanh", ...
using magmadnn::to_string;

// What it takes to rebuild a layer: its type and attributes (saved as JSON with a model).
struct LayerSpec {
    std::string type;  // input, fullyconnected, activation, dropout, flatten, reshape, output,
                       // conv2d, pooling2d, globalavgpool, batchnorm
    std::map<std::string, std::string> attrs;
};

template <typename T>
class Layer {
  public:
    virtual ~Layer() = default;
    op::OpPtr<T> out() const { return output_; }
    op::OpPtr<T> input() const { return input_; }
    const std::string& name() const { return name_; }
    // Trainable variables, in a fixed order (weight before bias).
    virtual std::vector<op::OpPtr<T>> get_weights() const { return {}; }
    // Non-trainable state saved with the model (batchnorm's running statistics), named by the
    // variables' own names: saved as layers.<i>.<name>.
    virtual std::vector<op::OpPtr<T>> get_state() const { return {}; }
    virtual LayerSpec spec() const = 0;
    index_t num_params() const;

  protected:
    Layer(std::string name, op::OpPtr<T> input)
        : name_(std::move(name)), input_(std::move(input)) {}
    std::string name_;
    op::OpPtr<T> input_;
    op::OpPtr<T> output_;
};

template <typename T>
using LayerPtr = std::shared_ptr<Layer<T>>;

// The network's entry: `data` is the batch placeholder variable, {batch, features...}.
template <typename T>
LayerPtr<T> input(const op::OpPtr<T>& data);
// x W + b with W {in, units}, initialised as PyTorch's nn.Linear: U(-1/sqrt(in), 1/sqrt(in)).
// Inputs with more than two axes are flattened to {batch, rest}.
template <typename T>
LayerPtr<T> fullyconnected(const op::OpPtr<T>& input, index_t units, bool bias = true);
template <typename T>
LayerPtr<T> activation(const op::OpPtr<T>& input, activation_t type);
template <typename T>
LayerPtr<T> dropout(const op::OpPtr<T>& input, float rate, std::uint64_t seed = 0);
template <typename T>
LayerPtr<T> flatten(const op::OpPtr<T>& input);
// {batch, ...} -> {batch, shape...}: the same elements of each row in another shape (one extent
// may be -1, inferred), as flat rows {n, 784} viewed as images {n, 1, 28, 28}.
template <typename T>
LayerPtr<T> reshape(const op::OpPtr<T>& input, const Shape& shape);
// 2-D convolution over {batch, c, h, w} with PyTorch's Conv2d initialisation (weights and bias
// U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = c / groups * kh * kw). `algo` = automatic picks the
// algorithm by measurement (conv::choose); naming one overrides it for this layer.
template <typename T>
LayerPtr<T> conv2d(const op::OpPtr<T>& input, index_t out_channels, op::Pair kernel,
                   op::Pair stride = {1, 1}, op::Pair padding = {0, 0}, op::Pair dilation = {1, 1},
                   index_t groups = 1, bool bias = true, conv::Algo algo = conv::Algo::automatic);
enum pooling_t { MAX, AVERAGE };
// Max or average pooling; stride defaults to the kernel.
template <typename T>
LayerPtr<T> pooling2d(const op::OpPtr<T>& input, op::Pair kernel, op::Pair stride = {0, 0},
                      pooling_t mode = MAX, op::Pair padding = {0, 0});
// {batch, c, h, w} -> {batch, c}: the mean over each channel's plane.
template <typename T>
LayerPtr<T> globalavgpool(const op::OpPtr<T>& input);
// Batch normalisation over the channels (axis 1); gamma = 1, beta = 0 trainable, running mean and
// variance as state (get_state), updated with `momentum` in training mode.
template <typename T>
LayerPtr<T> batchnorm(const op::OpPtr<T>& input, float momentum = 0.1f, float epsilon = 1e-5f);
// Marks the network's result (logits, or probabilities after a SOFTMAX activation).
template <typename T>
LayerPtr<T> output(const op::OpPtr<T>& input);

}  // namespace magmadnn::layer
