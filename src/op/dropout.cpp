// Dropout with a counter-based mask: element i of evaluation k keeps its value when the Philox
// draw (seed, k, i) exceeds the rate, so a run is reproducible and the mask needs no state.
#include "magmadnn/core/random.h"
#include "nodes.h"

namespace magmadnn::op {

template <typename T>
class Dropout final : public Node<T> {
  public:
    Dropout(std::string name, OpPtr<T> x, T rate, std::uint64_t seed)
        : Node<T>(std::move(name), {x}, x->shape(), x->memory()), rate_(rate), seed_(seed) {
        this->output_ = Tensor<T>(this->shape_, this->memory_);
        mask_ = Tensor<T>(this->shape_, this->memory_);
    }
    std::string kind() const override { return "dropout"; }
    void set_training(bool training) override { training_ = training; }
    void forward() override {
        const Tensor<T>& x = this->inputs_[0]->output();
        if (!training_ || rate_ == T(0)) {
            this->output_.copy_from(x);
            return;
        }
        // The mask is drawn on the host and copied where the data lives.
        Tensor<T> host = mask_.memory() == HOST ? mask_ : Tensor<T>(this->shape_, HOST);
        T* m = host.data();
        const T keep_scale = T(1) / (T(1) - rate_);
        const std::uint64_t stream = evaluations_++;
        const index_t n = host.size();
#pragma omp parallel for if (n > (1 << 15))
        for (index_t i = 0; i < n; ++i) {
            m[i] = random::uniform(seed_, stream, static_cast<std::uint64_t>(i)) > double(rate_)
                       ? keep_scale
                       : T(0);
        }
        if (mask_.memory() != HOST) mask_.copy_from(host);
        math::binary(math::BinaryOp::mul, x, mask_, this->output_);
    }
    void backward() override {
        this->emit_computed(0, [&](Tensor<T>& out) {
            if (!training_ || rate_ == T(0)) {
                out.copy_from(this->grad_);
            } else {
                math::binary(math::BinaryOp::mul, this->grad_, mask_, out);
            }
        });
    }

  private:
    T rate_;
    std::uint64_t seed_;
    std::uint64_t evaluations_ = 0;
    bool training_ = true;
    Tensor<T> mask_;
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
