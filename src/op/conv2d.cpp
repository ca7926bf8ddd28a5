// The conv2d node. It builds the graph and calls the convolution plan (src/backend/conv2d_plan.h),
// which chooses cuDNN or the host algorithms once, adds the bias and stages GPU tensors where the
// build has no cuDNN.
#include "../backend/conv2d_plan.h"
#include "magmadnn/op/conv.h"
#include "nodes.h"

namespace magmadnn::op {

template <typename T>
class Conv2d final : public Node<T> {
  public:
    Conv2d(std::string name, std::vector<OpPtr<T>> in, memory_t memory, conv::Shape2d p,
           conv::Algo algo, std::string who)
        : Node<T>(std::move(name), std::move(in), {p.n, p.k, p.out_h(), p.out_w()}, memory),
          plan_(p, algo, memory, std::move(who)) {
        this->output_ = Tensor<T>(this->shape_, this->memory_);
    }
    // "conv2d" until the algorithm is chosen (the first pass), then "conv2d:<algorithm>"
    std::string kind() const override {
        const conv::Algo a = plan_.algorithm();
        return a == conv::Algo::automatic ? "conv2d" : std::string("conv2d:") + conv::to_string(a);
    }
    void forward() override {
        const Tensor<T>* b = this->inputs_.size() == 3 ? &this->inputs_[2]->output() : nullptr;
        plan_.forward(this->inputs_[0]->output(), this->inputs_[1]->output(), b, this->output_);
    }
    // Every pass overwrites its destination; emit_computed adds through a scratch buffer when the
    // input already holds another contribution.
    void backward() override {
        if (this->inputs_.size() == 3) {
            this->emit_computed(2, [&](Tensor<T>& dst) { plan_.backward_bias(this->grad_, dst); });
        }
        this->emit_computed(1, [&](Tensor<T>& dst) {
            plan_.backward_weights(this->inputs_[0]->output(), this->grad_, dst);
        });
        this->emit_computed(0, [&](Tensor<T>& dst) {
            plan_.backward_data(this->grad_, this->inputs_[1]->output(), dst);
        });
    }

  private:
    conv::Conv2dPlan<T> plan_;
};

template <typename T>
OpPtr<T> conv2d(const OpPtr<T>& x, const OpPtr<T>& w, const OpPtr<T>& b, Pair stride, Pair padding,
                Pair dilation, index_t groups, conv::Algo algo) {
    if (!x || !w) throw ValueError("op::conv2d: input or filter is null");
    const Shape& xs = x->shape();
    const Shape& ws = w->shape();
    const std::string who = fmt::format("op::conv2d('{}')", x->name());
    if (xs.size() != 4 || ws.size() != 4) {
        throw ShapeError(fmt::format(
            "{}: input {} and filter {} must be 4-D: {{n, c, h, w}} and {{out_c, in_c / groups, "
            "kh, kw}} (reshape flat images first)",
            who, to_string(xs), to_string(ws)));
    }
    conv::Shape2d p;
    p.n = xs[0], p.c = xs[1], p.h = xs[2], p.w = xs[3];
    p.k = ws[0], p.r = ws[2], p.s = ws[3];
    p.stride_h = stride[0], p.stride_w = stride[1];
    p.pad_h = padding[0], p.pad_w = padding[1];
    p.dil_h = dilation[0], p.dil_w = dilation[1];
    p.groups = groups;
    p.validate(who);
    if (ws[1] * groups != xs[1]) {
        throw ShapeError(fmt::format(
            "{}: the filter {} takes {} input channels per group x {} groups, the input {} has "
            "{}; the filter's second extent must be in_channels / groups",
            who, to_string(ws), ws[1], groups, to_string(xs), xs[1]));
    }
    if (b && b->shape() != Shape{p.k}) {
        throw ShapeError(fmt::format("{}: bias '{}' has shape {}, expected {{{}}}", who, b->name(),
                                     to_string(b->shape()), p.k));
    }
    if (w->memory() != x->memory() || (b && b->memory() != x->memory())) {
        throw DeviceError(
            fmt::format("{}: input, filter and bias must be in the same memory", who));
    }
    std::vector<OpPtr<T>> in{x, w};
    if (b) in.push_back(b);
    return std::make_shared<Conv2d<T>>(fmt::format("conv2d({})", x->name()), std::move(in),
                                       x->memory(), p, algo, who);
}

#define MAGMADNN_INSTANTIATE(T)                                                                \
    template OpPtr<T> conv2d<T>(const OpPtr<T>&, const OpPtr<T>&, const OpPtr<T>&, Pair, Pair, \
                                Pair, index_t, conv::Algo);
MAGMADNN_INSTANTIATE(float)
MAGMADNN_INSTANTIATE(double)
#undef MAGMADNN_INSTANTIATE

}  // namespace magmadnn::op
