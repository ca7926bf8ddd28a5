#include "magmadnn/dist/distributed_optimizer.h"

namespace magmadnn::optimizer {

template <typename T>
DistributedGradientDescentOptimizer<T>::DistributedGradientDescentOptimizer(double learning_rate,
                                                                            double momentum,
                                                                            dist::Strategy strategy)
    : optimizer_(sgd(learning_rate, momentum)), reducer_(dist::Communicator::world(), strategy) {}

template <typename T>
void DistributedGradientDescentOptimizer<T>::step(std::span<Tensor<T>> params,
                                                  std::span<Tensor<T>> grads) {
    if (!synced_) {
        reducer_.broadcast(params);
        synced_ = true;
    }
    reducer_.average(grads);
    if (reducer_.steps_here()) {
        optimizer_.step(params, std::span<const Tensor<T>>(grads.data(), grads.size()));
    }
    if (reducer_.strategy() == dist::Strategy::master_worker) reducer_.broadcast(params);
}

template class DistributedGradientDescentOptimizer<float>;
template class DistributedGradientDescentOptimizer<double>;

}  // namespace magmadnn::optimizer
