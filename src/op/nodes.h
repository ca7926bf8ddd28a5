#pragma once
// Private: the node classes behind the op:: factories.

#include <fmt/format.h>

#include <iterator>

#include "magmadnn/backend/math.h"
#include "magmadnn/core/error.h"
#include "magmadnn/op/ops.h"

namespace magmadnn::op {

// Common helpers for node implementations.
template <typename T>
class Node : public Operation<T> {
  protected:
    using Operation<T>::Operation;
    using Operation<T>::inputs_;

    // Writes a same-shape gradient contribution for input i: `compute(out)` fills `out` with it.
    // The first contribution is written straight into the input's gradient; later ones go
    // through a scratch buffer and are added.
    template <typename F>
    void emit_computed(std::size_t i, F&& compute) {
        this->emit_grad(i, [&](Tensor<T>& dst, bool accumulate) {
            if (!accumulate) {
                compute(dst);
                return;
            }
            Tensor<T>& tmp = scratch(i, dst.shape());
            compute(tmp);
            math::binary(math::BinaryOp::add, dst, tmp, dst);
        });
    }

    Tensor<T>& scratch(std::size_t i, const Shape& shape) {
        if (scratch_.size() <= i) scratch_.resize(i + 1);
        if (scratch_[i].shape() != shape || scratch_[i].empty()) {
            scratch_[i] = Tensor<T>(shape, this->memory_);
        }
        return scratch_[i];
    }

    std::vector<Tensor<T>> scratch_;
};

// A node that can take over the relu feeding it. Max pooling commutes with relu,
// max(relu(x)) = relu(max(x)), so the pooling node applies the relu to its 4x smaller output and
// routes gradients only where that output is positive; the relu node then passes values through.
template <typename T>
class AbsorbsInputRelu {
  public:
    virtual ~AbsorbsInputRelu() = default;
    virtual bool can_absorb_input_relu() const = 0;
    virtual void absorb_input_relu() = 0;
};

template <typename T>
class Variable final : public Node<T> {
  public:
    Variable(std::string name, Tensor<T> value)
        : Node<T>(std::move(name), {}, value.shape(), value.memory()) {
        this->output_ = std::move(value);
    }
    std::string kind() const override { return "variable"; }
    void forward() override {}
};

template <typename T>
class Unary final : public Node<T> {
  public:
    Unary(std::string name, OpPtr<T> x, math::UnaryOp op, T param)
        : Node<T>(std::move(name), {x}, x->shape(), x->memory()), op_(op), param_(param) {
        this->output_ = Tensor<T>(this->shape_, this->memory_);
    }
    std::string kind() const override { return math::to_string(op_); }
    math::UnaryOp op() const { return op_; }
    void forward() override;
    void backward() override;
    // After fusion into the linear node below it, this node only passes values through.
    void make_passthrough() { passthrough_ = true; }
    bool passthrough() const { return passthrough_; }

  private:
    math::UnaryOp op_;
    T param_;
    bool passthrough_ = false;
};

template <typename T>
class Linear final : public Node<T> {
  public:
    Linear(std::string name, OpPtr<T> x, OpPtr<T> w, OpPtr<T> b, Activation act);
    std::string kind() const override { return "linear"; }
    void forward() override;
    void backward() override;
    Activation activation() const { return act_; }
    void set_activation(Activation a) { act_ = a; }

  private:
    Activation act_;
    Tensor<T> pre_grad_;  // gradient before the activation
};

}  // namespace magmadnn::op
