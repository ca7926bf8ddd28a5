// Batch normalisation over axis 1 of {n, c, ...}. Training mode normalises by the batch's mean
// and (biased) variance and moves the running statistics towards the batch mean and unbiased
// variance; inference mode uses the running statistics. The node builds the graph and calls the
// batch-norm plan (backend/batchnorm.h), which chooses cuDNN or the host loops once.
#include "../backend/batchnorm.h"

#include "magmadnn/op/conv.h"
#include "nodes.h"

namespace magmadnn::op {

template <typename T>
class BatchNorm final : public Node<T> {
  public:
    BatchNorm(std::string name, std::vector<OpPtr<T>> in, T momentum, T eps, std::string who)
        : Node<T>(std::move(name), in, in[0]->shape(), in[0]->memory()),
          momentum_(momentum),
          plan_(in[0]->shape(), all_in_gpu_memory(in), double(eps), std::move(who)) {
        this->output_ = Tensor<T>(this->shape_, this->memory_);
    }
    std::string kind() const override { return "batchnorm"; }
    void set_training(bool training) override { training_ = training; }
    void forward() override {
        plan_.forward(training_, double(momentum_), this->inputs_[0]->output(),
                      this->inputs_[1]->output(), this->inputs_[2]->output(), rm_out(), rv_out(),
                      this->output_);
    }
    // One backend call writes dx, dgamma and dbeta together: straight into an input's gradient
    // when it is the first contribution of the pass, else into a node-owned buffer that is then
    // added (or dropped when the input needs no gradient).
    void backward() override {
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
                const Shape s = i == 0 ? this->shape_ : Shape{this->shape_[1]};
                if (gbuf_[i].empty()) gbuf_[i] = Tensor<T>(s, this->memory_);
                dst[i] = &gbuf_[i];
                add[i] = in.needs_grad();
            }
        }
        plan_.backward(training_, this->inputs_[0]->output(), this->inputs_[1]->output(), rm_out(),
                       rv_out(), this->grad_, *dst[0], *dst[1], *dst[2]);
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

  private:
    static bool all_in_gpu_memory(const std::vector<OpPtr<T>>& in) {
        for (const auto& v : in) {
            if (v->memory() == HOST) return false;
        }
        return true;
    }
    Tensor<T>& rm_out() { return const_cast<Tensor<T>&>(this->inputs_[3]->output()); }
    Tensor<T>& rv_out() { return const_cast<Tensor<T>&>(this->inputs_[4]->output()); }
    T momentum_;
    bool training_ = true;
    batchnorm::BatchNormPlan<T> plan_;
    Tensor<T> gbuf_[3];  // dx, dgamma, dbeta when not written in place
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
        std::vector<OpPtr<T>>{x, gamma, beta, running_mean, running_var}, momentum, epsilon, who);
}

template OpPtr<float> batchnorm<float>(const OpPtr<float>&, const OpPtr<float>&,
                                       const OpPtr<float>&, const OpPtr<float>&,
                                       const OpPtr<float>&, float, float);
template OpPtr<double> batchnorm<double>(const OpPtr<double>&, const OpPtr<double>&,
                                         const OpPtr<double>&, const OpPtr<double>&,
                                         const OpPtr<double>&, double, double);

}  // namespace magmadnn::op
