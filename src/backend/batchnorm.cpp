#include "batchnorm.h"

#include <optional>
#include <vector>

#include "cpu/batchnorm.h"
#include "host_stage.h"

#ifdef MAGMADNN_WITH_CUDNN
#include "cuda/batchnorm_cudnn.h"
#endif

namespace magmadnn::batchnorm {

template <typename T>
struct BatchNormPlan<T>::Impl {
    Shape shape;
    cpu::BatchNormShape dims;
    double eps = 0;
    std::string who;
    bool gpu = false;
    Tensor<T> xhat;              // host: the normalised input, for backward
    std::vector<double> invstd;  // host: 1 / sqrt(var + eps) per channel
    Tensor<T> stage[10];         // host staging of GPU tensors
#ifdef MAGMADNN_WITH_CUDNN
    std::optional<conv::cudnn::BatchNorm<T>> cudnn_plan;  // made on first use
    conv::cudnn::BatchNorm<T>& cudnn() {
        if (!cudnn_plan) cudnn_plan.emplace(shape, eps, who);
        return *cudnn_plan;
    }
#endif

    // out (on the host, or its staging buffer) = v, one value per channel
    void write_channels(const std::vector<double>& v, Tensor<T>& out, Tensor<T>& st) {
        Tensor<T>& o = host_out(out, st);
        T* od = o.data();
        for (index_t c = 0; c < dims.c; ++c) od[c] = T(v[static_cast<std::size_t>(c)]);
        if (&o != &out) out.copy_from(o);
    }
};

template <typename T>
BatchNormPlan<T>::BatchNormPlan(const Shape& shape, bool inputs_in_gpu_memory, double eps,
                                std::string who)
    : impl_(std::make_unique<Impl>()) {
    Impl& p = *impl_;
    p.shape = shape;
    p.dims.n = shape[0];
    p.dims.c = shape[1];
    for (std::size_t i = 2; i < shape.size(); ++i) p.dims.inner *= shape[i];
    p.eps = eps;
    p.who = std::move(who);
#ifdef MAGMADNN_WITH_CUDNN
    p.gpu = inputs_in_gpu_memory && p.dims.c > 0 && p.dims.n * p.dims.inner > 1;
#else
    (void)inputs_in_gpu_memory;
#endif
    if (!p.gpu) {
        p.xhat = Tensor<T>(shape, HOST);
        p.invstd.assign(static_cast<std::size_t>(p.dims.c), 0.0);
    }
}

template <typename T>
BatchNormPlan<T>::~BatchNormPlan() = default;
template <typename T>
BatchNormPlan<T>::BatchNormPlan(BatchNormPlan&&) noexcept = default;
template <typename T>
BatchNormPlan<T>& BatchNormPlan<T>::operator=(BatchNormPlan&&) noexcept = default;

template <typename T>
void BatchNormPlan<T>::forward(bool training, double momentum, const Tensor<T>& x,
                               const Tensor<T>& gamma, const Tensor<T>& beta,
                               Tensor<T>& running_mean, Tensor<T>& running_var, Tensor<T>& y) {
    Impl& p = *impl_;
#ifdef MAGMADNN_WITH_CUDNN
    if (p.gpu) {
        if (training) {
            p.cudnn().forward_training(x, gamma, beta, momentum, running_mean, running_var, y);
        } else {
            p.cudnn().forward_inference(x, gamma, beta, running_mean, running_var, y);
        }
        return;
    }
#endif
    Tensor<T>* st = p.stage;
    const Tensor<T>& xt = on_host(x, st[0]);
    const Tensor<T>& gt = on_host(gamma, st[1]);
    const Tensor<T>& bt = on_host(beta, st[2]);
    Tensor<T>& rmt = host_out(running_mean, st[3]);
    Tensor<T>& rvt = host_out(running_var, st[4]);
    if (&rmt != &running_mean) rmt.copy_from(running_mean);
    if (&rvt != &running_var) rvt.copy_from(running_var);
    Tensor<T>& yt = host_out(y, st[5]);
    cpu::batchnorm_forward(p.dims, training, momentum, p.eps, xt.cdata(), gt.cdata(), bt.cdata(),
                           rmt.data(), rvt.data(), p.xhat.data(), yt.data(), p.invstd.data());
    if (training) {
        if (&rmt != &running_mean) running_mean.copy_from(rmt);
        if (&rvt != &running_var) running_var.copy_from(rvt);
    }
    if (&yt != &y) y.copy_from(yt);
}

template <typename T>
void BatchNormPlan<T>::backward(bool training, const Tensor<T>& x, const Tensor<T>& gamma,
                                const Tensor<T>& running_mean, const Tensor<T>& running_var,
                                const Tensor<T>& g, Tensor<T>& dx, Tensor<T>& dgamma,
                                Tensor<T>& dbeta) {
    Impl& p = *impl_;
#ifdef MAGMADNN_WITH_CUDNN
    if (p.gpu) {
        if (training) {
            p.cudnn().backward_training(x, gamma, g, dx, dgamma, dbeta);
        } else {
            p.cudnn().backward_inference(x, gamma, running_mean, running_var, g, dx, dgamma, dbeta);
        }
        return;
    }
#endif
    (void)x, (void)running_mean, (void)running_var;  // the host keeps xhat and invstd instead
    Tensor<T>* st = p.stage;
    const Tensor<T>& gt = on_host(g, st[6]);
    const Tensor<T>& gam = on_host(gamma, st[1]);
    std::vector<double> sum_g(static_cast<std::size_t>(p.dims.c)), sum_gx(sum_g.size());
    cpu::batchnorm_channel_sums(p.dims, gt.cdata(), p.xhat.cdata(), sum_g.data(), sum_gx.data());
    p.write_channels(sum_gx, dgamma, st[7]);  // dgamma = sum g * xhat
    p.write_channels(sum_g, dbeta, st[8]);    // dbeta = sum g
    Tensor<T>& o = host_out(dx, st[9]);
    cpu::batchnorm_backward_data(p.dims, training, gt.cdata(), p.xhat.cdata(), gam.cdata(),
                                 p.invstd.data(), sum_g.data(), sum_gx.data(), o.data());
    if (&o != &dx) dx.copy_from(o);
}

template class BatchNormPlan<float>;
template class BatchNormPlan<double>;

}  // namespace magmadnn::batchnorm
