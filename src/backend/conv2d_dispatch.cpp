// The three convolution passes for a chosen algorithm: argument checks, then the host algorithm
// (src/backend/cpu/conv2d_*.cpp) or, for tensors in GPU memory, cuDNN
// (src/backend/cuda/conv2d_cudnn.cpp), which measures its own choice.
#include <fmt/format.h>

#include <cmath>
#include <cstdlib>

#include "cpu/conv2d.h"
#include "magmadnn/core/error.h"

#ifdef MAGMADNN_WITH_CUDNN
#include "cuda/conv2d_cudnn.h"
#endif

namespace magmadnn::conv {

namespace {

template <typename T>
void require_host(const char* pass, const Tensor<T>& a, const Tensor<T>& b, const Tensor<T>& c) {
    if (a.memory() != HOST || b.memory() != HOST || c.memory() != HOST) {
        throw DeviceError(fmt::format("conv::{}: the tensors must be in HOST memory", pass));
    }
}

template <typename T>
void require_size(const char* pass, const char* what, const Tensor<T>& t, index_t n) {
    if (t.size() != n) {
        throw ShapeError(
            fmt::format("conv::{}: {} has shape {} ({} elements), the problem needs {}", pass, what,
                        magmadnn::to_string(t.shape()), t.size(), n));
    }
}

template <typename T>
void check_args(const char* pass, Algo a, const Shape2d& p, const Tensor<T>& x, const Tensor<T>& w,
                const Tensor<T>& y) {
    p.validate(fmt::format("conv::{}", pass));
    require_host(pass, x, w, y);
    require_size(pass, "the input", x, p.n * p.c * p.h * p.w);
    require_size(pass, "the filter", w, p.k * (p.c / p.groups) * p.r * p.s);
    require_size(pass, "the output", y, p.n * p.k * p.out_h() * p.out_w());
    if (a != Algo::automatic && a != Algo::cudnn && !applicable(a, p, std::is_same_v<T, double>)) {
        throw ValueError(fmt::format(
            "conv::{}: algorithm {} does not apply to {} ({}); winograd needs 3x3 stride 1 "
            "dilation 1 groups 1, fft stride 1 dilation 1 groups 1, onednn f32",
            pass, to_string(a), p.key(), std::is_same_v<T, double> ? "f64" : "f32"));
    }
}

// Whether a pass runs on the GPU: all three tensors in GPU memory (DEVICE, MANAGED,
// CUDA_MANAGED). A mix is an error, as is GPU memory without cuDNN.
template <typename T>
bool on_gpu(const char* pass, const Tensor<T>& a, const Tensor<T>& b, const Tensor<T>& c) {
    const bool ga = a.memory() != HOST, gb = b.memory() != HOST, gc = c.memory() != HOST;
    if (!ga && !gb && !gc) return false;
    if (!(ga && gb && gc)) {
        throw DeviceError(fmt::format(
            "conv::{}: the tensors mix HOST and GPU memory ({}, {}, {}); move them to one side",
            pass, magmadnn::to_string(a.memory()), magmadnn::to_string(b.memory()),
            magmadnn::to_string(c.memory())));
    }
#ifdef MAGMADNN_WITH_CUDNN
    return true;
#else
    throw DeviceError(fmt::format(
        "conv::{}: the tensors are in GPU memory, and this build has no cuDNN; use HOST memory",
        pass));
#endif
}

}  // namespace

template <typename T>
void forward(Algo a, const Shape2d& p, const Tensor<T>& x, const Tensor<T>& w, Tensor<T>& y,
             Tensor<T>* workspace) {
    if (on_gpu("forward", x, w, y)) {  // cuDNN's own choice, whatever `a` names
#ifdef MAGMADNN_WITH_CUDNN
        cudnn::forward(p, x, w, y);
#endif
        return;
    }
    check_args("forward", a, p, x, w, y);
    if (a == Algo::automatic || a == Algo::cudnn) a = choose<T>(p);
    const T* xd = x.cdata();
    const T* wd = w.cdata();
    T* yd = y.data();
    switch (a) {
        case Algo::direct:
            cpu::direct_forward(p, xd, wd, yd);
            return;
        case Algo::winograd2:
        case Algo::winograd4:
            cpu::winograd_forward(a == Algo::winograd2 ? 2 : 4, p, xd, wd, yd);
            return;
        case Algo::fft:
            cpu::fft_forward(p, xd, wd, yd);
            return;
        case Algo::onednn:
            if constexpr (std::is_same_v<T, float>) {
                cpu::onednn_forward(p, xd, wd, yd);
                return;
            }
            break;
        default:
            break;
    }
    T* cols = nullptr;
    if (workspace != nullptr) {
        const index_t need = p.n * p.c * p.r * p.s * p.out_h() * p.out_w();
        if (need <= (index_t(1) << 26)) {
            if (workspace->size() != need) *workspace = Tensor<T>({need}, HOST);
            cols = workspace->data();
        } else {
            *workspace = Tensor<T>();
        }
    }
    cpu::im2col_forward(p, xd, wd, yd, cols);
}

template <typename T>
void backward_data(Algo a, const Shape2d& p, const Tensor<T>& dy, const Tensor<T>& w,
                   Tensor<T>& dx) {
    if (on_gpu("backward_data", dy, w, dx)) {
#ifdef MAGMADNN_WITH_CUDNN
        cudnn::backward_data(p, dy, w, dx);
#endif
        return;
    }
    check_args("backward_data", a, p, dx, w, dy);
    if (a == Algo::automatic || a == Algo::cudnn) a = choose<T>(p);
    const T* dyd = dy.cdata();
    const T* wd = w.cdata();
    T* dxd = dx.data();
    switch (a) {
        case Algo::direct:
            cpu::direct_backward_data(p, dyd, wd, dxd);
            return;
        case Algo::winograd2:
        case Algo::winograd4:
            if (p.pad_h <= 2 && p.pad_w <= 2) {
                cpu::winograd_backward_data(a == Algo::winograd2 ? 2 : 4, p, dyd, wd, dxd);
                return;
            }
            break;  // fallback: im2col
        case Algo::fft:
            cpu::fft_backward_data(p, dyd, wd, dxd);
            return;
        case Algo::onednn:
            if constexpr (std::is_same_v<T, float>) {
                cpu::onednn_backward_data(p, dyd, wd, dxd);
                return;
            }
            break;
        default:
            break;
    }
    cpu::im2col_backward_data(p, dyd, wd, dxd);
}

template <typename T>
void backward_weights(Algo a, const Shape2d& p, const Tensor<T>& x, const Tensor<T>& dy,
                      Tensor<T>& dw, const Tensor<T>* workspace) {
    if (on_gpu("backward_weights", x, dy, dw)) {
#ifdef MAGMADNN_WITH_CUDNN
        cudnn::backward_weights(p, x, dy, dw);
#endif
        return;
    }
    check_args("backward_weights", a, p, x, dw, dy);
    if (a == Algo::automatic || a == Algo::cudnn) a = choose<T>(p);
    const T* xd = x.cdata();
    const T* dyd = dy.cdata();
    T* dwd = dw.data();
    if (a == Algo::direct) {
        cpu::direct_backward_weights(p, xd, dyd, dwd);
        return;
    }
    if ((a == Algo::winograd2 || a == Algo::winograd4) &&
        applicable(a, p, std::is_same_v<T, double>)) {
        cpu::winograd_backward_weights(a == Algo::winograd2 ? 2 : 4, p, xd, dyd, dwd);
        return;
    }
    if (a == Algo::fft) {
        cpu::fft_backward_weights(p, xd, dyd, dwd);
        return;
    }
    if constexpr (std::is_same_v<T, float>) {
        if (a == Algo::onednn) {
            cpu::onednn_backward_weights(p, xd, dyd, dwd);
            return;
        }
    }
    const bool reuse = a == Algo::im2col && workspace != nullptr &&
                       workspace->size() == p.n * p.c * p.r * p.s * p.out_h() * p.out_w();
    // im2col, and the fallback of the others
    cpu::im2col_backward_weights(p, xd, dyd, dwd, reuse ? workspace->cdata() : nullptr);
}

#define MAGMADNN_INSTANTIATE(T)                                                                    \
    template void forward<T>(Algo, const Shape2d&, const Tensor<T>&, const Tensor<T>&, Tensor<T>&, \
                             Tensor<T>*);                                                          \
    template void backward_data<T>(Algo, const Shape2d&, const Tensor<T>&, const Tensor<T>&,       \
                                   Tensor<T>&);                                                    \
    template void backward_weights<T>(Algo, const Shape2d&, const Tensor<T>&, const Tensor<T>&,    \
                                      Tensor<T>&, const Tensor<T>*);
MAGMADNN_INSTANTIATE(float)
MAGMADNN_INSTANTIATE(double)
#undef MAGMADNN_INSTANTIATE

}  // namespace magmadnn::conv
