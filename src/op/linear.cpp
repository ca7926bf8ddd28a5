// The fully connected node: x W + b and an activation in one node, and the planning pass that
// fuses a following activation into it (and a relu into the max pooling after it).
#include <unordered_map>

#include "../backend/fused.h"
#include "../backend/grad.h"
#include "nodes.h"

namespace magmadnn::op {

using math::BinaryOp;
using math::UnaryOp;

template <typename T>
Linear<T>::Linear(std::string name, OpPtr<T> x, OpPtr<T> w, OpPtr<T> b, Activation act)
    : Node<T>(std::move(name), b ? std::vector<OpPtr<T>>{x, w, b} : std::vector<OpPtr<T>>{x, w},
              {x->shape()[0], w->shape()[1]}, x->memory()),
      act_(act) {
    this->output_ = Tensor<T>(this->shape_, this->memory_);
}

template <typename T>
void Linear<T>::forward() {
    Tensor<T>& y = this->output_;
    math::matmul(T(1), this->inputs_[0]->output(), false, this->inputs_[1]->output(), false, T(0),
                 y);
    if (this->inputs_.size() == 3) {  // bias and activation in one pass
        const Tensor<T>& b = this->inputs_[2]->output();
        if (act_ == Activation::linear) {
            math::binary(BinaryOp::add, y, b, y);
        } else {
            const math::FusedOp op = act_ == Activation::relu   ? math::FusedOp::add_relu
                                     : act_ == Activation::tanh ? math::FusedOp::add_tanh
                                                                : math::FusedOp::add_sigmoid;
            math::fused_binary(op, y, b, y);
        }
    } else if (act_ != Activation::linear) {
        const UnaryOp op = act_ == Activation::relu   ? UnaryOp::relu
                           : act_ == Activation::tanh ? UnaryOp::tanh
                                                      : UnaryOp::sigmoid;
        math::unary(op, y, y);
    }
}

template <typename T>
void Linear<T>::backward() {
    const Tensor<T>& y = this->output_;
    const Tensor<T>* g = &this->grad_;
    if (act_ != Activation::linear) {  // through the activation, from its output alone
        if (pre_grad_.empty()) pre_grad_ = Tensor<T>(this->shape_, this->memory_);
        const UnaryOp op = act_ == Activation::relu   ? UnaryOp::relu
                           : act_ == Activation::tanh ? UnaryOp::tanh
                                                      : UnaryOp::sigmoid;
        // tanh's and sigmoid's gradients read the output; relu's reads the input's sign, which
        // the output shares (y > 0 exactly where x > 0)
        math::unary_grad(op, y, y, *g, pre_grad_);
        g = &pre_grad_;
    }
    const Tensor<T>& x = this->inputs_[0]->output();
    const Tensor<T>& w = this->inputs_[1]->output();
    this->emit_grad(1, [&](Tensor<T>& dst, bool acc) {  // dW = x^T g
        math::matmul(T(1), x, true, *g, false, acc ? T(1) : T(0), dst);
    });
    if (this->inputs_.size() == 3) {  // db = column sums of g
        this->emit_grad(2, [&](Tensor<T>& dst, bool acc) {
            if (!acc) {
                math::reduce(math::ReduceOp::sum, *g, 0, dst);
            } else {
                Tensor<T>& tmp = this->scratch(2, dst.shape());
                math::reduce(math::ReduceOp::sum, *g, 0, tmp);
                math::binary(BinaryOp::add, dst, tmp, dst);
            }
        });
    }
    this->emit_grad(0, [&](Tensor<T>& dst, bool acc) {  // dx = g W^T
        math::matmul(T(1), *g, false, w, true, acc ? T(1) : T(0), dst);
    });
}

template <typename T>
OpPtr<T> linear(const OpPtr<T>& x, const OpPtr<T>& weight, const OpPtr<T>& bias,
                Activation activation) {
    if (!x || !weight) throw ValueError("op::linear: input or weight is null");
    const Shape& xs = x->shape();
    const Shape& ws = weight->shape();
    if (xs.size() != 2 || ws.size() != 2 || xs[1] != ws[0]) {
        throw ShapeError(fmt::format(
            "op::linear: input '{}' {} and weight '{}' {} do not fit; need {{n, in}} and {{in, "
            "out}} (flatten the input first if it has more axes)",
            x->name(), to_string(xs), weight->name(), to_string(ws)));
    }
    if (bias && bias->shape() != Shape{ws[1]}) {
        throw ShapeError(fmt::format("op::linear: bias '{}' has shape {}, expected {{{}}}",
                                     bias->name(), to_string(bias->shape()), ws[1]));
    }
    if (activation != Activation::linear && activation != Activation::relu &&
        activation != Activation::tanh && activation != Activation::sigmoid) {
        throw ValueError(fmt::format(
            "op::linear: activation {} cannot be fused; use linear, relu, tanh or sigmoid, or "
            "apply op::{} to the linear node's output",
            to_string(activation), to_string(activation)));
    }
    return std::make_shared<Linear<T>>(fmt::format("linear({})", x->name()), x, weight, bias,
                                       activation);
}

template <typename T>
int optimize(const OpPtr<T>& root) {
    if (!root) return 0;
    const auto& order = root->order();
    std::unordered_map<const Operation<T>*, int> readers;
    for (Operation<T>* node : order) {
        for (const auto& in : node->inputs()) ++readers[in.get()];
    }
    int fused = 0;
    for (Operation<T>* node : order) {
        auto* act = dynamic_cast<Unary<T>*>(node);
        if (act == nullptr || act->passthrough()) continue;
        Activation a;
        switch (act->op()) {
            case UnaryOp::relu:
                a = Activation::relu;
                break;
            case UnaryOp::tanh:
                a = Activation::tanh;
                break;
            case UnaryOp::sigmoid:
                a = Activation::sigmoid;
                break;
            default:
                continue;
        }
        auto* lin = dynamic_cast<Linear<T>*>(act->inputs()[0].get());
        if (lin == nullptr || lin->activation() != Activation::linear || readers[lin] != 1 ||
            lin == root.get()) {
            continue;
        }
        lin->set_activation(a);
        act->alias_buffers(*lin);
        act->make_passthrough();
        ++fused;
    }
    for (Operation<T>* node : order) {  // relu -> max pooling: the pooling node applies it
        auto* pool = dynamic_cast<AbsorbsInputRelu<T>*>(node);
        if (pool == nullptr || !pool->can_absorb_input_relu()) continue;
        auto* act = dynamic_cast<Unary<T>*>(node->inputs()[0].get());
        if (act == nullptr || act->passthrough() || act->op() != UnaryOp::relu ||
            readers[act] != 1 || act == root.get()) {
            continue;
        }
        act->alias_buffers(*act->inputs()[0]);  // the pooling node reads the relu's input
        act->make_passthrough();
        pool->absorb_input_relu();
        ++fused;
    }
    return fused;
}

#define MAGMADNN_INSTANTIATE(T)                                                                 \
    template class Linear<T>;                                                                   \
    template OpPtr<T> linear<T>(const OpPtr<T>&, const OpPtr<T>&, const OpPtr<T>&, Activation); \
    template int optimize<T>(const OpPtr<T>&);
MAGMADNN_INSTANTIATE(float)
MAGMADNN_INSTANTIATE(double)
#undef MAGMADNN_INSTANTIATE

}  // namespace magmadnn::op
