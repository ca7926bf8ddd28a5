// pooling2d (max, average) and global average pooling. Max pooling remembers each output's
// winning input position for the backward pass; global average pooling is a mean over the
// flattened spatial axis, built from existing ops (so its gradient is theirs).
#include <limits>

#include "conv2d_stage.h"
#include "magmadnn/op/conv.h"
#include "nodes.h"

namespace magmadnn::op {

template <typename T>
class Pool2d final : public Node<T> {
  public:
    Pool2d(std::string name, OpPtr<T> x, Pair k, Pair s, Pair pad, PoolMode mode, Shape out)
        : Node<T>(std::move(name), {x}, std::move(out), x->memory()),
          k_(k),
          s_(s),
          p_(pad),
          mode_(mode) {
        this->output_ = Tensor<T>(this->shape_, this->memory_);
        if (mode_ == PoolMode::max) argmax_.resize(static_cast<std::size_t>(this->output_.size()));
    }
    std::string kind() const override { return mode_ == PoolMode::max ? "maxpool2d" : "avgpool2d"; }
    void forward() override {
        const Tensor<T>& xt = on_host(this->inputs_[0]->output(), sx_);
        Tensor<T>& yt = host_out(this->output_, sy_);
        const Shape& is = this->inputs_[0]->shape();
        const index_t planes = is[0] * is[1], h = is[2], w = is[3];
        const index_t oh = this->shape_[2], ow = this->shape_[3];
        const T* x = xt.cdata();
        T* y = yt.data();
        const T inv = T(1) / T(k_[0] * k_[1]);
        std::int32_t* am = argmax_.data();
        if (p_[0] == 0 && p_[1] == 0 && mode_ == PoolMode::max && k_ == Pair{2, 2} &&
            s_ == Pair{2, 2}) {
            // 2x2 windows, stride 2 (LeNet's, VGG's): two rows at a time, no inner loops
#pragma omp parallel for if (planes * oh * ow > (1 << 14))
            for (index_t pl = 0; pl < planes; ++pl) {
                const T* xp = x + pl * h * w;
                for (index_t i = 0; i < oh; ++i) {
                    const T* r0 = xp + 2 * i * w;
                    const T* r1 = r0 + w;
                    T* yo = y + (pl * oh + i) * ow;
                    std::int32_t* ao = am + (pl * oh + i) * ow;
                    const std::int32_t base = static_cast<std::int32_t>(2 * i * w);
                    for (index_t j = 0; j < ow; ++j) {
                        const T a = r0[2 * j], b = r0[2 * j + 1], c = r1[2 * j], d = r1[2 * j + 1];
                        const std::int32_t jj = static_cast<std::int32_t>(2 * j);
                        const std::int32_t ww = static_cast<std::int32_t>(w);
                        // branch-free (random data defeats branch prediction); ties keep
                        // the first maximum in a, b, c, d order, as the general path does
                        const bool right0 = b > a, right1 = d > c;
                        const T m0 = right0 ? b : a, m1 = right1 ? d : c;
                        const bool lower = m1 > m0;
                        const T best = lower ? m1 : m0;
                        const std::int32_t arg =
                            base + jj + (lower ? ww + std::int32_t(right1) : std::int32_t(right0));
                        yo[j] = best;
                        ao[j] = arg;
                    }
                }
            }
            if (&yt != &this->output_) this->output_.copy_from(yt);
            return;
        }
        if (p_[0] == 0 && p_[1] == 0 && mode_ == PoolMode::max) {
            // every window lies inside the plane: no bounds checks (LeNet's, VGG's case)
#pragma omp parallel for if (planes * oh * ow > (1 << 14))
            for (index_t pl = 0; pl < planes; ++pl) {
                const T* xp = x + pl * h * w;
                for (index_t i = 0; i < oh; ++i) {
                    for (index_t j = 0; j < ow; ++j) {
                        index_t arg = i * s_[0] * w + j * s_[1];
                        T best = xp[arg];
                        for (index_t u = 0; u < k_[0]; ++u) {
                            const index_t row = (i * s_[0] + u) * w + j * s_[1];
                            for (index_t v = 0; v < k_[1]; ++v) {
                                if (xp[row + v] > best) {
                                    best = xp[row + v];
                                    arg = row + v;
                                }
                            }
                        }
                        const index_t o = (pl * oh + i) * ow + j;
                        y[o] = best;
                        am[o] = static_cast<std::int32_t>(arg);
                    }
                }
            }
            if (&yt != &this->output_) this->output_.copy_from(yt);
            return;
        }
#pragma omp parallel for if (planes * oh * ow > (1 << 14))
        for (index_t pl = 0; pl < planes; ++pl) {
            const T* xp = x + pl * h * w;
            for (index_t i = 0; i < oh; ++i) {
                for (index_t j = 0; j < ow; ++j) {
                    const index_t o = (pl * oh + i) * ow + j;
                    T best = -std::numeric_limits<T>::infinity(), sum = T(0);
                    std::int32_t arg = -1;
                    for (index_t u = 0; u < k_[0]; ++u) {
                        const index_t hi = i * s_[0] - p_[0] + u;
                        if (hi < 0 || hi >= h) continue;
                        for (index_t v = 0; v < k_[1]; ++v) {
                            const index_t wi = j * s_[1] - p_[1] + v;
                            if (wi < 0 || wi >= w) continue;
                            const T val = xp[hi * w + wi];
                            sum += val;
                            if (arg < 0 || val > best) {
                                best = val;
                                arg = static_cast<std::int32_t>(hi * w + wi);
                            }
                        }
                    }
                    if (mode_ == PoolMode::max) {
                        y[o] = best;
                        am[o] = arg;
                    } else {
                        y[o] = sum * inv;
                    }
                }
            }
        }
        if (&yt != &this->output_) this->output_.copy_from(yt);
    }
    void backward() override {
        const Tensor<T>& gt = on_host(this->grad_, sg_);
        const Shape& is = this->inputs_[0]->shape();
        const index_t planes = is[0] * is[1], h = is[2], w = is[3];
        const index_t oh = this->shape_[2], ow = this->shape_[3];
        this->emit_computed(0, [&](Tensor<T>& dst) {
            Tensor<T>& dxt = host_out(dst, sdx_);
            T* dx = dxt.data();
            const T* g = gt.cdata();
            const T inv = T(1) / T(k_[0] * k_[1]);
            const std::int32_t* am = argmax_.data();
#pragma omp parallel for if (planes * h * w > (1 << 14))
            for (index_t pl = 0; pl < planes; ++pl) {
                T* dp = dx + pl * h * w;
                for (index_t e = 0; e < h * w; ++e) dp[e] = T(0);
                for (index_t i = 0; i < oh; ++i) {
                    for (index_t j = 0; j < ow; ++j) {
                        const index_t o = (pl * oh + i) * ow + j;
                        if (mode_ == PoolMode::max) {
                            dp[am[o]] += g[o];
                            continue;
                        }
                        for (index_t u = 0; u < k_[0]; ++u) {
                            const index_t hi = i * s_[0] - p_[0] + u;
                            if (hi < 0 || hi >= h) continue;
                            for (index_t v = 0; v < k_[1]; ++v) {
                                const index_t wi = j * s_[1] - p_[1] + v;
                                if (wi >= 0 && wi < w) dp[hi * w + wi] += g[o] * inv;
                            }
                        }
                    }
                }
            }
            if (&dxt != &dst) dst.copy_from(dxt);
        });
    }

  private:
    Pair k_, s_, p_;
    PoolMode mode_;
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
