// Batch normalisation over axis 1 of {n, c, ...}. Training mode normalises by the batch's mean
// and (biased) variance and moves the running statistics towards the batch mean and unbiased
// variance; inference mode uses the running statistics. On the host (backend/cpu/batchnorm.h)
// statistics are accumulated in double. When every input is in GPU memory the node runs cuDNN on
// the device pointers (same semantics, see backend/cuda/batchnorm_cudnn.h); otherwise, and for
// training batches with a single value per channel, GPU tensors are staged through host buffers.
#include "../backend/cpu/batchnorm.h"

#include <optional>

#include "../backend/host_stage.h"
#include "magmadnn/op/conv.h"
#include "nodes.h"

#ifdef MAGMADNN_WITH_CUDNN
#include "../backend/cuda/batchnorm_cudnn.h"
#endif

namespace magmadnn::op {

template <typename T>
class BatchNorm final : public Node<T> {
  public:
    BatchNorm(std::string name, std::vector<OpPtr<T>> in, T momentum, T eps)
        : Node<T>(std::move(name), in, in[0]->shape(), in[0]->memory()),
          momentum_(momentum),
          eps_(eps) {
        this->output_ = Tensor<T>(this->shape_, this->memory_);
        const Shape& s = this->shape_;
        n_ = s[0];
        c_ = s[1];
        inner_ = 1;
        for (std::size_t i = 2; i < s.size(); ++i) inner_ *= s[i];
#ifdef MAGMADNN_WITH_CUDNN
        if (on_gpu()) return;
#endif
        xhat_ = Tensor<T>(s, HOST);
        invstd_.assign(static_cast<std::size_t>(c_), 0.0);
    }
    std::string kind() const override { return "batchnorm"; }
    void set_training(bool training) override { training_ = training; }
    void forward() override {
#ifdef MAGMADNN_WITH_CUDNN
        if (on_gpu()) {
            forward_gpu();
            return;
        }
#endif
        const Tensor<T>& xt = on_host(this->inputs_[0]->output(), s_[0]);
        const Tensor<T>& gt = on_host(this->inputs_[1]->output(), s_[1]);
        const Tensor<T>& bt = on_host(this->inputs_[2]->output(), s_[2]);
        Tensor<T>& rmt = host_out(rm_out(), s_[3]);
        Tensor<T>& rvt = host_out(rv_out(), s_[4]);
        if (&rmt != &rm_out()) rmt.copy_from(rm_out());
        if (&rvt != &rv_out()) rvt.copy_from(rv_out());
        Tensor<T>& yt = host_out(this->output_, s_[5]);
        batchnorm::cpu::batchnorm_forward(shape(), training_, double(momentum_), double(eps_),
                                          xt.cdata(), gt.cdata(), bt.cdata(), rmt.data(),
                                          rvt.data(), xhat_.data(), yt.data(), invstd_.data());
        if (training_) {
            if (&rmt != &rm_out()) rm_out().copy_from(rmt);
            if (&rvt != &rv_out()) rv_out().copy_from(rvt);
        }
        if (&yt != &this->output_) this->output_.copy_from(yt);
    }
    void backward() override {
#ifdef MAGMADNN_WITH_CUDNN
        if (on_gpu()) {
            backward_gpu();
            return;
        }
#endif
        const Tensor<T>& gt = on_host(this->grad_, s_[6]);
        const Tensor<T>& gam = on_host(this->inputs_[1]->output(), s_[1]);
        std::vector<double> sum_g(static_cast<std::size_t>(c_)), sum_gx(sum_g.size());
        batchnorm::cpu::batchnorm_channel_sums(shape(), gt.cdata(), xhat_.cdata(), sum_g.data(),
                                               sum_gx.data());
        auto per_channel = [&](std::size_t i, const std::vector<double>& v, Tensor<T>& stage) {
            this->emit_computed(i, [&](Tensor<T>& dst) {
                Tensor<T>& o = host_out(dst, stage);
                T* od = o.data();
                for (index_t c = 0; c < c_; ++c) od[c] = T(v[static_cast<std::size_t>(c)]);
                if (&o != &dst) dst.copy_from(o);
            });
        };
        per_channel(1, sum_gx, s_[7]);  // dgamma = sum g * xhat
        per_channel(2, sum_g, s_[8]);   // dbeta = sum g
        this->emit_computed(0, [&](Tensor<T>& dst) {
            Tensor<T>& o = host_out(dst, s_[9]);
            batchnorm::cpu::batchnorm_backward_data(shape(), training_, gt.cdata(), xhat_.cdata(),
                                                    gam.cdata(), invstd_.data(), sum_g.data(),
                                                    sum_gx.data(), o.data());
            if (&o != &dst) dst.copy_from(o);
        });
    }

  private:
    batchnorm::cpu::BatchNormShape shape() const { return {n_, c_, inner_}; }
#ifdef MAGMADNN_WITH_CUDNN
    // cuDNN when all five inputs are in GPU memory, and training has two or more values per
    // channel (cuDNN's unbiased variance divides by n * inner - 1; the host uses the biased one
    // for a single value).
    bool on_gpu() const {
        for (const auto& in : this->inputs_) {
            if (in->memory() == HOST) return false;
        }
        return c_ > 0 && n_ * inner_ > 1;
    }
    conv::cudnn::BatchNorm<T>& gpu() {
        if (!gpu_) {
            gpu_.emplace(this->shape_, double(eps_),
                         fmt::format("op::batchnorm('{}')", this->inputs_[0]->name()));
        }
        return *gpu_;
    }
    void forward_gpu() {
        conv::cudnn::BatchNorm<T>& g = gpu();
        const Tensor<T>& x = this->inputs_[0]->output();
        const Tensor<T>& gamma = this->inputs_[1]->output();
        const Tensor<T>& beta = this->inputs_[2]->output();
        if (training_) {
            g.forward_training(x, gamma, beta, double(momentum_), rm_out(), rv_out(),
                               this->output_);
        } else {
            g.forward_inference(x, gamma, beta, rm_out(), rv_out(), this->output_);
        }
    }
    // One cuDNN call (or the two inference kernels) writes dx, dgamma and dbeta together:
    // straight into an input's gradient when it is the first contribution of the pass, else into
    // a node-owned buffer that is then added (or dropped when the input needs no gradient).
    void backward_gpu() {
        bool any = false;
        for (std::size_t i = 0; i < 3; ++i) any = any || this->inputs_[i]->needs_grad();
        if (!any) return;
        Tensor<T>* dst[3];
        bool add[3];
        for (std::size_t i = 0; i < 3; ++i) {
            Operation<T>& in = *this->inputs_[i];
            const bool shared = i == 2 && this->inputs_[1] == this->inputs_[2];  // gamma is beta
            if (in.needs_grad() && in.grad_fresh() && !shared) {
                dst[i] = &in.grad_buffer();
                add[i] = false;
            } else {
                const Shape s = i == 0 ? this->shape_ : Shape{c_};
                if (gbuf_[i].empty()) gbuf_[i] = Tensor<T>(s, this->memory_);
                dst[i] = &gbuf_[i];
                add[i] = in.needs_grad();
            }
        }
        conv::cudnn::BatchNorm<T>& g = gpu();
        const Tensor<T>& x = this->inputs_[0]->output();
        const Tensor<T>& gamma = this->inputs_[1]->output();
        if (training_) {
            g.backward_training(x, gamma, this->grad_, *dst[0], *dst[1], *dst[2]);
        } else {
            g.backward_inference(x, gamma, rm_out(), rv_out(), this->grad_, *dst[0], *dst[1],
                                 *dst[2]);
        }
        for (std::size_t i = 0; i < 3; ++i) {
            Operation<T>& in = *this->inputs_[i];
            if (!in.needs_grad()) continue;
            if (add[i]) {
                Tensor<T>& sum = in.grad_buffer();
                math::binary(math::BinaryOp::add, sum, *dst[i], sum);
            }
            in.set_grad_fresh(false);
        }
    }
    std::optional<conv::cudnn::BatchNorm<T>> gpu_;  // descriptors and the batch statistics
    Tensor<T> gbuf_[3];                             // dx, dgamma, dbeta when not written in place
#endif
    Tensor<T>& rm_out() { return const_cast<Tensor<T>&>(this->inputs_[3]->output()); }
    Tensor<T>& rv_out() { return const_cast<Tensor<T>&>(this->inputs_[4]->output()); }
    T momentum_, eps_;
    index_t n_ = 0, c_ = 0, inner_ = 1;
    bool training_ = true;
    Tensor<T> xhat_;
    std::vector<double> invstd_;
    Tensor<T> s_[10];  // host staging for GPU tensors
};

template <typename T>
OpPtr<T> batchnorm(const OpPtr<T>& x, const OpPtr<T>& gamma, const OpPtr<T>& beta,
                   const OpPtr<T>& running_mean, const OpPtr<T>& running_var, T momentum,
                   T epsilon) {
    if (!x || !gamma || !beta || !running_mean || !running_var) {
        throw ValueError("op::batchnorm: an input is null");
    }
    const Shape& xs = x->shape();
    const std::string who = fmt::format("op::batchnorm('{}')", x->name());
    if (xs.size() < 2) {
        throw ShapeError(
            fmt::format("{}: input {} needs {{n, c}} or {{n, c, h, w}}", who, to_string(xs)));
    }
    for (const auto& v : {gamma, beta, running_mean, running_var}) {
        if (v->shape() != Shape{xs[1]}) {
            throw ShapeError(
                fmt::format("{}: '{}' has shape {}; the input {} has {} channels, so "
                            "it needs {{{}}}",
                            who, v->name(), to_string(v->shape()), to_string(xs), xs[1], xs[1]));
        }
    }
    if (!(momentum >= T(0) && momentum <= T(1)) || !(epsilon > T(0))) {
        throw ValueError(fmt::format("{}: momentum {} must be in [0, 1] and epsilon {} positive",
                                     who, double(momentum), double(epsilon)));
    }
    return std::make_shared<BatchNorm<T>>(
        fmt::format("batchnorm({})", x->name()),
        std::vector<OpPtr<T>>{x, gamma, beta, running_mean, running_var}, momentum, epsilon);
}

template OpPtr<float> batchnorm<float>(const OpPtr<float>&, const OpPtr<float>&,
                                       const OpPtr<float>&, const OpPtr<float>&,
                                       const OpPtr<float>&, float, float);
template OpPtr<double> batchnorm<double>(const OpPtr<double>&, const OpPtr<double>&,
                                         const OpPtr<double>&, const OpPtr<double>&,
                                         const OpPtr<double>&, double, double);

}  // namespace magmadnn::op
