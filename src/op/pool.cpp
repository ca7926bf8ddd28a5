// pooling2d (max, average) and global average pooling. On the host, max pooling remembers each
// output's winning input position for the backward pass; GPU tensors run cuDNN's pooling (host
// staging only in a build without cuDNN). Global average pooling is a mean over the flattened
// spatial axis, built from existing ops (so its gradient is theirs).
#include <optional>

#include "../backend/cpu/pool2d.h"
#include "conv2d_stage.h"
#include "magmadnn/op/conv.h"
#include "nodes.h"

#ifdef MAGMADNN_WITH_CUDNN
#include "../backend/cuda/pool2d_cudnn.h"
#endif

namespace magmadnn::op {

template <typename T>
class Pool2d final : public Node<T>, public AbsorbsInputRelu<T> {
  public:
    Pool2d(std::string name, OpPtr<T> x, Pair k, Pair s, Pair pad, PoolMode mode, Shape out)
        : Node<T>(std::move(name), {x}, std::move(out), x->memory()),
          k_(k),
          s_(s),
          p_(pad),
          mode_(mode) {
        this->output_ = Tensor<T>(this->shape_, this->memory_);
        if (mode_ == PoolMode::max && !runs_on_gpu()) {
            argmax_.resize(static_cast<std::size_t>(this->output_.size()));
        }
    }
    std::string kind() const override {
        return mode_ == PoolMode::max ? (relu_ ? "relu+maxpool2d" : "maxpool2d") : "avgpool2d";
    }
    bool can_absorb_input_relu() const override { return mode_ == PoolMode::max && !relu_; }
    void absorb_input_relu() override { relu_ = true; }
    void forward() override {
#ifdef MAGMADNN_WITH_CUDNN
        if (runs_on_gpu()) {
            gpu().forward(this->inputs_[0]->output(), this->output_, relu_);
            return;
        }
#endif
        const Tensor<T>& xt = on_host(this->inputs_[0]->output(), sx_);
        Tensor<T>& yt = host_out(this->output_, sy_);
        pool::cpu::pool2d_forward(pool_shape(), xt.cdata(), yt.data(), argmax_.data());
        if (relu_) {
            T* y = yt.data();
            const index_t n = yt.size();
#pragma omp parallel for simd if (n > (1 << 16))
            for (index_t e = 0; e < n; ++e) y[e] = y[e] > T(0) ? y[e] : T(0);
        }
        if (&yt != &this->output_) this->output_.copy_from(yt);
    }
    void backward() override {
#ifdef MAGMADNN_WITH_CUDNN
        if (runs_on_gpu()) {
            this->emit_computed(0, [&](Tensor<T>& dst) {
                gpu().backward(this->inputs_[0]->output(), this->output_, this->grad_, dst, relu_);
            });
            return;
        }
#endif
        const Tensor<T>& gt = on_host(this->grad_, sg_);
        this->emit_computed(0, [&](Tensor<T>& dst) {
            Tensor<T>& dxt = host_out(dst, sdx_);
            // the forward pass's host output (the staging copy for GPU tensors)
            const T* yo = !relu_                           ? nullptr
                          : this->output_.memory() == HOST ? this->output_.cdata()
                                                           : sy_.cdata();
            pool::cpu::pool2d_backward(pool_shape(), gt.cdata(), argmax_.data(), yo, dxt.data());
            if (&dxt != &dst) dst.copy_from(dxt);
        });
    }

  private:
    pool::cpu::PoolShape pool_shape() const {
        const Shape& is = this->inputs_[0]->shape();
        pool::cpu::PoolShape s;
        s.planes = is[0] * is[1], s.h = is[2], s.w = is[3];
        s.oh = this->shape_[2], s.ow = this->shape_[3];
        s.kernel = k_, s.stride = s_, s.padding = p_;
        s.max = mode_ == PoolMode::max;
        return s;
    }
    bool runs_on_gpu() const {
#ifdef MAGMADNN_WITH_CUDNN
        return this->memory_ != HOST;
#else
        return false;
#endif
    }
#ifdef MAGMADNN_WITH_CUDNN
    // The absorbed relu stays fused on the GPU as one small pass over the pooled output (a
    // quarter of the convolution's output for 2x2 windows) and a mask on its gradient before
    // cudnnPoolingBackward; the convolution's output never goes through a separate relu.
    conv::cudnn::Pool2d<T>& gpu() {
        if (!gpu_) {
            const Shape& is = this->inputs_[0]->shape();
            conv::cudnn::PoolShape s;
            s.n = is[0], s.c = is[1], s.h = is[2], s.w = is[3];
            s.kernel = k_, s.stride = s_, s.padding = p_;
            s.out_h = this->shape_[2], s.out_w = this->shape_[3];
            s.max = mode_ == PoolMode::max;
            gpu_.emplace(s, fmt::format("op::pooling2d('{}')", this->inputs_[0]->name()));
        }
        return *gpu_;
    }
    std::optional<conv::cudnn::Pool2d<T>> gpu_;
#endif
    Pair k_, s_, p_;
    PoolMode mode_;
    bool relu_ = false;  // a relu absorbed from the input (see AbsorbsInputRelu)
    std::vector<std::int32_t> argmax_;
    Tensor<T> sx_, sy_, sg_, sdx_;
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
    return std::make_shared<Pool2d<T>>(
        fmt::format("{}pool2d({})", mode == PoolMode::max ? "max" : "avg", x->name()), x, kernel,
        stride, padding, mode, Shape{xs[0], xs[1], oh, ow});
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
