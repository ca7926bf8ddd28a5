#include "pool2d.h"

#include <optional>
#include <vector>

#include "cpu/pool2d.h"
#include "host_stage.h"

#ifdef MAGMADNN_WITH_CUDNN
#include "cuda/pool2d_cudnn.h"
#endif

namespace magmadnn::pool {

template <typename T>
struct Pool2dPlan<T>::Impl {
    Pool2dShape shape;
    bool gpu = false;
    std::string who;
    std::vector<std::int32_t> argmax;  // host max pooling: each output's winner
    Tensor<T> sx, sy, sg, sdx;         // host staging of GPU tensors (no cuDNN)
#ifdef MAGMADNN_WITH_CUDNN
    std::optional<conv::cudnn::Pool2d<T>> cudnn_plan;  // made on first use
    conv::cudnn::Pool2d<T>& cudnn() {
        if (!cudnn_plan) {
            conv::cudnn::PoolShape g;
            g.n = shape.n, g.c = shape.c, g.h = shape.h, g.w = shape.w;
            g.kernel = shape.kernel, g.stride = shape.stride, g.padding = shape.padding;
            g.out_h = shape.out_h, g.out_w = shape.out_w;
            g.max = shape.max;
            cudnn_plan.emplace(g, who);
        }
        return *cudnn_plan;
    }
#endif

    cpu::PoolShape host_shape() const {
        cpu::PoolShape s;
        s.planes = shape.n * shape.c, s.h = shape.h, s.w = shape.w;
        s.oh = shape.out_h, s.ow = shape.out_w;
        s.kernel = shape.kernel, s.stride = shape.stride, s.padding = shape.padding;
        s.max = shape.max;
        return s;
    }
};

template <typename T>
Pool2dPlan<T>::Pool2dPlan(const Pool2dShape& s, memory_t memory, std::string who)
    : impl_(std::make_unique<Impl>()) {
    impl_->shape = s;
    impl_->who = std::move(who);
#ifdef MAGMADNN_WITH_CUDNN
    impl_->gpu = memory != HOST;
#else
    (void)memory;
#endif
    if (!impl_->gpu && s.max) {
        impl_->argmax.resize(static_cast<std::size_t>(s.n * s.c * s.out_h * s.out_w));
    }
}

template <typename T>
Pool2dPlan<T>::~Pool2dPlan() = default;
template <typename T>
Pool2dPlan<T>::Pool2dPlan(Pool2dPlan&&) noexcept = default;
template <typename T>
Pool2dPlan<T>& Pool2dPlan<T>::operator=(Pool2dPlan&&) noexcept = default;

template <typename T>
void Pool2dPlan<T>::forward(const Tensor<T>& x, Tensor<T>& y, bool relu) {
    Impl& p = *impl_;
#ifdef MAGMADNN_WITH_CUDNN
    if (p.gpu) {
        p.cudnn().forward(x, y, relu);
        return;
    }
#endif
    const Tensor<T>& xt = on_host(x, p.sx);
    Tensor<T>& yt = host_out(y, p.sy);
    cpu::pool2d_forward(p.host_shape(), xt.cdata(), yt.data(), p.argmax.data());
    if (relu) {
        T* out = yt.data();
        const index_t n = yt.size();
#pragma omp parallel for simd if (n > (1 << 16))
        for (index_t e = 0; e < n; ++e) out[e] = out[e] > T(0) ? out[e] : T(0);
    }
    if (&yt != &y) y.copy_from(yt);
}

template <typename T>
void Pool2dPlan<T>::backward(const Tensor<T>& x, const Tensor<T>& y, const Tensor<T>& dy,
                             Tensor<T>& dx, bool relu) {
    Impl& p = *impl_;
#ifdef MAGMADNN_WITH_CUDNN
    if (p.gpu) {
        p.cudnn().backward(x, y, dy, dx, relu);
        return;
    }
#endif
    (void)x;  // the host kernels keep the winners instead
    const Tensor<T>& gt = on_host(dy, p.sg);
    Tensor<T>& dxt = host_out(dx, p.sdx);
    // the forward pass's host output (the staging copy for GPU tensors)
    const T* yo = !relu ? nullptr : y.memory() == HOST ? y.cdata() : p.sy.cdata();
    cpu::pool2d_backward(p.host_shape(), gt.cdata(), p.argmax.data(), yo, dxt.data());
    if (&dxt != &dx) dx.copy_from(dxt);
}

template class Pool2dPlan<float>;
template class Pool2dPlan<double>;

}  // namespace magmadnn::pool
