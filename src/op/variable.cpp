#include "nodes.h"

namespace magmadnn::op {

template <typename T>
OpPtr<T> var(const std::string& name, const Shape& shape, const Filler& filler, memory_t memory) {
    return std::make_shared<Variable<T>>(name, Tensor<T>(shape, filler, memory));
}

template <typename T>
OpPtr<T> var(const std::string& name, const Tensor<T>& value) {
    return std::make_shared<Variable<T>>(name, value);
}

template <typename T>
OpPtr<T> scalar(const std::string& name, T value, memory_t memory) {
    Tensor<T> t({1}, memory);
    t.fill(value);
    return std::make_shared<Variable<T>>(name, t);
}

template <typename T>
Tensor<T> value_of(const OpPtr<T>& variable) {
    if (dynamic_cast<const Variable<T>*>(variable.get()) == nullptr) {
        throw ValueError(fmt::format("value_of: '{}' is a {} node, not a variable",
                                     variable ? variable->name() : "null",
                                     variable ? variable->kind() : "null"));
    }
    return variable->output();
}

#define MAGMADNN_INSTANTIATE(T)                                                          \
    template OpPtr<T> var<T>(const std::string&, const Shape&, const Filler&, memory_t); \
    template OpPtr<T> var<T>(const std::string&, const Tensor<T>&);                      \
    template OpPtr<T> scalar<T>(const std::string&, T, memory_t);                        \
    template Tensor<T> value_of<T>(const OpPtr<T>&);
MAGMADNN_INSTANTIATE(float)
MAGMADNN_INSTANTIATE(double)
#undef MAGMADNN_INSTANTIATE

}  // namespace magmadnn::op
