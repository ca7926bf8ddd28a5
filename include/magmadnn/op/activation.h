#pragma once
// The activation functions: one enum wherever one is chosen, a layer
// (layer::activation(x, Activation::relu), or the seed's spelling layer::RELU), the activation
// fused into op::linear, and the "activation" attribute of a saved architecture ("relu").

#include <string>

namespace magmadnn {

enum class Activation { linear, relu, leaky_relu, gelu, tanh, sigmoid, softmax, log_softmax };

// "linear", "relu", "leaky_relu", "gelu", "tanh", "sigmoid", "softmax", "log_softmax".
std::string to_string(Activation a);
// The inverse of to_string; ValueError naming the accepted names otherwise.
Activation activation_from_string(const std::string& name);

}  // namespace magmadnn
