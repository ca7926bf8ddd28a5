#pragma once
// Optimizer<T>: applies one Config's update rule to a list of parameters in place.
//
//     auto opt = optimizer::make_optimizer<float>(optimizer::adam(1e-3));
//     opt->step(params, grads);   // std::vector<Tensor<float>> each, same order every step
//
// Each rule is one fused elementwise pass per parameter (an OpenMP loop for HOST tensors, a
// CUDA kernel for DEVICE / MANAGED / CUDA_MANAGED ones). State (momentum buffers, moments) is
// allocated on the first step in each parameter's memory type and kept by parameter index.

#include <memory>
#include <span>
#include <vector>

#include "magmadnn/core/tensor.h"
#include "magmadnn/optim/config.h"

namespace magmadnn::optimizer {

template <typename T>
class Optimizer {
  public:
    // Validates the config (ValueError naming the optimizer and the bad value).
    explicit Optimizer(const Config& config);
    // Not copyable: a copy would share the state tensors' storage. Movable.
    Optimizer(const Optimizer&) = delete;
    Optimizer& operator=(const Optimizer&) = delete;
    Optimizer(Optimizer&&) noexcept = default;
    Optimizer& operator=(Optimizer&&) noexcept = default;

    // One update of every parameter from its gradient (params[i] and grads[i] same shape, both
    // on the host or both on the GPU side). With config().clip_norm > 0 the gradients are first
    // scaled as clip_grad_norm would (without modifying them). Throws ShapeError naming the
    // parameter index and shapes when the counts or shapes differ from each other or from the
    // state of earlier steps; NumericError when clipping finds a NaN/inf gradient norm.
    void step(std::span<Tensor<T>> params, std::span<const Tensor<T>> grads);

    T learning_rate() const { return static_cast<T>(lr_); }
    // Any finite lr >= 0 (a cosine schedule may reach 0); else ValueError.
    void set_learning_rate(T lr);
    // Steps taken so far (Adam's bias correction uses steps() after the increment).
    index_t steps() const { return steps_; }
    const Config& config() const { return config_; }
    // Drops all state (buffers, moments, step count): the next step starts afresh.
    void reset();

    // What a checkpoint needs to continue training exactly: the step count and, per parameter,
    // the rule's buffers (s1: momentum / Adam's m / RMSprop's or Adagrad's sum; s2: Adam's v /
    // RMSprop's momentum buffer; empty tensors where the rule keeps none). Empty before the
    // first step.
    struct State {
        index_t steps = 0;
        std::vector<Tensor<T>> s1, s2;
    };
    State state() const;
    // Continues from a state() of an optimizer of the same kind for parameters of `shapes`
    // (copied into this optimizer's own tensors, in `memory`). ShapeError naming the parameter
    // when a buffer does not fit; ValueError when the buffers the rule needs are missing.
    void set_state(const State& state, std::span<const Shape> shapes, memory_t memory = HOST);

  private:
    struct Slot {
        Tensor<T> s1, s2;  // rule-specific state; empty where unused
    };
    void ensure_state(std::span<Tensor<T>> params);

    Config config_;
    double lr_;  // kept in double: the per-step scalars are computed in double, as torch does
    index_t steps_ = 0;
    std::vector<Shape> shapes_;  // parameter shapes seen on the first step
    std::vector<Slot> state_;
};

template <typename T>
std::unique_ptr<Optimizer<T>> make_optimizer(const Config& config) {
    return std::make_unique<Optimizer<T>>(config);
}

// Scales the gradients in place so their global 2-norm is at most max_norm, as
// torch.nn.utils.clip_grad_norm_ (coefficient max_norm / (norm + 1e-6), capped at 1). Returns
// the norm before clipping. Throws NumericError if the norm is NaN or infinite (the loss has
// diverged), ValueError if max_norm <= 0.
template <typename T>
T clip_grad_norm(std::span<Tensor<T>> grads, T max_norm);

// The global 2-norm of the tensors (accumulated in double).
template <typename T>
T global_norm(std::span<const Tensor<T>> tensors);

extern template class Optimizer<float>;
extern template class Optimizer<double>;

}  // namespace magmadnn::optimizer
