// cuDNN pooling for GPU tensors (see pool2d_cudnn.h): the descriptors of one problem, the
// forward and backward calls, and the fused relu around them.
#include "pool2d_cudnn.h"

#include <cudnn.h>
#include <fmt/format.h>

#include "cudnn_common.h"
#include "magmadnn/core/error.h"
#include "pool2d_cudnn_kernels.h"

namespace magmadnn::conv::cudnn {

using detail::check;
using detail::Context;
using detail::current_device;
using detail::Descriptor;
using detail::handle;
using detail::kDataType;
using detail::kDtypeName;
using detail::require_gpu;
using detail::TensorDesc;
using detail::to_int;

namespace {

using PoolDesc = Descriptor<cudnnPoolingDescriptor_t, cudnnCreatePoolingDescriptor,
                            cudnnDestroyPoolingDescriptor>;

}  // namespace

template <typename T>
struct Pool2d<T>::Impl {
    Impl(const PoolShape& shape, std::string who)
        : s(shape),
          ctx{std::move(who),
              fmt::format("{} pooling, input {{{}, {}, {}, {}}}, kernel {{{}, {}}}, stride {{{}, "
                          "{}}}, padding {{{}, {}}}, output {{{}, {}, {}, {}}}, {}",
                          shape.max ? "max" : "average", shape.n, shape.c, shape.h, shape.w,
                          shape.kernel[0], shape.kernel[1], shape.stride[0], shape.stride[1],
                          shape.padding[0], shape.padding[1], shape.n, shape.c, shape.out_h,
                          shape.out_w, kDtypeName<T>)},
          device(current_device()),
          x(ctx),
          y(ctx),
          pool(ctx) {
        const auto I = [&](index_t v) { return to_int(v, ctx); };
        const cudnnDataType_t dt = kDataType<T>;
        check(cudnnSetTensor4dDescriptor(x.get(), CUDNN_TENSOR_NCHW, dt, I(s.n), I(s.c), I(s.h),
                                         I(s.w)),
              "cudnnSetTensor4dDescriptor (input)", ctx);
        check(cudnnSetTensor4dDescriptor(y.get(), CUDNN_TENSOR_NCHW, dt, I(s.n), I(s.c), I(s.out_h),
                                         I(s.out_w)),
              "cudnnSetTensor4dDescriptor (output)", ctx);
        // MAX_DETERMINISTIC: overlapping windows give the same gradient every run.
        // AVERAGE_COUNT_INCLUDE_PADDING: the host path's count_include_pad = true.
        // Padded positions never win a max window, as on the host.
        check(cudnnSetPooling2dDescriptor(pool.get(),
                                          s.max ? CUDNN_POOLING_MAX_DETERMINISTIC
                                                : CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING,
                                          CUDNN_PROPAGATE_NAN, I(s.kernel[0]), I(s.kernel[1]),
                                          I(s.padding[0]), I(s.padding[1]), I(s.stride[0]),
                                          I(s.stride[1])),
              "cudnnSetPooling2dDescriptor", ctx);
        int on = 0, oc = 0, oh = 0, ow = 0;
        check(cudnnGetPooling2dForwardOutputDim(pool.get(), x.get(), &on, &oc, &oh, &ow),
              "cudnnGetPooling2dForwardOutputDim", ctx);
        if (on != s.n || oc != s.c || oh != s.out_h || ow != s.out_w) {
            throw ShapeError(fmt::format("{}: cuDNN computes the output {{{}, {}, {}, {}}} for {}",
                                         ctx.who, on, oc, oh, ow, ctx.shapes));
        }
    }
    index_t x_size() const { return s.n * s.c * s.h * s.w; }
    index_t y_size() const { return s.n * s.c * s.out_h * s.out_w; }

    PoolShape s;
    Context ctx;
    int device;
    TensorDesc x, y;
    PoolDesc pool;
    Tensor<T> masked;  // the output gradient after the fused relu
};

template <typename T>
Pool2d<T>::Pool2d(const PoolShape& s, std::string who)
    : impl_(std::make_unique<Impl>(s, std::move(who))) {}
template <typename T>
Pool2d<T>::~Pool2d() = default;
template <typename T>
Pool2d<T>::Pool2d(Pool2d&&) noexcept = default;
template <typename T>
Pool2d<T>& Pool2d<T>::operator=(Pool2d&&) noexcept = default;

template <typename T>
void Pool2d<T>::forward(const Tensor<T>& x, Tensor<T>& y, bool relu) {
    Impl& m = *impl_;
    require_gpu(x, "the input", m.x_size(), m.ctx);
    require_gpu(y, "the output", m.y_size(), m.ctx);
    const cudnnHandle_t h = handle(m.device, m.ctx);
    const T one(1), zero(0);
    T* yp = y.device_data();
    check(cudnnPoolingForward(h, m.pool.get(), &one, m.x.get(), x.cdevice_data(), &zero, m.y.get(),
                              yp),
          "cudnnPoolingForward", m.ctx);
    if (relu) kernels::relu_inplace(y.size(), yp);
}

// With a fused relu, y holds relu(pool(x)). Where y > 0 it equals pool(x), so cuDNN finds the
// same window maxima from it; elsewhere the masked gradient is zero, so wherever cuDNN routes it
// nothing is added.
template <typename T>
void Pool2d<T>::backward(const Tensor<T>& x, const Tensor<T>& y, const Tensor<T>& dy, Tensor<T>& dx,
                         bool relu) {
    Impl& m = *impl_;
    require_gpu(x, "the input", m.x_size(), m.ctx);
    require_gpu(y, "the output", m.y_size(), m.ctx);
    require_gpu(dy, "the output gradient", m.y_size(), m.ctx);
    require_gpu(dx, "the input gradient", m.x_size(), m.ctx);
    const cudnnHandle_t h = handle(m.device, m.ctx);
    const T* yp = y.cdevice_data();
    const T* g = dy.cdevice_data();
    if (relu) {
        if (m.masked.size() != y.size()) m.masked = Tensor<T>({y.size()}, DEVICE);
        T* mp = m.masked.device_data();
        kernels::relu_mask(y.size(), yp, g, mp);
        g = mp;
    }
    const T one(1), zero(0);
    check(cudnnPoolingBackward(h, m.pool.get(), &one, m.y.get(), yp, m.y.get(), g, m.x.get(),
                               x.cdevice_data(), &zero, m.x.get(), dx.device_data()),
          "cudnnPoolingBackward", m.ctx);
}

template class Pool2d<float>;
template class Pool2d<double>;

}  // namespace magmadnn::conv::cudnn
