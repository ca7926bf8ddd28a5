// Dropout with a counter-based mask: element i of evaluation k keeps its value when the Philox
// draw (seed, k, i) exceeds the rate, so a run is reproducible and the mask needs no state: the
// backward pass redraws it (src/backend/dropout.h).
#include "../backend/dropout.h"

#include "magmadnn/core/random.h"
#include "nodes.h"

namespace magmadnn::op {

template <typename T>
class Dropout final : public Node<T> {
  public:
    Dropout(std::string name, OpPtr<T> x, T rate, std::uint64_t seed)
        : Node<T>(std::move(name), {x}, x->shape(), x->memory()), rate_(rate), seed_(seed) {
        this->output_ = Tensor<T>(this->shape_, this->memory_);
    }
    std::string kind() const override { return "dropout"; }
    void set_training(bool training) override { training_ = training; }
    std::vector<std::uint64_t> rng_state() const override { return {seed_, evaluations_}; }
    void set_rng_state(const std::vector<std::uint64_t>& state) override {
        if (state.size() != 2) {
            throw ValueError(
                fmt::format("op::dropout '{}': a random state has 2 values (seed, "
                            "evaluations), not {}",
                            this->name_, state.size()));
        }
        seed_ = state[0];
        evaluations_ = state[1];
    }
    void forward() override {
        const Tensor<T>& x = this->inputs_[0]->output();
        dropped_ = training_ && rate_ != T(0);
        if (!dropped_) {
            this->output_.copy_from(x);
            return;
        }
        stream_ = evaluations_++;
        dropout::apply(x, this->output_, rate_, seed_, stream_, "op::dropout");
    }
    void backward() override {
        this->emit_computed(0, [&](Tensor<T>& out) {
            if (dropped_) {
                dropout::apply(this->grad_, out, rate_, seed_, stream_, "op::dropout");
            } else {
                out.copy_from(this->grad_);
            }
        });
    }

  private:
    T rate_;
    std::uint64_t seed_;
    std::uint64_t evaluations_ = 0;
    std::uint64_t stream_ = 0;  // the last forward pass's draws, redrawn by backward
    bool training_ = true;
    bool dropped_ = false;  // whether the last forward pass dropped (training, rate > 0)
};

template <typename T>
OpPtr<T> dropout(const OpPtr<T>& x, T rate, std::uint64_t seed) {
    if (!x) throw ValueError("op::dropout: input is null");
    if (!(rate >= T(0) && rate < T(1))) {
        throw ValueError(fmt::format("op::dropout: rate {} must be in [0, 1)", double(rate)));
    }
    return std::make_shared<Dropout<T>>(fmt::format("dropout({})", x->name()), x, rate,
                                        seed == 0 ? global_seed() ^ next_stream() : seed);
}

template OpPtr<float> dropout<float>(const OpPtr<float>&, float, std::uint64_t);
template OpPtr<double> dropout<double>(const OpPtr<double>&, double, std::uint64_t);

}  // namespace magmadnn::op
