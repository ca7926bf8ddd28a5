// The conv2d node. On HOST tensors the convolution runs through conv:: (the algorithm chosen by
// measurement on the first evaluation, or the one the caller named), then the bias is added per
// channel (backend/cpu/conv2d_bias.h). On GPU tensors it runs cuDNN (its own timed choice per
// pass, whatever algorithm was named: CPU algorithm names never break a device graph); a build
// without cuDNN stages GPU tensors through host buffers instead.
#include <optional>

#include "../backend/cpu/conv2d_bias.h"
#include "../backend/host_stage.h"
#include "magmadnn/op/conv.h"
#include "nodes.h"

#ifdef MAGMADNN_WITH_CUDNN
#include "../backend/cuda/conv2d_cudnn.h"
#endif

namespace magmadnn::op {

template <typename T>
class Conv2d final : public Node<T> {
  public:
    Conv2d(std::string name, std::vector<OpPtr<T>> in, conv::Shape2d p, conv::Algo algo)
        : Node<T>(std::move(name), std::move(in), {p.n, p.k, p.out_h(), p.out_w()}, in_memory(in)),
          p_(p),
          algo_(initial_algo(algo)) {
        this->output_ = Tensor<T>(this->shape_, this->memory_);
    }
    // "conv2d" until the algorithm is chosen (the first pass), then "conv2d:<algorithm>"
    std::string kind() const override {
        return algo_ == conv::Algo::automatic ? "conv2d"
                                              : std::string("conv2d:") + conv::to_string(algo_);
    }
    conv::Algo algorithm() {
        if (algo_ == conv::Algo::automatic) algo_ = conv::choose<T>(p_);
        return algo_;
    }
    void forward() override {
#ifdef MAGMADNN_WITH_CUDNN
        if (this->memory_ != HOST) {
            forward_gpu();
            return;
        }
#endif
        const conv::Algo a = algorithm();
        const Tensor<T>& x = on_host(this->inputs_[0]->output(), sx_);
        const Tensor<T>& w = on_host(this->inputs_[1]->output(), sw_);
        Tensor<T>& y = host_out(this->output_, sy_);
        conv::forward(a, p_, x, w, y, &cols_);
        if (this->inputs_.size() == 3) {
            const Tensor<T>& b = on_host(this->inputs_[2]->output(), sb_);
            conv::cpu::bias_add(p_, b.cdata(), y.data());
        }
        if (&y != &this->output_) this->output_.copy_from(y);
    }
    void backward() override {
#ifdef MAGMADNN_WITH_CUDNN
        if (this->memory_ != HOST) {
            backward_gpu();
            return;
        }
#endif
        const conv::Algo a = algorithm();
        const Tensor<T>& g = on_host(this->grad_, sg_);
        if (this->inputs_.size() == 3) {  // db = sum of g over images and positions
            this->emit_computed(2, [&](Tensor<T>& dst) {
                Tensor<T>& out = host_out(dst, sdb_);
                conv::cpu::bias_grad(p_, g.cdata(), out.data());
                if (&out != &dst) dst.copy_from(out);
            });
        }
        this->emit_computed(1, [&](Tensor<T>& dst) {
            const Tensor<T>& x = on_host(this->inputs_[0]->output(), sx_);
            Tensor<T>& out = host_out(dst, sdw_);
            conv::backward_weights(a, p_, x, g, out, &cols_);
            if (&out != &dst) dst.copy_from(out);
        });
        this->emit_computed(0, [&](Tensor<T>& dst) {
            const Tensor<T>& w = on_host(this->inputs_[1]->output(), sw_);
            Tensor<T>& out = host_out(dst, sdx_);
            conv::backward_data(a, p_, g, w, out);
            if (&out != &dst) dst.copy_from(out);
        });
    }

  private:
    // What `algo` means for this node: on the GPU nothing (cuDNN chooses on the first pass, and
    // kind() says so then); on the host `cudnn` means automatic.
    conv::Algo initial_algo(conv::Algo algo) const {
#ifdef MAGMADNN_WITH_CUDNN
        if (this->memory_ != HOST) return conv::Algo::automatic;
#endif
        return algo == conv::Algo::cudnn ? conv::Algo::automatic : algo;
    }
#ifdef MAGMADNN_WITH_CUDNN
    conv::cudnn::Conv2d<T>& gpu() {
        if (!gpu_) {
            gpu_.emplace(p_, fmt::format("op::conv2d('{}')", this->inputs_[0]->name()));
            algo_ = conv::Algo::cudnn;
        }
        return *gpu_;
    }
    void forward_gpu() {
        conv::cudnn::Conv2d<T>& g = gpu();
        g.forward(this->inputs_[0]->output(), this->inputs_[1]->output(), this->output_);
        if (this->inputs_.size() == 3) g.add_bias(this->inputs_[2]->output(), this->output_);
    }
    // Every pass overwrites its destination (beta = 0); emit_computed adds through a scratch
    // buffer when the input already holds another contribution.
    void backward_gpu() {
        conv::cudnn::Conv2d<T>& g = gpu();
        if (this->inputs_.size() == 3) {
            this->emit_computed(2, [&](Tensor<T>& dst) { g.backward_bias(this->grad_, dst); });
        }
        this->emit_computed(1, [&](Tensor<T>& dst) {
            g.backward_filter(this->inputs_[0]->output(), this->grad_, dst);
        });
        this->emit_computed(0, [&](Tensor<T>& dst) {
            g.backward_data(this->grad_, this->inputs_[1]->output(), dst);
        });
    }
    std::optional<conv::cudnn::Conv2d<T>> gpu_;  // descriptors and chosen algorithms
#endif
    static memory_t in_memory(const std::vector<OpPtr<T>>& in) { return in[0]->memory(); }
    conv::Shape2d p_;
    conv::Algo algo_;
    Tensor<T> sx_, sw_, sb_, sy_, sg_, sdx_, sdw_, sdb_;  // host staging for GPU tensors
    Tensor<T> cols_;  // im2col: the forward pass's unrolled input, reused by backward-weights
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
    return std::make_shared<Conv2d<T>>(fmt::format("conv2d({})", x->name()), std::move(in), p,
                                       algo);
}

#define MAGMADNN_INSTANTIATE(T)                                                                \
    template OpPtr<T> conv2d<T>(const OpPtr<T>&, const OpPtr<T>&, const OpPtr<T>&, Pair, Pair, \
                                Pair, index_t, conv::Algo);
MAGMADNN_INSTANTIATE(float)
MAGMADNN_INSTANTIATE(double)
#undef MAGMADNN_INSTANTIATE

}  // namespace magmadnn::op
