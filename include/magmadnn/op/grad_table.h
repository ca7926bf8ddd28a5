#pragma once
// Reverse-mode gradients, as MagmaDNN's op::get_grad_table: after the loss has been evaluated,
// computes d(loss)/d(var) for each requested variable (of the sum of the loss's elements when
// the loss is not a scalar).

#include <functional>
#include <map>
#include <vector>

#include "magmadnn/op/operation.h"

namespace magmadnn::op {

template <typename T>
class GradTable {
  public:
    // The gradient for `var` (shares the graph's buffer: valid until the next backward pass).
    Tensor<T> get(const OpPtr<T>& var) const;
    bool contains(const OpPtr<T>& var) const { return table_.count(var.get()) > 0; }
    void set(const Operation<T>* var, Tensor<T> grad) { table_[var] = std::move(grad); }
    void clear() { table_.clear(); }

  private:
    std::map<const Operation<T>*, Tensor<T>> table_;
};

// Runs the backward pass from `loss` (which must have been evaluated) to `vars`.
template <typename T>
void backward(const OpPtr<T>& loss, const std::vector<OpPtr<T>>& vars);
// The same, calling on_ready(i) as soon as vars[i]'s gradient is final (right after the last
// node that reads vars[i] has run backward), so its reduction can start while the rest of the
// pass runs (data-parallel training). Every index is reported exactly once.
template <typename T>
void backward(const OpPtr<T>& loss, const std::vector<OpPtr<T>>& vars,
              const std::function<void(std::size_t)>& on_ready);

// backward(), then fills `table` with each variable's gradient.
template <typename T>
void get_grad_table(const std::vector<OpPtr<T>>& vars, const OpPtr<T>& loss, GradTable<T>& table);

}  // namespace magmadnn::op
