// reduce_sum and mean, softmax and log_softmax.
#include "nodes.h"

namespace magmadnn::op {

using math::BinaryOp;
using math::ReduceOp;

template <typename T>
class Reduce final : public Node<T> {
  public:
    Reduce(std::string name, OpPtr<T> x, int axis, bool mean, Shape out, Shape kept)
        : Node<T>(std::move(name), {x}, std::move(out), x->memory()),
          axis_(axis),
          mean_(mean),
          kept_(std::move(kept)) {
        this->output_ = Tensor<T>(this->shape_, this->memory_);
    }
    std::string kind() const override { return mean_ ? "mean" : "reduce_sum"; }
    void forward() override {
        math::reduce(mean_ ? ReduceOp::mean : ReduceOp::sum, this->inputs_[0]->output(), axis_,
                     this->output_);
    }
    void backward() override {
        // Each input element receives the gradient of the sum it fed (scaled for a mean).
        Tensor<T> g = this->grad_.reshape(kept_);
        if (mean_) {
            const index_t n = numel(this->inputs_[0]->shape()) / std::max<index_t>(1, numel(kept_));
            g = math::unary(math::UnaryOp::mul_scalar, g, T(1) / T(n));
        }
        this->emit_grad(0, [&](Tensor<T>& dst, bool accumulate) {
            if (!accumulate) dst.zero();
            math::binary(BinaryOp::add, dst, g, dst);
        });
    }

  private:
    int axis_;
    bool mean_;
    Shape kept_;
};

template <typename T>
class Softmax final : public Node<T> {
  public:
    Softmax(std::string name, OpPtr<T> x, bool log)
        : Node<T>(std::move(name), {x}, x->shape(), x->memory()), log_(log) {
        this->output_ = Tensor<T>(this->shape_, this->memory_);
    }
    std::string kind() const override { return log_ ? "log_softmax" : "softmax"; }
    void forward() override {
        if (log_) {
            math::log_softmax(this->inputs_[0]->output(), this->output_);
        } else {
            math::softmax(this->inputs_[0]->output(), this->output_);
        }
    }
    void backward() override {
        const Tensor<T>& g = this->grad_;
        const Tensor<T>& y = this->output_;
        this->emit_computed(0, [&](Tensor<T>& out) {
            if (log_) {  // g - softmax(x) * sum(g)
                const Tensor<T> s = math::sum(g, -1, true);
                const Tensor<T> p = math::unary(math::UnaryOp::exp, y);
                math::binary(BinaryOp::mul, p, s, out);
                math::binary(BinaryOp::sub, g, out, out);
            } else {  // y * (g - sum(g * y))
                math::binary(BinaryOp::mul, g, y, out);
                const Tensor<T> s = math::sum(out, -1, true);
                math::binary(BinaryOp::sub, g, s, out);
                math::binary(BinaryOp::mul, out, y, out);
            }
        });
    }

  private:
    bool log_;
};

namespace {
template <typename T>
OpPtr<T> reduce_node(const char* what, const OpPtr<T>& x, int axis, bool mean) {
    if (!x) throw ValueError(fmt::format("op::{}: input is null", what));
    const Shape& s = x->shape();
    Shape out, kept(s.size(), 1);
    if (axis != math::all_axes) {
        const int n = static_cast<int>(s.size());
        const int a = axis < 0 ? axis + n : axis;
        if (a < 0 || a >= n) {
            throw ValueError(
                fmt::format("op::{}: axis {} out of range for shape {}", what, axis, to_string(s)));
        }
        out = s;
        out.erase(out.begin() + a);
        kept = s;
        kept[a] = 1;
    }
    return std::make_shared<Reduce<T>>(fmt::format("{}({})", what, x->name()), x, axis, mean, out,
                                       kept);
}
}  // namespace

template <typename T>
OpPtr<T> reduce_sum(const OpPtr<T>& x, int axis) {
    return reduce_node("reduce_sum", x, axis, false);
}
template <typename T>
OpPtr<T> mean(const OpPtr<T>& x, int axis) {
    return reduce_node("mean", x, axis, true);
}
template <typename T>
OpPtr<T> softmax(const OpPtr<T>& x) {
    if (!x || x->shape().empty()) throw ShapeError("op::softmax: needs at least one axis");
    return std::make_shared<Softmax<T>>(fmt::format("softmax({})", x->name()), x, false);
}
template <typename T>
OpPtr<T> log_softmax(const OpPtr<T>& x) {
    if (!x || x->shape().empty()) throw ShapeError("op::log_softmax: needs at least one axis");
    return std::make_shared<Softmax<T>>(fmt::format("log_softmax({})", x->name()), x, true);
}

#define MAGMADNN_INSTANTIATE(T)                            \
    template OpPtr<T> reduce_sum<T>(const OpPtr<T>&, int); \
    template OpPtr<T> mean<T>(const OpPtr<T>&, int);       \
    template OpPtr<T> softmax<T>(const OpPtr<T>&);         \
    template OpPtr<T> log_softmax<T>(const OpPtr<T>&);
MAGMADNN_INSTANTIATE(float)
MAGMADNN_INSTANTIATE(double)
#undef MAGMADNN_INSTANTIATE

}  // namespace magmadnn::op
