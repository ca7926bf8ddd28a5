// Optimizer<T>: checks, state, the per-step scalars, and the dispatch of each parameter's update
// to the CPU or CUDA kernels; gradient clipping by global norm.
#include "magmadnn/optim/optimizer.h"

#include <fmt/format.h>

#include <cmath>
#include <tuple>
#include <utility>

#include "magmadnn/backend/math.h"
#include "magmadnn/core/device.h"
#include "magmadnn/core/error.h"
#include "update.h"

namespace magmadnn::optimizer {

namespace {

bool gpu_side(memory_t m) { return m != HOST; }

template <typename T>
T* ptr(Tensor<T>& t, bool device) {
    if (t.size() == 0) return nullptr;
    return device ? t.device_data() : t.data();
}

template <typename T>
void check_finite_norm(const std::string& who, T norm, double lr) {
    if (!std::isfinite(norm)) {
        throw NumericError(fmt::format(
            "{}: the gradients' global norm is {}; the loss has diverged: lower the learning "
            "rate (now {}) or check the inputs for NaN/inf",
            who, static_cast<double>(norm), lr));
    }
}

// torch.nn.utils.clip_grad_norm_: max_norm / (norm + 1e-6), capped at 1, computed in T.
template <typename T>
T clip_coefficient(T norm, T max_norm) {
    const T coef = max_norm / (norm + T(1e-6));
    return coef < T(1) ? coef : T(1);
}

// Which state buffers the rule keeps per parameter: sgd: a momentum buffer (with momentum);
// adam(w): m, v; rmsprop: the square average (+ a momentum buffer); adagrad: the sum.
std::pair<bool, bool> buffers_needed(const Config& c) {
    const bool s1 = c.kind != Kind::sgd || c.momentum > 0;
    const bool s2 = c.kind == Kind::adam || c.kind == Kind::adamw ||
                    (c.kind == Kind::rmsprop && c.momentum > 0);
    return {s1, s2};
}

}  // namespace

template <typename T>
T global_norm(std::span<const Tensor<T>> tensors) {
    double acc = 0;
#ifdef MAGMADNN_WITH_CUDA
    Tensor<double> dev_acc;  // one device accumulator for all GPU-side tensors, read once
#endif
    for (const Tensor<T>& t : tensors) {
        if (t.size() == 0) continue;
        if (!gpu_side(t.memory())) {
            acc += detail::cpu::sum_squares(t.size(), t.cdata());
            continue;
        }
#ifdef MAGMADNN_WITH_CUDA
        if (dev_acc.size() == 0) dev_acc = Tensor<double>({1}, DEVICE);
        detail::cuda::sum_squares(t.size(), t.cdevice_data(), dev_acc.device_data());
#else
        require_device("global_norm");
#endif
    }
#ifdef MAGMADNN_WITH_CUDA
    if (dev_acc.size() != 0) acc += dev_acc.get_flat(0);
#endif
    return static_cast<T>(std::sqrt(acc));
}

template <typename T>
T clip_grad_norm(std::span<Tensor<T>> grads, T max_norm) {
    if (!(max_norm > T(0)) || !std::isfinite(max_norm)) {
        throw ValueError(fmt::format("clip_grad_norm: max_norm = {} must be a finite number > 0",
                                     static_cast<double>(max_norm)));
    }
    const T norm = global_norm(std::span<const Tensor<T>>(grads.data(), grads.size()));
    if (!std::isfinite(norm)) {
        throw NumericError(fmt::format(
            "clip_grad_norm: the gradients' global norm is {}; the loss has diverged: lower the "
            "learning rate or check the inputs for NaN/inf",
            static_cast<double>(norm)));
    }
    const T coef = clip_coefficient(norm, max_norm);
    if (coef < T(1)) {
        for (Tensor<T>& g : grads) {
            if (g.size() != 0) math::unary(math::UnaryOp::mul_scalar, g, g, coef);
        }
    }
    return norm;
}

template <typename T>
Optimizer<T>::Optimizer(const Config& config) : config_(config), lr_(config.learning_rate) {
    config_.validate();
}

template <typename T>
void Optimizer<T>::set_learning_rate(T lr) {
    if (!(lr >= T(0)) || !std::isfinite(lr)) {
        throw ValueError(fmt::format("optimizer {}: learning rate {} must be a finite number >= 0",
                                     config_.name(), static_cast<double>(lr)));
    }
    lr_ = static_cast<double>(lr);
}

template <typename T>
void Optimizer<T>::reset() {
    steps_ = 0;
    shapes_.clear();
    state_.clear();
}

template <typename T>
typename Optimizer<T>::State Optimizer<T>::state() const {
    State s;
    s.steps = steps_;
    for (const Slot& slot : state_) {
        s.s1.push_back(slot.s1);
        s.s2.push_back(slot.s2);
    }
    return s;
}

template <typename T>
void Optimizer<T>::set_state(const State& s, std::span<const Shape> shapes, memory_t memory) {
    const std::string who = "optimizer " + config_.name();
    if (s.steps == 0) {
        reset();
        return;
    }
    if (s.s1.size() != shapes.size() || s.s2.size() != shapes.size()) {
        throw ShapeError(fmt::format("{}: a state for {} / {} parameters, the model has {}", who,
                                     s.s1.size(), s.s2.size(), shapes.size()));
    }
    const auto [need_s1, need_s2] = buffers_needed(config_);
    std::vector<Slot> slots;
    for (std::size_t i = 0; i < shapes.size(); ++i) {
        Slot slot;
        for (auto [need, src, dst, label] : {std::tuple{need_s1, &s.s1[i], &slot.s1, "s1"},
                                             std::tuple{need_s2, &s.s2[i], &slot.s2, "s2"}}) {
            if (!need) continue;
            if (src->empty()) {
                throw ValueError(fmt::format(
                    "{}: the state lacks buffer {} of parameter {} (saved by another optimizer "
                    "kind?)",
                    who, label, i));
            }
            if (src->shape() != shapes[i]) {
                throw ShapeError(
                    fmt::format("{}: state buffer {} of parameter {} has shape {}, "
                                "the parameter {}",
                                who, label, i, to_string(src->shape()), to_string(shapes[i])));
            }
            *dst = Tensor<T>(shapes[i], memory);
            dst->copy_from(*src);
        }
        slots.push_back(std::move(slot));
    }
    shapes_.assign(shapes.begin(), shapes.end());
    state_ = std::move(slots);
    steps_ = s.steps;
}

template <typename T>
void Optimizer<T>::ensure_state(std::span<Tensor<T>> params) {
    const std::string who = "optimizer " + config_.name();
    if (steps_ > 0) {
        if (params.size() != shapes_.size()) {
            throw ShapeError(fmt::format(
                "{}: step got {} parameters but earlier steps had {}; an optimizer serves one "
                "fixed list of parameters (call reset() to start over)",
                who, params.size(), shapes_.size()));
        }
        for (std::size_t i = 0; i < params.size(); ++i) {
            if (params[i].shape() != shapes_[i]) {
                throw ShapeError(fmt::format(
                    "{}: parameter {} has shape {} but earlier steps had {}; pass the same "
                    "parameters in the same order every step (or call reset())",
                    who, i, to_string(params[i].shape()), to_string(shapes_[i])));
            }
        }
        // A model moved between host and GPU since the last step: move the state with it.
        for (std::size_t i = 0; i < params.size(); ++i) {
            for (Tensor<T>* s : {&state_[i].s1, &state_[i].s2}) {
                if (s->size() != 0 && s->memory() != params[i].memory()) {
                    *s = s->to(params[i].memory());
                }
            }
        }
        return;
    }
    const auto [need_s1, need_s2] = buffers_needed(config_);
    shapes_.clear();
    state_.clear();
    for (const Tensor<T>& p : params) {
        shapes_.push_back(p.shape());
        Slot slot;
        if (need_s1) slot.s1 = Tensor<T>(p.shape(), p.memory());
        if (need_s2) slot.s2 = Tensor<T>(p.shape(), p.memory());
        state_.push_back(std::move(slot));
    }
}

template <typename T>
void Optimizer<T>::step(std::span<Tensor<T>> params, std::span<const Tensor<T>> grads) {
    const std::string who = "optimizer " + config_.name();
    if (params.size() != grads.size()) {
        throw ShapeError(fmt::format(
            "{}: step got {} parameters but {} gradients; pass one gradient per parameter, in "
            "the same order",
            who, params.size(), grads.size()));
    }
    for (std::size_t i = 0; i < params.size(); ++i) {
        if (params[i].shape() != grads[i].shape()) {
            throw ShapeError(fmt::format("{}: parameter {} has shape {} but its gradient has {}",
                                         who, i, to_string(params[i].shape()),
                                         to_string(grads[i].shape())));
        }
        if (gpu_side(params[i].memory()) != gpu_side(grads[i].memory())) {
            throw DeviceError(fmt::format(
                "{}: parameter {} is in {} memory but its gradient in {}; keep both on the host "
                "or both on the GPU",
                who, i, to_string(params[i].memory()), to_string(grads[i].memory())));
        }
    }
    ensure_state(params);

    T gscale = T(1);
    if (config_.clip_norm > 0) {
        const T norm = global_norm(grads);
        check_finite_norm(who, norm, lr_);
        gscale = clip_coefficient(norm, static_cast<T>(config_.clip_norm));
    }

    ++steps_;
    const Config& c = config_;
    const double lr = lr_;
    detail::Hyper<T> h;
    h.lr = static_cast<T>(lr);
    h.gscale = gscale;
    h.weight_decay = static_cast<T>(c.weight_decay);
    h.eps = static_cast<T>(c.eps);
    h.momentum = static_cast<T>(c.momentum);
    switch (c.kind) {
        case Kind::sgd:
            h.rule = c.momentum > 0 ? detail::Rule::sgd_momentum : detail::Rule::sgd;
            h.nesterov = c.nesterov;
            break;
        case Kind::adam:
        case Kind::adamw: {
            h.rule = detail::Rule::adam;
            if (c.kind == Kind::adamw) {  // decoupled: w *= 1 - lr wd, no L2 in the gradient
                h.weight_decay = T(0);
                h.decay_factor = static_cast<T>(1 - lr * c.weight_decay);
            }
            const double t = static_cast<double>(steps_);
            const double bc1 = 1 - std::pow(c.beta1, t);
            const double bc2 = 1 - std::pow(c.beta2, t);
            h.beta1 = static_cast<T>(c.beta1);
            h.one_minus_beta1 = static_cast<T>(1 - c.beta1);
            h.beta2 = static_cast<T>(c.beta2);
            h.one_minus_beta2 = static_cast<T>(1 - c.beta2);
            h.step_size = static_cast<T>(lr / bc1);
            h.bc2_sqrt = static_cast<T>(std::sqrt(bc2));
            break;
        }
        case Kind::rmsprop:
            h.rule = c.momentum > 0 ? detail::Rule::rmsprop_momentum : detail::Rule::rmsprop;
            h.alpha = static_cast<T>(c.alpha);
            h.one_minus_alpha = static_cast<T>(1 - c.alpha);
            break;
        case Kind::adagrad:
            h.rule = detail::Rule::adagrad;
            break;
    }

    for (std::size_t i = 0; i < params.size(); ++i) {
        Tensor<T>& p = params[i];
        const Tensor<T>& g = grads[i];
        Slot& s = state_[i];
        const index_t n = p.size();
        if (n == 0) continue;
        if (!gpu_side(p.memory())) {
            detail::cpu::update(h, n, p.data(), g.cdata(), ptr(s.s1, false), ptr(s.s2, false));
            continue;
        }
#ifdef MAGMADNN_WITH_CUDA
        const T* gd = g.cdevice_data();
        detail::cuda::update(h, n, p.device_data(), gd, ptr(s.s1, true), ptr(s.s2, true));
#else
        require_device(who);
#endif
    }
}

template class Optimizer<float>;
template class Optimizer<double>;
template float clip_grad_norm<float>(std::span<Tensor<float>>, float);
template double clip_grad_norm<double>(std::span<Tensor<double>>, double);
template float global_norm<float>(std::span<const Tensor<float>>);
template double global_norm<double>(std::span<const Tensor<double>>);

}  // namespace magmadnn::optimizer
