// matmul, transpose, reshape, flatten.
#include "nodes.h"

namespace magmadnn::op {

template <typename T>
class MatMul final : public Node<T> {
  public:
    MatMul(std::string name, OpPtr<T> a, OpPtr<T> b)
        : Node<T>(std::move(name), {a, b}, {a->shape()[0], b->shape()[1]}, a->memory()) {
        this->output_ = Tensor<T>(this->shape_, this->memory_);
    }
    std::string kind() const override { return "matmul"; }
    void forward() override {
        math::matmul(T(1), this->inputs_[0]->output(), false, this->inputs_[1]->output(), false,
                     T(0), this->output_);
    }
    void backward() override {
        const Tensor<T>& g = this->grad_;
        // dA = g B^T, dB = A^T g; accumulation rides on GEMM's beta.
        this->emit_grad(0, [&](Tensor<T>& dst, bool acc) {
            math::matmul(T(1), g, false, this->inputs_[1]->output(), true, acc ? T(1) : T(0), dst);
        });
        this->emit_grad(1, [&](Tensor<T>& dst, bool acc) {
            math::matmul(T(1), this->inputs_[0]->output(), true, g, false, acc ? T(1) : T(0), dst);
        });
    }
};

template <typename T>
class Transpose final : public Node<T> {
  public:
    Transpose(std::string name, OpPtr<T> x)
        : Node<T>(std::move(name), {x}, {x->shape()[1], x->shape()[0]}, x->memory()) {
        this->output_ = Tensor<T>(this->shape_, this->memory_);
    }
    std::string kind() const override { return "transpose"; }
    void forward() override {
        this->output_.copy_from(math::transpose(this->inputs_[0]->output()));
    }
    void backward() override { this->add_grad(0, math::transpose(this->grad_)); }
};

template <typename T>
class Reshape final : public Node<T> {
  public:
    Reshape(std::string name, OpPtr<T> x, Shape shape)
        : Node<T>(std::move(name), {x}, std::move(shape), x->memory()) {
        this->output_ = x->output().reshape(this->shape_);
    }
    std::string kind() const override { return "reshape"; }
    // A view of the input's buffer, taken again each time: planning may have moved it.
    void forward() override { this->output_ = this->inputs_[0]->output().reshape(this->shape_); }
    void backward() override { this->add_grad(0, this->grad_.reshape(this->inputs_[0]->shape())); }
};

template <typename T>
OpPtr<T> matmul(const OpPtr<T>& a, const OpPtr<T>& b) {
    if (!a || !b) throw ValueError("op::matmul: an input is null");
    if (a->shape().size() != 2 || b->shape().size() != 2 || a->shape()[1] != b->shape()[0]) {
        throw ShapeError(
            fmt::format("op::matmul({}, {}): shapes {} and {} do not multiply; need "
                        "{{m, k}} and {{k, n}}",
                        a->name(), b->name(), to_string(a->shape()), to_string(b->shape())));
    }
    return std::make_shared<MatMul<T>>(fmt::format("matmul({}, {})", a->name(), b->name()), a, b);
}

template <typename T>
OpPtr<T> transpose(const OpPtr<T>& x) {
    if (!x || x->shape().size() != 2) {
        throw ShapeError(fmt::format("op::transpose: needs a 2-D input, got {}",
                                     x ? to_string(x->shape()) : "null"));
    }
    return std::make_shared<Transpose<T>>(fmt::format("transpose({})", x->name()), x);
}

template <typename T>
OpPtr<T> reshape(const OpPtr<T>& x, const Shape& shape) {
    if (!x) throw ValueError("op::reshape: input is null");
    // Tensor::reshape validates the element count and infers -1.
    const Shape resolved = x->output().reshape(shape).shape();
    return std::make_shared<Reshape<T>>(fmt::format("reshape({})", x->name()), x, resolved);
}

template <typename T>
OpPtr<T> flatten(const OpPtr<T>& x) {
    if (!x || x->shape().empty()) {
        throw ShapeError("op::flatten: needs an input with a leading batch axis");
    }
    const index_t n = x->shape()[0];
    return reshape(x, {n, n == 0 ? 0 : numel(x->shape()) / n});
}

#define MAGMADNN_INSTANTIATE(T)                                    \
    template OpPtr<T> matmul<T>(const OpPtr<T>&, const OpPtr<T>&); \
    template OpPtr<T> transpose<T>(const OpPtr<T>&);               \
    template OpPtr<T> reshape<T>(const OpPtr<T>&, const Shape&);   \
    template OpPtr<T> flatten<T>(const OpPtr<T>&);
MAGMADNN_INSTANTIATE(float)
MAGMADNN_INSTANTIATE(double)
#undef MAGMADNN_INSTANTIATE

}  // namespace magmadnn::op
