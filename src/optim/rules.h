#pragma once
// Private: each optimizer's update rule, written once as a host/device functor over one element
// (w, g, state...). The CPU runs them in an OpenMP loop (cpu_update.cpp), the GPU in a
// grid-stride kernel (cuda_update.cu): one read and one write of each array per step.
//
// Every rule follows torch.optim's single-tensor implementation operation by operation, with
// its scalars (bias corrections, 1 - beta, 1 - lr * wd) computed in double on the host as
// Python does. `gscale` is the gradient-clipping coefficient (1 without clipping), applied to
// the gradient first as clip_grad_norm_ would.

#include <cmath>

#include "magmadnn/core/half.h"
#include "magmadnn/core/types.h"

namespace magmadnn::optimizer::detail {

enum class Rule { sgd, sgd_momentum, adam, rmsprop, rmsprop_momentum, adagrad };

// The scalars of one step, already converted to T.
template <typename T>
struct Hyper {
    Rule rule = Rule::sgd;
    T lr = 0;
    T gscale = 1;
    T weight_decay = 0;  // L2 added to the gradient (0 = none)
    T decay_factor = 1;  // adamw: 1 - lr * wd, applied to w first
    T momentum = 0;
    bool nesterov = false;
    T beta1 = 0, one_minus_beta1 = 0, beta2 = 0, one_minus_beta2 = 0;
    T step_size = 0;                   // adam: lr / (1 - beta1^t)
    T bc2_sqrt = 1;                    // adam: sqrt(1 - beta2^t)
    T alpha = 0, one_minus_alpha = 0;  // rmsprop
    T eps = 0;
};

template <typename T>
MAGMADNN_HD inline T grad_with_l2(T g, T w, T gscale, T wd) {
    T d = g * gscale;
    if (wd != T(0)) d = d + wd * w;  // torch: grad.add(param, alpha=weight_decay)
    return d;
}

// w -= lr * (g + wd w)
template <typename T>
struct Sgd {
    T lr, gscale, wd;
    MAGMADNN_HD void operator()(index_t i, T* w, const T* g, T*, T*) const {
        const T d = grad_with_l2(g[i], w[i], gscale, wd);
        w[i] = w[i] - lr * d;
    }
};

// b = mu b + d;  w -= lr * (nesterov ? d + mu b : b)        s1 = b
template <typename T>
struct SgdMomentum {
    T lr, gscale, wd, mu;
    bool nesterov;
    MAGMADNN_HD void operator()(index_t i, T* w, const T* g, T* b, T*) const {
        const T d = grad_with_l2(g[i], w[i], gscale, wd);
        const T buf = mu * b[i] + d;
        b[i] = buf;
        const T u = nesterov ? d + mu * buf : buf;
        w[i] = w[i] - lr * u;
    }
};

// Adam / AdamW:  w *= 1 - lr wd (adamw);  m = b1 m + (1-b1) d;  v = b2 v + (1-b2) d^2;
// w -= step_size * m / (sqrt(v) / bc2_sqrt + eps)            s1 = m, s2 = v
template <typename T>
struct Adam {
    T gscale, wd, decay, b1, omb1, b2, omb2, step_size, bc2_sqrt, eps;
    MAGMADNN_HD void operator()(index_t i, T* w, const T* g, T* m, T* v) const {
        T wi = w[i];
        const T d = grad_with_l2(g[i], wi, gscale, wd);
        if (decay != T(1)) wi = wi * decay;
        const T mi = b1 * m[i] + omb1 * d;
        const T vi = b2 * v[i] + omb2 * d * d;
        m[i] = mi;
        v[i] = vi;
        const T denom = std::sqrt(vi) / bc2_sqrt + eps;
        w[i] = wi + (-step_size) * mi / denom;
    }
};

// v = a v + (1-a) d^2;  w -= lr * d / (sqrt(v) + eps)        s1 = v
template <typename T>
struct Rmsprop {
    T lr, gscale, wd, a, oma, eps;
    MAGMADNN_HD void operator()(index_t i, T* w, const T* g, T* v, T*) const {
        const T d = grad_with_l2(g[i], w[i], gscale, wd);
        const T vi = a * v[i] + oma * d * d;
        v[i] = vi;
        w[i] = w[i] + (-lr) * d / (std::sqrt(vi) + eps);
    }
};

// v as above;  b = mu b + d / (sqrt(v) + eps);  w -= lr * b  s1 = v, s2 = b
template <typename T>
struct RmspropMomentum {
    T lr, gscale, wd, a, oma, eps, mu;
    MAGMADNN_HD void operator()(index_t i, T* w, const T* g, T* v, T* b) const {
        const T d = grad_with_l2(g[i], w[i], gscale, wd);
        const T vi = a * v[i] + oma * d * d;
        v[i] = vi;
        const T buf = mu * b[i] + d / (std::sqrt(vi) + eps);
        b[i] = buf;
        w[i] = w[i] - lr * buf;
    }
};

// s += d^2;  w -= lr * d / (sqrt(s) + eps)                   s1 = s
template <typename T>
struct Adagrad {
    T lr, gscale, wd, eps;
    MAGMADNN_HD void operator()(index_t i, T* w, const T* g, T* s, T*) const {
        const T d = grad_with_l2(g[i], w[i], gscale, wd);
        const T si = s[i] + d * d;
        s[i] = si;
        w[i] = w[i] + (-lr) * d / (std::sqrt(si) + eps);
    }
};

// Calls f(functor) for the rule in h: the one switch per parameter update.
template <typename T, typename F>
void visit(const Hyper<T>& h, F&& f) {
    switch (h.rule) {
        case Rule::sgd:
            return f(Sgd<T>{h.lr, h.gscale, h.weight_decay});
        case Rule::sgd_momentum:
            return f(SgdMomentum<T>{h.lr, h.gscale, h.weight_decay, h.momentum, h.nesterov});
        case Rule::adam:
            return f(Adam<T>{h.gscale, h.weight_decay, h.decay_factor, h.beta1, h.one_minus_beta1,
                             h.beta2, h.one_minus_beta2, h.step_size, h.bc2_sqrt, h.eps});
        case Rule::rmsprop:
            return f(Rmsprop<T>{h.lr, h.gscale, h.weight_decay, h.alpha, h.one_minus_alpha, h.eps});
        case Rule::rmsprop_momentum:
            return f(RmspropMomentum<T>{h.lr, h.gscale, h.weight_decay, h.alpha, h.one_minus_alpha,
                                        h.eps, h.momentum});
        case Rule::adagrad:
            return f(Adagrad<T>{h.lr, h.gscale, h.weight_decay, h.eps});
    }
}

}  // namespace magmadnn::optimizer::detail
