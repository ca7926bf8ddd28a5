#pragma once
// The seed's data-parallel SGD for hand-written training loops:
//
//     optimizer::DistributedGradientDescentOptimizer<float> optim(0.05);
//     for (...) { loss->eval(); op::backward(loss, vars); optim.step(params, grads); }
//
// The first step broadcasts rank 0's parameters (so every rank starts alike); every step
// averages the gradients over the world's ranks in place (dist::GradientReducer), then applies
// SGD. Launched alone it is plain SGD. Model::fit does the same by itself under a launcher.

#include <span>

#include "magmadnn/dist/gradient_reducer.h"
#include "magmadnn/optim/optimizer.h"

namespace magmadnn::optimizer {

template <typename T>
class DistributedGradientDescentOptimizer {
  public:
    explicit DistributedGradientDescentOptimizer(
        double learning_rate, double momentum = 0.0,
        dist::Strategy strategy = dist::Strategy::automatic);

    // params[i] and grads[i] as Optimizer::step; the gradients are left averaged.
    void step(std::span<Tensor<T>> params, std::span<Tensor<T>> grads);

    Optimizer<T>& optimizer() { return optimizer_; }
    dist::GradientReducer<T>& reducer() { return reducer_; }

  private:
    Optimizer<T> optimizer_;
    dist::GradientReducer<T> reducer_;
    bool synced_ = false;
};

extern template class DistributedGradientDescentOptimizer<float>;
extern template class DistributedGradientDescentOptimizer<double>;

}  // namespace magmadnn::optimizer
