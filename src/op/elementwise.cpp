// Unary and broadcasting binary nodes, each forward beside its gradient.
#include "../backend/grad.h"
#include "nodes.h"

namespace magmadnn::op {

using math::BinaryOp;
using math::UnaryOp;

template <typename T>
void Unary<T>::forward() {
    if (passthrough_) return;  // the linear node below computed this output
    math::unary(op_, this->inputs_[0]->output(), this->output_, param_);
}

template <typename T>
void Unary<T>::backward() {
    const Tensor<T>& g = this->grad_;
    const Tensor<T>& x = this->inputs_[0]->output();
    const Tensor<T>& y = this->output_;
    if (passthrough_) {  // the buffers are shared with the input: the gradient is already there
        this->inputs_[0]->set_grad_fresh(false);
        return;
    }
    this->emit_computed(0, [&](Tensor<T>& out) { math::unary_grad(op_, x, y, g, out, param_); });
}

template <typename T>
class Binary final : public Node<T> {
  public:
    Binary(std::string name, OpPtr<T> a, OpPtr<T> b, BinaryOp op, Shape shape)
        : Node<T>(std::move(name), {a, b}, std::move(shape), a->memory()), op_(op) {
        this->output_ = Tensor<T>(this->shape_, this->memory_);
    }
    std::string kind() const override { return math::to_string(op_); }
    void forward() override {
        math::binary(op_, this->inputs_[0]->output(), this->inputs_[1]->output(), this->output_);
    }
    // Each input's partial from its row's gradient functor, summed over the axes it was
    // broadcast along.
    void backward() override {
        const Tensor<T>& a = this->inputs_[0]->output();
        const Tensor<T>& b = this->inputs_[1]->output();
        for (int side = 0; side < 2; ++side) {
            if (!this->inputs_[side]->needs_grad()) continue;
            Tensor<T>& partial = this->scratch(side, this->shape_);
            math::binary_grad(op_, side, a, b, this->output_, this->grad_, partial);
            this->add_grad(side, partial);
        }
    }

  private:
    BinaryOp op_;
};

namespace {
template <typename T>
OpPtr<T> unary_node(const char* what, const OpPtr<T>& x, UnaryOp op, T param = T(0)) {
    if (!x) throw ValueError(fmt::format("op::{}: input is null", what));
    return std::make_shared<Unary<T>>(fmt::format("{}({})", what, x->name()), x, op, param);
}
template <typename T>
OpPtr<T> binary_node(const char* what, const OpPtr<T>& a, const OpPtr<T>& b, BinaryOp op) {
    if (!a || !b) throw ValueError(fmt::format("op::{}: an input is null", what));
    Shape shape = math::broadcast_shape(a->shape(), b->shape(), what);
    return std::make_shared<Binary<T>>(fmt::format("{}({}, {})", what, a->name(), b->name()), a, b,
                                       op, std::move(shape));
}
}  // namespace

template <typename T>
OpPtr<T> add(const OpPtr<T>& a, const OpPtr<T>& b) {
    return binary_node("add", a, b, BinaryOp::add);
}
template <typename T>
OpPtr<T> sub(const OpPtr<T>& a, const OpPtr<T>& b) {
    return binary_node("sub", a, b, BinaryOp::sub);
}
template <typename T>
OpPtr<T> product(const OpPtr<T>& a, const OpPtr<T>& b) {
    return binary_node("product", a, b, BinaryOp::mul);
}
template <typename T>
OpPtr<T> div(const OpPtr<T>& a, const OpPtr<T>& b) {
    return binary_node("div", a, b, BinaryOp::div);
}
template <typename T>
OpPtr<T> binary(const OpPtr<T>& a, const OpPtr<T>& b, BinaryOp op) {
    return binary_node(math::to_string(op), a, b, op);
}
template <typename T>
OpPtr<T> negate(const OpPtr<T>& x) {
    return unary_node("negate", x, UnaryOp::neg);
}
template <typename T>
OpPtr<T> add_scalar(const OpPtr<T>& x, T s) {
    return unary_node("add_scalar", x, UnaryOp::add_scalar, s);
}
template <typename T>
OpPtr<T> scalarproduct(T alpha, const OpPtr<T>& x) {
    return unary_node("scalarproduct", x, UnaryOp::mul_scalar, alpha);
}
template <typename T>
OpPtr<T> pow(const OpPtr<T>& x, T exponent) {
    return unary_node("pow", x, UnaryOp::pow_scalar, exponent);
}
template <typename T>
OpPtr<T> unary(const OpPtr<T>& x, UnaryOp op, T param) {
    return unary_node(math::to_string(op), x, op, param);
}
template <typename T>
OpPtr<T> exp(const OpPtr<T>& x) {
    return unary_node("exp", x, UnaryOp::exp);
}
template <typename T>
OpPtr<T> log(const OpPtr<T>& x) {
    return unary_node("log", x, UnaryOp::log);
}
template <typename T>
OpPtr<T> tanh(const OpPtr<T>& x) {
    return unary_node("tanh", x, UnaryOp::tanh);
}
template <typename T>
OpPtr<T> sigmoid(const OpPtr<T>& x) {
    return unary_node("sigmoid", x, UnaryOp::sigmoid);
}
template <typename T>
OpPtr<T> relu(const OpPtr<T>& x) {
    return unary_node("relu", x, UnaryOp::relu);
}
template <typename T>
OpPtr<T> leaky_relu(const OpPtr<T>& x, T negative_slope) {
    return unary_node("leaky_relu", x, UnaryOp::leaky_relu, negative_slope);
}
template <typename T>
OpPtr<T> gelu(const OpPtr<T>& x) {
    return unary_node("gelu", x, UnaryOp::gelu);
}

#define MAGMADNN_INSTANTIATE(T)                                              \
    template class Unary<T>;                                                 \
    template OpPtr<T> add<T>(const OpPtr<T>&, const OpPtr<T>&);              \
    template OpPtr<T> sub<T>(const OpPtr<T>&, const OpPtr<T>&);              \
    template OpPtr<T> product<T>(const OpPtr<T>&, const OpPtr<T>&);          \
    template OpPtr<T> div<T>(const OpPtr<T>&, const OpPtr<T>&);              \
    template OpPtr<T> binary<T>(const OpPtr<T>&, const OpPtr<T>&, BinaryOp); \
    template OpPtr<T> negate<T>(const OpPtr<T>&);                            \
    template OpPtr<T> add_scalar<T>(const OpPtr<T>&, T);                     \
    template OpPtr<T> scalarproduct<T>(T, const OpPtr<T>&);                  \
    template OpPtr<T> pow<T>(const OpPtr<T>&, T);                            \
    template OpPtr<T> unary<T>(const OpPtr<T>&, UnaryOp, T);                 \
    template OpPtr<T> exp<T>(const OpPtr<T>&);                               \
    template OpPtr<T> log<T>(const OpPtr<T>&);                               \
    template OpPtr<T> tanh<T>(const OpPtr<T>&);                              \
    template OpPtr<T> sigmoid<T>(const OpPtr<T>&);                           \
    template OpPtr<T> relu<T>(const OpPtr<T>&);                              \
    template OpPtr<T> leaky_relu<T>(const OpPtr<T>&, T);                     \
    template OpPtr<T> gelu<T>(const OpPtr<T>&);
MAGMADNN_INSTANTIATE(float)
MAGMADNN_INSTANTIATE(double)
#undef MAGMADNN_INSTANTIATE

}  // namespace magmadnn::op
