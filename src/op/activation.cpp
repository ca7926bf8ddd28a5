#include "magmadnn/op/activation.h"

#include <fmt/format.h>

#include "magmadnn/core/error.h"

namespace magmadnn {

namespace {
constexpr Activation kAll[] = {Activation::linear,  Activation::relu,       Activation::leaky_relu,
                               Activation::gelu,    Activation::tanh,       Activation::sigmoid,
                               Activation::softmax, Activation::log_softmax};
}  // namespace

std::string to_string(Activation a) {
    switch (a) {
        case Activation::linear:
            return "linear";
        case Activation::relu:
            return "relu";
        case Activation::leaky_relu:
            return "leaky_relu";
        case Activation::gelu:
            return "gelu";
        case Activation::tanh:
            return "tanh";
        case Activation::sigmoid:
            return "sigmoid";
        case Activation::softmax:
            return "softmax";
        case Activation::log_softmax:
            return "log_softmax";
    }
    return "?";
}

Activation activation_from_string(const std::string& name) {
    for (Activation a : kAll) {
        if (to_string(a) == name) return a;
    }
    throw ValueError(fmt::format(
        "unknown activation '{}'; expected linear, relu, leaky_relu, gelu, tanh, sigmoid, "
        "softmax or log_softmax",
        name));
}

}  // namespace magmadnn
