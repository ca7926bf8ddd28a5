// cuDNN batch normalisation for GPU tensors (see batchnorm_cudnn.h): RAII descriptors, a handle
// per thread and device, the batch statistics kept between the training forward and backward.
#include "batchnorm_cudnn.h"

#include <cuda_runtime.h>
#include <cudnn.h>
#include <fmt/format.h>

#include <array>
#include <climits>
#include <map>
#include <type_traits>

#include "batchnorm_cudnn_kernels.h"
#include "core/cuda_check.h"
#include "cudnn_common.h"
#include "magmadnn/core/error.h"

namespace magmadnn::conv::cudnn {

using detail::check;
using detail::Context;
using detail::current_device;
using detail::handle;
using detail::kDataType;
using detail::kDtypeName;
using detail::require_gpu;
using detail::TensorDesc;
using detail::to_int;

namespace {

constexpr cudnnBatchNormMode_t kMode = CUDNN_BATCHNORM_SPATIAL;

}  // namespace

template <typename T>
struct BatchNorm<T>::Impl {
    Impl(const Shape& s, double epsilon, std::string who)
        : ctx{std::move(who), fmt::format("input {}, epsilon {}, {}", magmadnn::to_string(s),
                                          epsilon, kDtypeName<T>)},
          eps(epsilon),
          device(current_device()),
          x(ctx),
          param(ctx) {
        if (s.size() < 2) {
            throw ShapeError(fmt::format("{}: the cuDNN batchnorm needs {{n, c, ...}} ({})",
                                         ctx.who, ctx.shapes));
        }
        n = s[0];
        c = s[1];
        for (std::size_t i = 2; i < s.size(); ++i) inner *= s[i];
        if (!(eps >= CUDNN_BN_MIN_EPSILON)) {
            throw ValueError(fmt::format("{}: cuDNN needs epsilon >= {} ({})", ctx.who,
                                         CUDNN_BN_MIN_EPSILON, ctx.shapes));
        }
        check(cudnnSetTensor4dDescriptor(x.get(), CUDNN_TENSOR_NCHW, kDataType<T>, to_int(n, ctx),
                                         to_int(c, ctx), to_int(inner, ctx), 1),
              "cudnnSetTensor4dDescriptor (input)", ctx);
        // {1, c, 1, 1} in float for float data, double for double data
        check(cudnnDeriveBNTensorDescriptor(param.get(), x.get(), kMode),
              "cudnnDeriveBNTensorDescriptor", ctx);
    }
    index_t x_size() const { return n * c * inner; }
    // The tensors both forward passes read and write, each on the GPU with its size.
    void require_forward(const Tensor<T>& x_, const Tensor<T>& gamma, const Tensor<T>& beta,
                         const Tensor<T>& running_mean, const Tensor<T>& running_var,
                         const Tensor<T>& y_) const {
        require_gpu(x_, "the input", x_size(), ctx);
        require_gpu(gamma, "gamma", c, ctx);
        require_gpu(beta, "beta", c, ctx);
        require_gpu(running_mean, "the running mean", c, ctx);
        require_gpu(running_var, "the running variance", c, ctx);
        require_gpu(y_, "the output", x_size(), ctx);
    }

    Context ctx;
    double eps;
    int device;
    index_t n = 0, c = 0, inner = 1;
    TensorDesc x;      // also y, dx, dy
    TensorDesc param;  // gamma, beta, the statistics and their gradients
    Tensor<T> saved_mean, saved_invstd;
    bool saved = false;
};

template <typename T>
BatchNorm<T>::BatchNorm(const Shape& x_shape, double epsilon, std::string who)
    : impl_(std::make_unique<Impl>(x_shape, epsilon, std::move(who))) {}
template <typename T>
BatchNorm<T>::~BatchNorm() = default;
template <typename T>
BatchNorm<T>::BatchNorm(BatchNorm&&) noexcept = default;
template <typename T>
BatchNorm<T>& BatchNorm<T>::operator=(BatchNorm&&) noexcept = default;

// alpha and beta point to T: cuDNN reads double scaling factors for double data, float otherwise.
template <typename T>
void BatchNorm<T>::forward_training(const Tensor<T>& x, const Tensor<T>& gamma,
                                    const Tensor<T>& beta, double momentum, Tensor<T>& running_mean,
                                    Tensor<T>& running_var, Tensor<T>& y) {
    Impl& m = *impl_;
    m.require_forward(x, gamma, beta, running_mean, running_var, y);
    if (m.n * m.inner < 2) {
        throw ShapeError(fmt::format(
            "{}: training needs at least two values per channel for the unbiased variance ({})",
            m.ctx.who, m.ctx.shapes));
    }
    if (m.saved_mean.empty()) {
        m.saved_mean = Tensor<T>({m.c}, DEVICE);
        m.saved_invstd = Tensor<T>({m.c}, DEVICE);
    }
    const cudnnHandle_t h = handle(m.device, m.ctx);
    const T one(1), zero(0);
    // cuDNN's exponentialAverageFactor is the momentum: running = (1 - f) * running + f * batch,
    // with the unbiased batch variance; the saved "inverse variance" is 1 / sqrt(var_b + eps)
    check(cudnnBatchNormalizationForwardTraining(
              h, kMode, &one, &zero, m.x.get(), x.cdevice_data(), m.x.get(), y.device_data(),
              m.param.get(), gamma.cdevice_data(), beta.cdevice_data(), momentum,
              running_mean.device_data(), running_var.device_data(), m.eps,
              m.saved_mean.device_data(), m.saved_invstd.device_data()),
          "cudnnBatchNormalizationForwardTraining", m.ctx);
    m.saved = true;
}

template <typename T>
void BatchNorm<T>::forward_inference(const Tensor<T>& x, const Tensor<T>& gamma,
                                     const Tensor<T>& beta, const Tensor<T>& running_mean,
                                     const Tensor<T>& running_var, Tensor<T>& y) {
    Impl& m = *impl_;
    m.require_forward(x, gamma, beta, running_mean, running_var, y);
    const cudnnHandle_t h = handle(m.device, m.ctx);
    const T one(1), zero(0);
    check(cudnnBatchNormalizationForwardInference(
              h, kMode, &one, &zero, m.x.get(), x.cdevice_data(), m.x.get(), y.device_data(),
              m.param.get(), gamma.cdevice_data(), beta.cdevice_data(), running_mean.cdevice_data(),
              running_var.cdevice_data(), m.eps),
          "cudnnBatchNormalizationForwardInference", m.ctx);
}

template <typename T>
void BatchNorm<T>::backward_training(const Tensor<T>& x, const Tensor<T>& gamma,
                                     const Tensor<T>& dy, Tensor<T>& dx, Tensor<T>& dgamma,
                                     Tensor<T>& dbeta) {
    Impl& m = *impl_;
    require_gpu(x, "the input", m.x_size(), m.ctx);
    require_gpu(gamma, "gamma", m.c, m.ctx);
    require_gpu(dy, "the output gradient", m.x_size(), m.ctx);
    require_gpu(dx, "the input gradient", m.x_size(), m.ctx);
    require_gpu(dgamma, "the gamma gradient", m.c, m.ctx);
    require_gpu(dbeta, "the beta gradient", m.c, m.ctx);
    if (!m.saved) {
        throw ValueError(
            fmt::format("{}: the training backward pass needs a training forward pass first ({})",
                        m.ctx.who, m.ctx.shapes));
    }
    const cudnnHandle_t h = handle(m.device, m.ctx);
    const T one(1), zero(0);
    check(cudnnBatchNormalizationBackward(
              h, kMode, &one, &zero, &one, &zero, m.x.get(), x.cdevice_data(), m.x.get(),
              dy.cdevice_data(), m.x.get(), dx.device_data(), m.param.get(), gamma.cdevice_data(),
              dgamma.device_data(), dbeta.device_data(), m.eps, m.saved_mean.cdevice_data(),
              m.saved_invstd.cdevice_data()),
          "cudnnBatchNormalizationBackward", m.ctx);
}

template <typename T>
void BatchNorm<T>::backward_inference(const Tensor<T>& x, const Tensor<T>& gamma,
                                      const Tensor<T>& running_mean, const Tensor<T>& running_var,
                                      const Tensor<T>& dy, Tensor<T>& dx, Tensor<T>& dgamma,
                                      Tensor<T>& dbeta) {
    Impl& m = *impl_;
    require_gpu(x, "the input", m.x_size(), m.ctx);
    require_gpu(gamma, "gamma", m.c, m.ctx);
    require_gpu(running_mean, "the running mean", m.c, m.ctx);
    require_gpu(running_var, "the running variance", m.c, m.ctx);
    require_gpu(dy, "the output gradient", m.x_size(), m.ctx);
    require_gpu(dx, "the input gradient", m.x_size(), m.ctx);
    require_gpu(dgamma, "the gamma gradient", m.c, m.ctx);
    require_gpu(dbeta, "the beta gradient", m.c, m.ctx);
    const T* var = running_var.cdevice_data();
    const T* g = dy.cdevice_data();
    kernels::batchnorm_scale_grad(m.n, m.c, m.inner, gamma.cdevice_data(), var, m.eps, g,
                                  dx.device_data());
    kernels::batchnorm_param_grads(m.n, m.c, m.inner, x.cdevice_data(), running_mean.cdevice_data(),
                                   var, m.eps, g, dgamma.device_data(), dbeta.device_data());
}

template class BatchNorm<float>;
template class BatchNorm<double>;

}  // namespace magmadnn::conv::cudnn
