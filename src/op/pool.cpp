// pooling2d (max, average) and global average pooling. The node builds the graph and calls the
// pooling plan (src/backend/pool2d.h), which chooses the host kernels or cuDNN once. Global
// average pooling is a mean over the flattened spatial axis, built from existing ops (so its
// gradient is theirs).
#include "../backend/pool2d.h"
#include "magmadnn/op/conv.h"
#include "nodes.h"

namespace magmadnn::op {

template <typename T>
class Pool2d final : public Node<T>, public AbsorbsInputRelu<T> {
  public:
    Pool2d(std::string name, OpPtr<T> x, const pool::Pool2dShape& s, std::string who)
        : Node<T>(std::move(name), {x}, {s.n, s.c, s.out_h, s.out_w}, x->memory()),
          max_(s.max),
          plan_(s, x->memory(), std::move(who)) {
        this->output_ = Tensor<T>(this->shape_, this->memory_);
    }
    std::string kind() const override {
        return max_ ? (relu_ ? "relu+maxpool2d" : "maxpool2d") : "avgpool2d";
    }
    bool can_absorb_input_relu() const override { return max_ && !relu_; }
    void absorb_input_relu() override { relu_ = true; }
    void forward() override { plan_.forward(this->inputs_[0]->output(), this->output_, relu_); }
    void backward() override {
        this->emit_computed(0, [&](Tensor<T>& dst) {
            plan_.backward(this->inputs_[0]->output(), this->output_, this->grad_, dst, relu_);
        });
    }

  private:
    bool max_;
    bool relu_ = false;  // a relu absorbed from the input (see AbsorbsInputRelu)
    pool::Pool2dPlan<T> plan_;
};

template <typename T>
OpPtr<T> pooling2d(const OpPtr<T>& x, Pair kernel, Pair stride, Pair padding, PoolMode mode) {
    if (!x) throw ValueError("op::pooling2d: input is null");
    const Shape& xs = x->shape();
    const std::string who = fmt::format("op::pooling2d('{}')", x->name());
    if (xs.size() != 4) {
        throw ShapeError(
            fmt::format("{}: input {} must be 4-D {{n, c, h, w}}", who, to_string(xs)));
    }
    if (kernel[0] <= 0 || kernel[1] <= 0 || stride[0] <= 0 || stride[1] <= 0 || padding[0] < 0 ||
        padding[1] < 0 || 2 * padding[0] > kernel[0] || 2 * padding[1] > kernel[1]) {
        throw ShapeError(fmt::format(
            "{}: kernel {{{}, {}}}, stride {{{}, {}}}, padding {{{}, {}}}: kernel and stride must "
            "be positive and padding at most half the kernel",
            who, kernel[0], kernel[1], stride[0], stride[1], padding[0], padding[1]));
    }
    if (kernel[0] > xs[2] + 2 * padding[0] || kernel[1] > xs[3] + 2 * padding[1]) {
        throw ShapeError(fmt::format(
            "{}: kernel {}x{} is larger than the padded input {}x{} (input {}); use a smaller "
            "kernel or pool fewer times",
            who, kernel[0], kernel[1], xs[2] + 2 * padding[0], xs[3] + 2 * padding[1],
            to_string(xs)));
    }
    const index_t oh = (xs[2] + 2 * padding[0] - kernel[0]) / stride[0] + 1;
    const index_t ow = (xs[3] + 2 * padding[1] - kernel[1]) / stride[1] + 1;
    pool::Pool2dShape s;
    s.n = xs[0], s.c = xs[1], s.h = xs[2], s.w = xs[3], s.out_h = oh, s.out_w = ow;
    s.kernel = kernel, s.stride = stride, s.padding = padding;
    s.max = mode == PoolMode::max;
    return std::make_shared<Pool2d<T>>(
        fmt::format("{}pool2d({})", s.max ? "max" : "avg", x->name()), x, s, who);
}

template <typename T>
OpPtr<T> global_avg_pool(const OpPtr<T>& x) {
    if (!x) throw ValueError("op::global_avg_pool: input is null");
    const Shape& xs = x->shape();
    if (xs.size() != 4) {
        throw ShapeError(
            fmt::format("op::global_avg_pool('{}'): input {} must be 4-D {{n, c, h, w}}", x->name(),
                        to_string(xs)));
    }
    return op::mean(op::reshape(x, {xs[0], xs[1], xs[2] * xs[3]}), 2);
}

#define MAGMADNN_INSTANTIATE(T)                                                  \
    template OpPtr<T> pooling2d<T>(const OpPtr<T>&, Pair, Pair, Pair, PoolMode); \
    template OpPtr<T> global_avg_pool<T>(const OpPtr<T>&);
MAGMADNN_INSTANTIATE(float)
MAGMADNN_INSTANTIATE(double)
#undef MAGMADNN_INSTANTIATE

}  // namespace magmadnn::op
