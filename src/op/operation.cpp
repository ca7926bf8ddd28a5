#include "magmadnn/op/operation.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <unordered_map>
#include <unordered_set>

#include "magmadnn/backend/math.h"
#include "magmadnn/core/error.h"
#include "magmadnn/op/grad_table.h"
#include "magmadnn/op/profile.h"

namespace magmadnn::op {

template <typename T>
Operation<T>::Operation(std::string name, std::vector<OpPtr<T>> inputs, Shape shape,
                        memory_t memory)
    : name_(std::move(name)),
      inputs_(std::move(inputs)),
      shape_(std::move(shape)),
      memory_(memory) {
    for (const auto& in : inputs_) {
        if (!in) throw ValueError(fmt::format("{}: an input is null", name_));
        if (in->memory() != memory_) {
            throw DeviceError(fmt::format(
                "{}: input '{}' lives in {} memory but this op in {}; build the graph on one side",
                name_, in->name(), to_string(in->memory()), to_string(memory_)));
        }
    }
}

template <typename T>
const std::vector<Operation<T>*>& Operation<T>::order() {
    if (!order_.empty()) return order_;
    // Iterative depth-first post-order: deep graphs must not overflow the stack.
    std::unordered_set<Operation*> done;
    std::vector<std::pair<Operation*, std::size_t>> stack{{this, 0}};
    while (!stack.empty()) {
        auto& [node, next] = stack.back();
        if (next < node->inputs_.size()) {
            Operation* child = node->inputs_[next++].get();
            if (!done.count(child)) stack.push_back({child, 0});
            continue;
        }
        if (done.insert(node).second) order_.push_back(node);
        stack.pop_back();
    }
    return order_;
}

namespace {
using profile_clock = std::chrono::steady_clock;

template <typename T>
void timed(Operation<T>* node, bool backward) {
    const auto t0 = profile_clock::now();
    if (backward) {
        node->backward();
    } else {
        node->forward();
    }
    profile::record(node->kind(), node->name(), backward,
                    std::chrono::duration<double>(profile_clock::now() - t0).count());
}
}  // namespace

template <typename T>
Tensor<T> Operation<T>::eval(bool recompute) {
    if (recompute) {
        if (profile::enabled()) {
            for (Operation* node : order()) {
                if (!node->inputs_.empty()) timed(node, false);  // variables do nothing
            }
        } else {
            for (Operation* node : order()) node->forward();
        }
    }
    return output_;
}

template <typename T>
Tensor<T>& Operation<T>::grad_buffer() {
    if (grad_.empty() && numel(shape_) > 0) grad_ = Tensor<T>(shape_, memory_);
    return grad_;
}

template <typename T>
void Operation<T>::alias_buffers(Operation& other) {
    output_ = other.output_;
    grad_ = other.grad_buffer();
}

template <typename T>
void Operation<T>::add_grad(std::size_t i, const Tensor<T>& contribution) {
    emit_grad(i, [&](Tensor<T>& dst, bool accumulate) {
        if (dst.shape() == contribution.shape()) {
            if (accumulate) {
                math::binary(math::BinaryOp::add, dst, contribution, dst);
            } else {
                dst.copy_from(contribution);
            }
            return;
        }
        // A broadcast input: sum the contribution over the broadcast axes.
        if (!accumulate) {
            math::reduce_to_shape(contribution, dst);
        } else {
            Tensor<T> reduced(dst.shape(), dst.memory());
            math::reduce_to_shape(contribution, reduced);
            math::binary(math::BinaryOp::add, dst, reduced, dst);
        }
    });
}

template <typename T>
Tensor<T> GradTable<T>::get(const OpPtr<T>& var) const {
    auto it = table_.find(var.get());
    if (it == table_.end()) {
        throw ValueError(fmt::format("GradTable: no gradient for '{}'; pass it to get_grad_table",
                                     var ? var->name() : std::string("null")));
    }
    return it->second;
}

template <typename T>
void backward(const OpPtr<T>& loss, const std::vector<OpPtr<T>>& vars) {
    backward<T>(loss, vars, nullptr);
}

template <typename T>
void backward(const OpPtr<T>& loss, const std::vector<OpPtr<T>>& vars,
              const std::function<void(std::size_t)>& on_ready) {
    if (!loss) throw ValueError("backward: the loss is null");
    const auto& order = loss->order();
    std::unordered_set<const Operation<T>*> wanted;
    for (const auto& v : vars) wanted.insert(v.get());
    // A node needs a gradient if a requested variable is among its ancestors (or is it).
    for (Operation<T>* node : order) {
        bool needs = wanted.count(node) > 0;
        for (const auto& in : node->inputs()) needs = needs || in->needs_grad();
        node->set_needs_grad(needs);
        node->set_grad_fresh(true);
    }
    for (const auto& v : vars) {
        if (!v->needs_grad()) {
            throw ValueError(fmt::format("backward: '{}' is not an input of the loss '{}'",
                                         v->name(), loss->name()));
        }
    }
    // With on_ready: the position in `order` of each variable's first reader, the last of its
    // readers that the reverse pass reaches; after that node, the gradient is final.
    std::vector<std::vector<std::size_t>> ready_after;
    if (on_ready) {
        std::unordered_map<const Operation<T>*, std::size_t> index;
        for (std::size_t i = 0; i < vars.size(); ++i) index.emplace(vars[i].get(), i);
        std::vector<std::size_t> first(vars.size(), order.size());
        for (std::size_t k = 0; k < order.size(); ++k) {
            for (const auto& in : order[k]->inputs()) {
                const auto it = index.find(in.get());
                if (it != index.end()) first[it->second] = std::min(first[it->second], k);
            }
        }
        ready_after.resize(order.size() + 1);
        for (std::size_t i = 0; i < vars.size(); ++i) ready_after[first[i]].push_back(i);
    }
    // Reports the variables whose gradient is final once node k is done (zeroed if every
    // path to them was cut).
    auto report = [&](std::size_t k) {
        if (!on_ready) return;
        for (std::size_t i : ready_after[k]) {
            if (vars[i]->grad_fresh()) vars[i]->grad_buffer().zero();
            on_ready(i);
        }
    };
    Tensor<T>& seed = loss->grad_buffer();
    seed.fill(T(1));
    loss->set_grad_fresh(false);
    for (std::size_t k = order.size(); k-- > 0;) {
        Operation<T>* node = order[k];
        const bool runs = node->needs_grad() && !node->inputs().empty() &&
                          !node->grad_fresh();  // fresh: nothing flowed in, off the loss's path
        if (runs) {
            if (profile::enabled()) {
                timed(node, true);
            } else {
                node->backward();
            }
        }
        report(k);
    }
    report(order.size());  // read by nothing on the path (a variable that is the loss itself)
    for (const auto& v : vars) {
        if (v->grad_fresh()) v->grad_buffer().zero();  // reachable, but every path was cut
    }
}

template <typename T>
void get_grad_table(const std::vector<OpPtr<T>>& vars, const OpPtr<T>& loss, GradTable<T>& table) {
    backward(loss, vars);
    for (const auto& v : vars) table.set(v.get(), v->grad());
}

template <typename T>
void Operation<T>::set_rng_state(const std::vector<std::uint64_t>& state) {
    if (!state.empty()) {
        throw ValueError(
            fmt::format("op {} ('{}') draws no random numbers, but was given a random "
                        "state of {} values",
                        kind(), name_, state.size()));
    }
}

template class Operation<float>;
template class Operation<double>;
template class GradTable<float>;
template class GradTable<double>;
template void backward<float>(const OpPtr<float>&, const std::vector<OpPtr<float>>&);
template void backward<double>(const OpPtr<double>&, const std::vector<OpPtr<double>>&);
template void backward<float>(const OpPtr<float>&, const std::vector<OpPtr<float>>&,
                              const std::function<void(std::size_t)>&);
template void backward<double>(const OpPtr<double>&, const std::vector<OpPtr<double>>&,
                               const std::function<void(std::size_t)>&);
template void get_grad_table<float>(const std::vector<OpPtr<float>>&, const OpPtr<float>&,
                                    GradTable<float>&);
template void get_grad_table<double>(const std::vector<OpPtr<double>>&, const OpPtr<double>&,
                                     GradTable<double>&);

}  // namespace magmadnn::op
