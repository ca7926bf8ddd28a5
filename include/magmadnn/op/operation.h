#pragma once
// Graph nodes. Building a graph computes nothing; eval() runs the nodes it depends on in
// topological order, each writing into an output buffer it owns (allocated once, reused by every
// evaluation). Reverse-mode gradients run the same order backwards (see grad_table.h).
//
// Nodes are owned through OpPtr<T> (std::shared_ptr): no user code calls delete.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "magmadnn/core/tensor.h"

namespace magmadnn::op {

template <typename T>
class Operation;
template <typename T>
using OpPtr = std::shared_ptr<Operation<T>>;

template <typename T>
class Operation {
  public:
    virtual ~Operation() = default;
    Operation(const Operation&) = delete;
    Operation& operator=(const Operation&) = delete;

    const std::string& name() const { return name_; }
    virtual std::string kind() const = 0;
    const Shape& shape() const { return shape_; }
    const Shape& get_output_shape() const { return shape_; }  // the seed's spelling
    memory_t memory() const { return memory_; }
    const std::vector<OpPtr<T>>& inputs() const { return inputs_; }

    // Evaluates this node and everything it depends on. The result shares this node's buffer: it
    // stays valid until the next evaluation (clone() it to keep it). With recompute = false the
    // last computed value is returned without running anything.
    Tensor<T> eval(bool recompute = true);
    const Tensor<T>& output() const { return output_; }

    // The gradient of the last backward pass's loss with respect to this node's output.
    const Tensor<T>& grad() const { return grad_; }

    // Training mode changes what some nodes do (dropout).
    virtual void set_training(bool) {}
    // Where this node's random draws stand (dropout: its seed and the evaluations drawn), so
    // that a checkpoint resumes them; empty for nodes that draw nothing. set_rng_state takes
    // what rng_state gave (ValueError otherwise).
    virtual std::vector<std::uint64_t> rng_state() const { return {}; }
    virtual void set_rng_state(const std::vector<std::uint64_t>& state);

    // --- used by the graph executor and by node implementations ---
    virtual void forward() = 0;
    // Adds d(loss)/d(input) into each input that needs_grad(), reading grad().
    virtual void backward() {}
    // Whether a gradient must flow into this node (set per backward pass).
    bool needs_grad() const { return needs_grad_; }
    void set_needs_grad(bool v) { needs_grad_ = v; }
    // The gradient buffer, allocated on first use; `fresh` says no contribution has arrived yet
    // in this pass, so the first writer may overwrite instead of add.
    Tensor<T>& grad_buffer();
    bool grad_fresh() const { return grad_fresh_; }
    void set_grad_fresh(bool v) { grad_fresh_ = v; }
    // Lets a fused node share another node's buffers (see op::optimize).
    void alias_buffers(Operation& other);

  protected:
    Operation(std::string name, std::vector<OpPtr<T>> inputs, Shape shape, memory_t memory);

    // Writes a gradient contribution for input i: `compute(dst, accumulate)` must set dst to the
    // contribution (accumulate = false) or add it (accumulate = true). Skips inputs that need no
    // gradient.
    template <typename F>
    void emit_grad(std::size_t i, F&& compute);
    // The same for contributions only available as a tensor: adds `contribution` into input i.
    void add_grad(std::size_t i, const Tensor<T>& contribution);

    std::string name_;
    std::vector<OpPtr<T>> inputs_;
    Shape shape_;
    memory_t memory_;
    Tensor<T> output_;
    Tensor<T> grad_;
    bool needs_grad_ = false;
    bool grad_fresh_ = true;

  public:
    // The nodes this one depends on, inputs before the nodes that read them, this node last.
    // Computed once: graphs are static after construction.
    const std::vector<Operation*>& order();

  private:
    std::vector<Operation*> order_;
};

template <typename T>
template <typename F>
void Operation<T>::emit_grad(std::size_t i, F&& compute) {
    Operation& in = *inputs_[i];
    if (!in.needs_grad()) return;
    Tensor<T>& dst = in.grad_buffer();
    compute(dst, !in.grad_fresh());
    in.set_grad_fresh(false);
}

extern template class Operation<float>;
extern template class Operation<double>;

}  // namespace magmadnn::op
