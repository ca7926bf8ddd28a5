// Losses: cross-entropy on probabilities, softmax cross-entropy on logits (fused), MSE.
#include "nodes.h"

namespace magmadnn::op {

using math::BinaryOp;
using math::UnaryOp;

namespace {
template <typename T>
T scalar_grad(const Tensor<T>& g) {
    return g.get_flat(0);
}
}  // namespace

template <typename T>
class CrossEntropy final : public Node<T> {
  public:
    CrossEntropy(std::string name, OpPtr<T> y, OpPtr<T> p, bool from_logits)
        : Node<T>(std::move(name), {y, p}, {}, y->memory()), from_logits_(from_logits) {
        this->output_ = Tensor<T>(this->shape_, this->memory_);
        work_ = Tensor<T>(y->shape(), y->memory());
        logp_ = Tensor<T>(y->shape(), y->memory());
    }
    std::string kind() const override {
        return from_logits_ ? "softmax_crossentropy" : "crossentropy";
    }
    void forward() override {
        const Tensor<T>& y = this->inputs_[0]->output();
        const Tensor<T>& p = this->inputs_[1]->output();
        if (from_logits_) {
            math::log_softmax(p, logp_);
        } else {
            math::unary(UnaryOp::log, p, logp_);
        }
        math::binary(BinaryOp::mul, y, logp_, work_);
        math::reduce(math::ReduceOp::sum, work_, math::all_axes, this->output_);
        math::unary(UnaryOp::mul_scalar, this->output_, this->output_, T(-1) / rows());
    }
    void backward() override {
        const T scale = scalar_grad(this->grad_) / rows();
        const Tensor<T>& y = this->inputs_[0]->output();
        const Tensor<T>& p = this->inputs_[1]->output();
        this->emit_computed(1, [&](Tensor<T>& out) {
            if (from_logits_) {  // (softmax(x) - y) * g / n
                math::unary(UnaryOp::exp, logp_, out);
                math::binary(BinaryOp::sub, out, y, out);
                math::unary(UnaryOp::mul_scalar, out, out, scale);
            } else {  // -y / p * g / n
                math::binary(BinaryOp::div, y, p, out);
                math::unary(UnaryOp::mul_scalar, out, out, -scale);
            }
        });
        this->emit_computed(0, [&](Tensor<T>& out) {  // -log p * g / n
            math::unary(UnaryOp::mul_scalar, logp_, out, -scale);
        });
    }

  private:
    T rows() const { return T(std::max<index_t>(1, this->inputs_[0]->shape()[0])); }
    bool from_logits_;
    Tensor<T> work_, logp_;
};

template <typename T>
class Mse final : public Node<T> {
  public:
    Mse(std::string name, OpPtr<T> p, OpPtr<T> t)
        : Node<T>(std::move(name), {p, t}, {}, p->memory()) {
        this->output_ = Tensor<T>(this->shape_, this->memory_);
        diff_ = Tensor<T>(p->shape(), p->memory());
        sq_ = Tensor<T>(p->shape(), p->memory());
    }
    std::string kind() const override { return "mse"; }
    void forward() override {
        math::binary(BinaryOp::sub, this->inputs_[0]->output(), this->inputs_[1]->output(), diff_);
        math::unary(UnaryOp::square, diff_, sq_);
        math::reduce(math::ReduceOp::mean, sq_, math::all_axes, this->output_);
    }
    void backward() override {
        const T scale = T(2) * scalar_grad(this->grad_) / T(std::max<index_t>(1, diff_.size()));
        this->emit_computed(
            0, [&](Tensor<T>& out) { math::unary(UnaryOp::mul_scalar, diff_, out, scale); });
        this->emit_computed(
            1, [&](Tensor<T>& out) { math::unary(UnaryOp::mul_scalar, diff_, out, -scale); });
    }

  private:
    Tensor<T> diff_, sq_;
};

namespace {
template <typename T>
void require_same(const char* what, const OpPtr<T>& a, const OpPtr<T>& b) {
    if (!a || !b) throw ValueError(fmt::format("op::{}: an input is null", what));
    if (a->shape() != b->shape() || a->shape().empty()) {
        throw ShapeError(
            fmt::format("op::{}: '{}' has shape {} but '{}' has {}; they must match "
                        "({{batch, classes}})",
                        what, a->name(), to_string(a->shape()), b->name(), to_string(b->shape())));
    }
}
}  // namespace

template <typename T>
OpPtr<T> crossentropy(const OpPtr<T>& ground_truth, const OpPtr<T>& predicted) {
    require_same("crossentropy", ground_truth, predicted);
    return std::make_shared<CrossEntropy<T>>(
        fmt::format("crossentropy({}, {})", ground_truth->name(), predicted->name()), ground_truth,
        predicted, false);
}

template <typename T>
OpPtr<T> softmax_crossentropy(const OpPtr<T>& logits, const OpPtr<T>& ground_truth) {
    require_same("softmax_crossentropy", logits, ground_truth);
    return std::make_shared<CrossEntropy<T>>(
        fmt::format("softmax_crossentropy({}, {})", logits->name(), ground_truth->name()),
        ground_truth, logits, true);
}

template <typename T>
OpPtr<T> mse(const OpPtr<T>& predicted, const OpPtr<T>& target) {
    require_same("mse", predicted, target);
    return std::make_shared<Mse<T>>(fmt::format("mse({}, {})", predicted->name(), target->name()),
                                    predicted, target);
}

#define MAGMADNN_INSTANTIATE(T)                                                  \
    template OpPtr<T> crossentropy<T>(const OpPtr<T>&, const OpPtr<T>&);         \
    template OpPtr<T> softmax_crossentropy<T>(const OpPtr<T>&, const OpPtr<T>&); \
    template OpPtr<T> mse<T>(const OpPtr<T>&, const OpPtr<T>&);
MAGMADNN_INSTANTIATE(float)
MAGMADNN_INSTANTIATE(double)
#undef MAGMADNN_INSTANTIATE

}  // namespace magmadnn::op
