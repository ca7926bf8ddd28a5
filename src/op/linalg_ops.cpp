// Differentiable linear algebra: solve, lstsq and batched_matmul as graph nodes over linalg::.
#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <utility>

#include "magmadnn/linalg/batched.h"
#include "magmadnn/linalg/batched_solve.h"
#include "magmadnn/linalg/decomp.h"
#include "magmadnn/linalg/solve.h"
#include "magmadnn/op/linalg.h"
#include "nodes.h"

namespace magmadnn::op {

namespace {

// Runs f, prefixing a NumericError from linalg (a singular or rank-deficient matrix) with the
// node's name, so the failing node can be found in a larger graph.
template <typename F>
auto named(const std::string& node, F&& f) {
    try {
        return f();
    } catch (const NumericError& e) {
        throw NumericError(fmt::format("op::{}: {}", node, e.what()));
    }
}

template <typename T>
void require_host(const std::string& node, const char* what, const OpPtr<T>& x) {
    if (x->memory() != HOST) {
        throw UnsupportedError(
            fmt::format("op::{}: {} '{}' lives in {} memory, but this op runs on HOST tensors "
                        "only; build it on HOST variables (Tensor::to(HOST))",
                        node, what, x->name(), to_string(x->memory())));
    }
}

// The number of right-hand sides: B {.., n} is one, B {.., n, k} is k.
index_t rhs_count(const Shape& a, const Shape& b) { return b.size() == a.size() ? b.back() : 1; }

}  // namespace

// --- solve ---

template <typename T>
class Solve final : public Node<T> {
  public:
    Solve(std::string name, OpPtr<T> a, OpPtr<T> b)
        : Node<T>(std::move(name), {a, b}, b->shape(), a->memory()) {
        this->output_ = Tensor<T>(this->shape_, this->memory_);
    }
    std::string kind() const override { return "solve"; }

    void forward() override {
        const Tensor<T>& A = this->inputs_[0]->output();
        const Tensor<T>& B = this->inputs_[1]->output();
        // the factors are kept: the backward pass solves with A^T through them
        if (batched()) {
            factors_ = named(this->name_, [&] { return linalg::lu_factor_batched(A); });
            this->output_.copy_from(linalg::lu_solve_batched(factors_, B));
            return;
        }
        factors_ = named(this->name_, [&] { return linalg::lu_factor(A); });
        this->output_.copy_from(linalg::lu_solve(factors_, B));
    }

    void backward() override {
        if (!this->inputs_[0]->needs_grad() && !this->inputs_[1]->needs_grad()) return;
        const Tensor<T>& A = this->inputs_[0]->output();
        const Tensor<T>& X = this->output_;
        // G_B = A^-T G_X through the forward pass's LU factors of A
        const Tensor<T> gb = batched() ? linalg::lu_solve_batched(factors_, this->grad_, true)
                                       : linalg::lu_solve(factors_, this->grad_, true);
        const index_t n = A.shape(-1);
        const index_t k = rhs_count(A.shape(), this->shape_);
        this->emit_grad(0, [&](Tensor<T>& dst, bool acc) {  // G_A = -G_B X^T
            const T beta = acc ? T(1) : T(0);
            if (batched()) {
                const Shape s{A.shape(0), n, k};
                linalg::gemm_batched(T(-1), gb.reshape(s), X.reshape(s), beta, dst, false, true);
            } else {
                math::matmul(T(-1), gb.reshape({n, k}), false, X.reshape({n, k}), true, beta, dst);
            }
        });
        this->add_grad(1, gb);
    }

  private:
    bool batched() const { return this->inputs_[0]->shape().size() == 3; }
    linalg::LUFactors<T> factors_;  // of A (each A of a batch), from the last forward pass
};

template <typename T>
OpPtr<T> solve(const OpPtr<T>& A, const OpPtr<T>& B) {
    if (!A || !B) throw ValueError("op::solve: A or B is null");
    const std::string name = fmt::format("solve({}, {})", A->name(), B->name());
    require_host(name, "A", A);
    require_host(name, "B", B);
    const Shape& as = A->shape();
    const Shape& bs = B->shape();
    bool fits = false;
    if (as.size() == 2 && as[0] == as[1]) {
        fits = (bs.size() == 1 || bs.size() == 2) && bs[0] == as[0];
    } else if (as.size() == 3 && as[1] == as[2]) {
        fits = (bs.size() == 2 || bs.size() == 3) && bs[0] == as[0] && bs[1] == as[1];
    }
    if (!fits) {
        throw ShapeError(fmt::format(
            "op::{}: A {} and B {} do not fit; need A {{n, n}} with B {{n}} or {{n, k}}, or A "
            "{{batch, n, n}} with B {{batch, n}} or {{batch, n, k}} (op::lstsq takes a "
            "rectangular A)",
            name, to_string(as), to_string(bs)));
    }
    return std::make_shared<Solve<T>>(name, A, B);
}

// --- lstsq ---

template <typename T>
class Lstsq final : public Node<T> {
  public:
    Lstsq(std::string name, OpPtr<T> a, OpPtr<T> b, Shape shape)
        : Node<T>(std::move(name), {a, b}, std::move(shape), a->memory()) {
        this->output_ = Tensor<T>(this->shape_, this->memory_);
    }
    std::string kind() const override { return "lstsq"; }

    void forward() override {
        const Tensor<T>& A = this->inputs_[0]->output();
        const Tensor<T>& B = this->inputs_[1]->output();
        this->output_.copy_from(named(this->name_, [&] { return linalg::lstsq(A, B); }));
    }

    void backward() override {
        if (!this->inputs_[0]->needs_grad() && !this->inputs_[1]->needs_grad()) return;
        const Tensor<T>& A = this->inputs_[0]->output();
        const Tensor<T>& B = this->inputs_[1]->output();
        const index_t m = A.shape(0);
        const index_t n = A.shape(1);
        const index_t k = rhs_count(A.shape(), B.shape());
        const Tensor<T> X = this->output_.reshape({n, k});
        // A = Q R gives A^T A = R^T R: Y = (A^T A)^-1 G_X is two triangular solves with L = R^T,
        // which is what cholesky_solve does, without forming A^T A (and squaring its condition).
        const Tensor<T> R = linalg::qr(A).R;
        const Tensor<T> Y = linalg::cholesky_solve(math::transpose(R), this->grad_.reshape({n, k}));
        if (ay_.empty()) ay_ = Tensor<T>({m, k}, this->memory_);
        math::matmul(T(1), A, false, Y, false, T(0), ay_);  // A Y = G_B
        this->emit_grad(0, [&](Tensor<T>& dst, bool acc) {  // G_A = r Y^T - A Y X^T
            if (resid_.empty()) resid_ = Tensor<T>({m, k}, this->memory_);
            resid_.copy_from(B);
            math::matmul(T(-1), A, false, X, false, T(1), resid_);  // r = B - A X
            math::matmul(T(1), resid_, false, Y, true, acc ? T(1) : T(0), dst);
            math::matmul(T(-1), ay_, false, X, true, T(1), dst);
        });
        this->add_grad(1, ay_.reshape(B.shape()));
    }

  private:
    Tensor<T> ay_;     // A Y {m, k}
    Tensor<T> resid_;  // B - A X {m, k}
};

template <typename T>
OpPtr<T> lstsq(const OpPtr<T>& A, const OpPtr<T>& B) {
    if (!A || !B) throw ValueError("op::lstsq: A or B is null");
    const std::string name = fmt::format("lstsq({}, {})", A->name(), B->name());
    require_host(name, "A", A);
    require_host(name, "B", B);
    const Shape& as = A->shape();
    const Shape& bs = B->shape();
    if (as.size() != 2 || as[0] < as[1]) {
        throw ShapeError(
            fmt::format("op::{}: A {} must be a tall matrix {{m, n}} with m >= n (full column "
                        "rank); for an underdetermined system use linalg::lstsq (minimum norm, not "
                        "differentiable)",
                        name, to_string(as)));
    }
    if ((bs.size() != 1 && bs.size() != 2) || bs[0] != as[0]) {
        throw ShapeError(fmt::format("op::{}: B {} does not fit A {}; need B {{{}}} or {{{}, k}}",
                                     name, to_string(bs), to_string(as), as[0], as[0]));
    }
    Shape xs = bs;
    xs[0] = as[1];
    return std::make_shared<Lstsq<T>>(name, A, B, std::move(xs));
}

// --- batched_matmul ---

template <typename T>
class BatchedMatmul final : public Node<T> {
  public:
    // A shared operand (2-D, or batch extent 1 against a larger batch) enters every product.
    BatchedMatmul(std::string name, OpPtr<T> a, OpPtr<T> b, Shape shape, bool a_shared,
                  bool b_shared)
        : Node<T>(std::move(name), {a, b}, std::move(shape), a->memory()),
          a_shared_(a_shared),
          b_shared_(b_shared) {
        this->output_ = Tensor<T>(this->shape_, this->memory_);
    }
    std::string kind() const override { return "batched_matmul"; }

    void forward() override {
        const Tensor<T>& A = this->inputs_[0]->output();
        const Tensor<T>& B = this->inputs_[1]->output();
        if (plain()) {
            math::matmul(T(1), A, false, B, false, T(0), this->output_);
        } else {
            linalg::gemm_batched(T(1), operand(A, a_shared_), operand(B, b_shared_), T(0),
                                 this->output_);
        }
    }

    void backward() override {
        const Tensor<T>& A = this->inputs_[0]->output();
        const Tensor<T>& B = this->inputs_[1]->output();
        const Tensor<T>& G = this->grad_;
        if (plain()) {  // dA = G B^T, dB = A^T G; accumulation rides on GEMM's beta
            this->emit_grad(0, [&](Tensor<T>& dst, bool acc) {
                math::matmul(T(1), G, false, B, true, acc ? T(1) : T(0), dst);
            });
            this->emit_grad(1, [&](Tensor<T>& dst, bool acc) {
                math::matmul(T(1), A, true, G, false, acc ? T(1) : T(0), dst);
            });
            return;
        }
        const Tensor<T> a = operand(A, a_shared_);
        const Tensor<T> b = operand(B, b_shared_);
        if (!a_shared_) {  // G_A[i] = G[i] B[i]^T
            this->emit_grad(0, [&](Tensor<T>& dst, bool acc) {
                linalg::gemm_batched(T(1), G, b, acc ? T(1) : T(0), dst, false, true);
            });
        } else if (this->inputs_[0]->needs_grad()) {
            // sum_i G[i] B[i]^T: the per-problem products, then a sum over the batch (add_grad
            // reduces a contribution over the axes its input was broadcast along).
            if (shared_grad_.empty()) shared_grad_ = Tensor<T>(a_full_shape(A), this->memory_);
            linalg::gemm_batched(T(1), G, b, T(0), shared_grad_, false, true);
            this->add_grad(0, shared_grad_);
        }
        const index_t batch = this->shape_[0];
        this->emit_grad(1, [&](Tensor<T>& dst, bool acc) {
            const T beta = acc ? T(1) : T(0);
            if (!b_shared_) {  // G_B[i] = A[i]^T G[i]
                linalg::gemm_batched(T(1), a, G, beta, dst, true, false);
                return;
            }
            // sum_i A[i]^T G[i] is one GEMM over the stacked rows: A {batch m, k}^T G {batch m, n}.
            const index_t m = A.shape(-2);
            Tensor<T> d = dst.reshape({b.shape(0), b.shape(1)});
            math::matmul(T(1), A.reshape({batch * m, A.shape(-1)}), true,
                         G.reshape({batch * m, G.shape(-1)}), false, beta, d);
        });
    }

  private:
    bool plain() const { return this->shape_.size() == 2; }
    // A shared operand as the 2-D matrix gemm_batched shares across the batch.
    static Tensor<T> operand(const Tensor<T>& x, bool shared) {
        return shared ? x.reshape({x.shape(-2), x.shape(-1)}) : x;
    }
    Shape a_full_shape(const Tensor<T>& A) const {
        return {this->shape_[0], A.shape(-2), A.shape(-1)};
    }

    bool a_shared_;
    bool b_shared_;
    Tensor<T> shared_grad_;  // per-problem gradients of a shared A, before the batch sum
};

template <typename T>
OpPtr<T> batched_matmul(const OpPtr<T>& A, const OpPtr<T>& B) {
    if (!A || !B) throw ValueError("op::batched_matmul: A or B is null");
    const std::string name = fmt::format("batched_matmul({}, {})", A->name(), B->name());
    const Shape& as = A->shape();
    const Shape& bs = B->shape();
    const auto bad = [&](const char* why) {
        return ShapeError(fmt::format(
            "op::{}: A {} and B {} do not multiply ({}); need A {{batch, m, k}} and B {{batch, k, "
            "n}}, where either may be 2-D ({{m, k}} / {{k, n}}) or have batch 1 to be shared by "
            "every product",
            name, to_string(as), to_string(bs), why));
    };
    if ((as.size() != 2 && as.size() != 3) || (bs.size() != 2 && bs.size() != 3)) {
        throw bad("each operand must be 2-D or 3-D");
    }
    if (as.back() != bs[bs.size() - 2]) throw bad("inner extents differ");
    const index_t m = as[as.size() - 2];
    const index_t n = bs.back();
    if (as.size() == 2 && bs.size() == 2) {
        return std::make_shared<BatchedMatmul<T>>(name, A, B, Shape{m, n}, false, false);
    }
    const index_t ba = as.size() == 3 ? as[0] : 1;
    const index_t bb = bs.size() == 3 ? bs[0] : 1;
    if (ba != bb && ba != 1 && bb != 1) throw bad("batch extents differ");
    const index_t batch = std::max(ba, bb);
    const bool a_shared = as.size() == 2 || (ba == 1 && batch > 1);
    const bool b_shared = bs.size() == 2 || (bb == 1 && batch > 1);
    return std::make_shared<BatchedMatmul<T>>(name, A, B, Shape{batch, m, n}, a_shared, b_shared);
}

#define MAGMADNN_INSTANTIATE(T)                                   \
    template OpPtr<T> solve<T>(const OpPtr<T>&, const OpPtr<T>&); \
    template OpPtr<T> lstsq<T>(const OpPtr<T>&, const OpPtr<T>&); \
    template OpPtr<T> batched_matmul<T>(const OpPtr<T>&, const OpPtr<T>&);
MAGMADNN_INSTANTIATE(float)
MAGMADNN_INSTANTIATE(double)
#undef MAGMADNN_INSTANTIATE

}  // namespace magmadnn::op
