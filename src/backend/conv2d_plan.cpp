#include "conv2d_plan.h"

#include <optional>

#include "cpu/conv2d_bias.h"
#include "host_stage.h"

#ifdef MAGMADNN_WITH_CUDNN
#include "cuda/conv2d_cudnn.h"
#endif

namespace magmadnn::conv {

template <typename T>
struct Conv2dPlan<T>::Impl {
    Shape2d p;
    Algo algo = Algo::automatic;
    bool gpu = false;
    std::string who;
    Tensor<T> cols;  // im2col: the forward pass's unrolled input, reused by backward-weights
    Tensor<T> sx, sw, sb, sy, sg, sdx, sdw, sdb;  // host staging of GPU tensors (no cuDNN)
#ifdef MAGMADNN_WITH_CUDNN
    std::optional<cudnn::Conv2d<T>> cudnn_plan;  // descriptors and chosen algorithms
    cudnn::Conv2d<T>& cudnn() {
        if (!cudnn_plan) {
            cudnn_plan.emplace(p, who);
            algo = Algo::cudnn;
        }
        return *cudnn_plan;
    }
#endif
    Algo host_algorithm() {
        if (algo == Algo::automatic) algo = choose<T>(p);
        return algo;
    }
};

template <typename T>
Conv2dPlan<T>::Conv2dPlan(const Shape2d& p, Algo algo, memory_t memory, std::string who)
    : impl_(std::make_unique<Impl>()) {
    impl_->p = p;
    impl_->who = std::move(who);
#ifdef MAGMADNN_WITH_CUDNN
    impl_->gpu = memory != HOST;
#else
    (void)memory;
#endif
    impl_->algo = impl_->gpu || algo == Algo::cudnn ? Algo::automatic : algo;
}

template <typename T>
Conv2dPlan<T>::~Conv2dPlan() = default;
template <typename T>
Conv2dPlan<T>::Conv2dPlan(Conv2dPlan&&) noexcept = default;
template <typename T>
Conv2dPlan<T>& Conv2dPlan<T>::operator=(Conv2dPlan&&) noexcept = default;

template <typename T>
Algo Conv2dPlan<T>::algorithm() const {
    return impl_->algo;
}

template <typename T>
void Conv2dPlan<T>::forward(const Tensor<T>& x, const Tensor<T>& w, const Tensor<T>* b,
                            Tensor<T>& y) {
    Impl& s = *impl_;
#ifdef MAGMADNN_WITH_CUDNN
    if (s.gpu) {
        cudnn::Conv2d<T>& g = s.cudnn();
        g.forward(x, w, y);
        if (b != nullptr) g.add_bias(*b, y);
        return;
    }
#endif
    const Algo a = s.host_algorithm();
    const Tensor<T>& xt = on_host(x, s.sx);
    const Tensor<T>& wt = on_host(w, s.sw);
    Tensor<T>& yt = host_out(y, s.sy);
    conv::forward(a, s.p, xt, wt, yt, &s.cols);
    if (b != nullptr) cpu::bias_add(s.p, on_host(*b, s.sb).cdata(), yt.data());
    if (&yt != &y) y.copy_from(yt);
}

template <typename T>
void Conv2dPlan<T>::backward_bias(const Tensor<T>& dy, Tensor<T>& db) {
    Impl& s = *impl_;
#ifdef MAGMADNN_WITH_CUDNN
    if (s.gpu) {
        s.cudnn().backward_bias(dy, db);
        return;
    }
#endif
    Tensor<T>& out = host_out(db, s.sdb);
    cpu::bias_grad(s.p, on_host(dy, s.sg).cdata(), out.data());
    if (&out != &db) db.copy_from(out);
}

template <typename T>
void Conv2dPlan<T>::backward_weights(const Tensor<T>& x, const Tensor<T>& dy, Tensor<T>& dw) {
    Impl& s = *impl_;
#ifdef MAGMADNN_WITH_CUDNN
    if (s.gpu) {
        s.cudnn().backward_filter(x, dy, dw);
        return;
    }
#endif
    const Algo a = s.host_algorithm();
    Tensor<T>& out = host_out(dw, s.sdw);
    conv::backward_weights(a, s.p, on_host(x, s.sx), on_host(dy, s.sg), out, &s.cols);
    if (&out != &dw) dw.copy_from(out);
}

template <typename T>
void Conv2dPlan<T>::backward_data(const Tensor<T>& dy, const Tensor<T>& w, Tensor<T>& dx) {
    Impl& s = *impl_;
#ifdef MAGMADNN_WITH_CUDNN
    if (s.gpu) {
        s.cudnn().backward_data(dy, w, dx);
        return;
    }
#endif
    const Algo a = s.host_algorithm();
    Tensor<T>& out = host_out(dx, s.sdx);
    conv::backward_data(a, s.p, on_host(dy, s.sg), on_host(w, s.sw), out);
    if (&out != &dx) dx.copy_from(out);
}

template class Conv2dPlan<float>;
template class Conv2dPlan<double>;

}  // namespace magmadnn::conv
