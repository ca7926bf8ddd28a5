// Every graph op on the GPU against the same op on the host: each case builds its graph over
// variables in HOST and then in DEVICE memory, evaluates it, runs backward from
// sum(w .* output) and compares the output and every input's gradient (label unit_gpu; the
// device half skips without a GPU). The case list is checked on the host, with or without a GPU,
// to reach every node kind: a new node kind must get a case here.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "gradient_check.h"
#include "magmadnn.h"
#include "test_util.h"

using namespace magmadnn;
using OpD = op::OpPtr<double>;
using test::rnd;

namespace {

struct Case {
    std::string name;
    std::function<OpD(const std::vector<OpD>&)> build;
    std::vector<Tensor<double>> inputs;
    std::size_t grads = 0;   // gradients compared for the first `grads` inputs (0: all)
    bool optimize = false;   // op::optimize before the first evaluation (fused nodes)
    bool host_only = false;  // UnsupportedError on GPU memory is the documented answer
    double tol = 1e-11;      // relative (absolute below 1)
};

// Values kept away from 0, half of them negative: relu-like kinks and max ties are not met.
Tensor<double> signed_away_from_zero(const Shape& s, std::uint32_t seed) {
    Tensor<double> t = rnd(s, seed, 0.2, 1.5);
    for (index_t i = 0; i < t.size(); i += 2) t.set_flat(i, -t.get_flat(i));
    return t;
}

Tensor<double> one_hot(index_t n, index_t classes) {
    Tensor<double> y({n, classes}, HOST);
    for (index_t i = 0; i < n; ++i) y.set({i, (i * 7) % classes}, 1.0);
    return y;
}

std::vector<Case> all_cases() {
    std::vector<Case> cases;
    // every row of the elementwise table, on inputs in its domain
    for (math::UnaryOp u : math::all_unary_ops) {
        const double p = u == math::UnaryOp::pow_scalar ? 2.5 : 0.3;
        Tensor<double> x = rnd({6, 5}, 1, 0.5, 2.0);
        if (math::domain(u) == math::Domain::any) x = signed_away_from_zero({6, 5}, 1);
        cases.push_back(
            {math::to_string(u), [u, p](auto v) { return op::unary(v[0], u, p); }, {x}});
    }
    for (math::BinaryOp o : math::all_binary_ops) {
        Tensor<double> a = rnd({6, 5}, 2, 0.5, 2.0);
        if (math::domain(o) == math::Domain::any) a = signed_away_from_zero({6, 5}, 2);
        for (const Shape& bs : {Shape{5}, Shape{6, 1}}) {  // b broadcast along rows, then columns
            cases.push_back({std::string(math::to_string(o)) + " " + to_string(bs),
                             [o](auto v) { return op::binary(v[0], v[1], o); },
                             {a, signed_away_from_zero(bs, 3)}});
        }
    }
    // shapes, products, reductions
    cases.push_back({"matmul",
                     [](auto v) { return op::matmul(v[0], v[1]); },
                     {rnd({6, 4}, 4), rnd({4, 3}, 5)}});
    cases.push_back({"transpose", [](auto v) { return op::transpose(v[0]); }, {rnd({5, 7}, 6)}});
    cases.push_back({"reshape",
                     [](auto v) {
                         return op::reshape(v[0], {3, -1});
                     },
                     {rnd({6, 4}, 7)}});
    cases.push_back({"flatten", [](auto v) { return op::flatten(v[0]); }, {rnd({2, 3, 4}, 8)}});
    for (int axis : {0, -1, math::all_axes}) {
        cases.push_back({"reduce_sum axis " + std::to_string(axis),
                         [axis](auto v) { return op::reduce_sum(v[0], axis); },
                         {rnd({4, 3, 5}, 9)}});
        cases.push_back({"mean axis " + std::to_string(axis),
                         [axis](auto v) { return op::mean(v[0], axis); },
                         {rnd({4, 3, 5}, 10)}});
    }
    cases.push_back(
        {"softmax", [](auto v) { return op::softmax(v[0]); }, {rnd({6, 5}, 11, -2, 2)}});
    cases.push_back(
        {"log_softmax", [](auto v) { return op::log_softmax(v[0]); }, {rnd({6, 5}, 12, -2, 2)}});
    // losses
    cases.push_back({"crossentropy",
                     [](auto v) { return op::crossentropy(v[0], v[1]); },
                     {one_hot(6, 5), math::softmax(rnd({6, 5}, 13, -1, 1))}});
    cases.push_back({"softmax_crossentropy",
                     [](auto v) { return op::softmax_crossentropy(v[0], v[1]); },
                     {rnd({6, 5}, 14, -2, 2), one_hot(6, 5)}});
    cases.push_back(
        {"mse", [](auto v) { return op::mse(v[0], v[1]); }, {rnd({6, 5}, 15), rnd({6, 5}, 16)}});
    // linear with each activation, with and without bias; an activation fused by optimize
    for (auto act : {op::Activation::linear, op::Activation::relu, op::Activation::tanh,
                     op::Activation::sigmoid}) {
        cases.push_back({"linear " + magmadnn::to_string(act),
                         [act](auto v) { return op::linear(v[0], v[1], v[2], act); },
                         {signed_away_from_zero({7, 4}, 17), rnd({4, 3}, 18), rnd({3}, 19)}});
        cases.push_back({"linear no bias " + magmadnn::to_string(act),
                         [act](auto v) { return op::linear(v[0], v[1], OpD{}, act); },
                         {signed_away_from_zero({7, 4}, 20), rnd({4, 3}, 21)}});
    }
    cases.push_back({"tanh fused into linear",
                     [](auto v) { return op::tanh(op::linear(v[0], v[1], v[2])); },
                     {rnd({7, 4}, 22), rnd({4, 3}, 23), rnd({3}, 24)},
                     0,
                     true});
    // dropout: the same Philox mask on both sides
    cases.push_back(
        {"dropout", [](auto v) { return op::dropout(v[0], 0.3, 5); }, {rnd({40, 25}, 25)}});
    // convolution (cuDNN on the GPU): padding, stride, dilation, groups, with and without bias
    cases.push_back({"conv2d pad 1",
                     [](auto v) {
                         return op::conv2d(v[0], v[1], v[2], {1, 1}, {1, 1});
                     },
                     {rnd({2, 3, 7, 7}, 26), rnd({4, 3, 3, 3}, 27), rnd({4}, 28)}});
    cases.push_back({"conv2d stride 2 dilation 2 groups 2",
                     [](auto v) {
                         return op::conv2d(v[0], v[1], OpD{}, {2, 2}, {1, 1}, {2, 2}, 2);
                     },
                     {rnd({2, 4, 9, 9}, 29), rnd({6, 2, 3, 3}, 30)}});
    // pooling (cuDNN on the GPU), a relu absorbed into max pooling by optimize
    cases.push_back({"maxpool2d",
                     [](auto v) {
                         return op::pooling2d(v[0], {2, 2}, {2, 2});
                     },
                     {signed_away_from_zero({2, 3, 6, 6}, 31)}});
    cases.push_back({"avgpool2d pad 1",
                     [](auto v) {
                         return op::pooling2d(v[0], {3, 3}, {1, 1}, {1, 1}, op::PoolMode::average);
                     },
                     {rnd({2, 3, 5, 6}, 32)}});
    cases.push_back({"relu absorbed into maxpool2d",
                     [](auto v) {
                         return op::pooling2d(op::relu(v[0]), {2, 2}, {2, 2});
                     },
                     {signed_away_from_zero({2, 3, 6, 6}, 33)},
                     0,
                     true});
    cases.push_back({"global_avg_pool",
                     [](auto v) { return op::global_avg_pool(v[0]); },
                     {rnd({2, 3, 4, 5}, 34)}});
    // batch normalisation in training mode (cuDNN on the GPU); the running statistics are
    // inputs without gradients
    cases.push_back({"batchnorm",
                     [](auto v) { return op::batchnorm(v[0], v[1], v[2], v[3], v[4]); },
                     {rnd({4, 3, 5, 5}, 35), rnd({3}, 36, 0.5, 1.5), rnd({3}, 37),
                      Tensor<double>({3}, Filler(ZERO)), Tensor<double>({3}, Filler(ONE))},
                     3,
                     false,
                     false,
                     1e-9});
    // differentiable linear algebra
    cases.push_back({"batched_matmul shared B",
                     [](auto v) { return op::batched_matmul(v[0], v[1]); },
                     {rnd({2, 3, 4}, 38), rnd({4, 5}, 39)}});
    Tensor<double> A = rnd({4, 4}, 40);
    for (index_t i = 0; i < 4; ++i) A.set({i, i}, A.get({i, i}) + 4.0);
    cases.push_back({"solve",
                     [](auto v) { return op::solve(v[0], v[1]); },
                     {A, rnd({4, 2}, 41)},
                     0,
                     false,
                     true});
    cases.push_back({"lstsq",
                     [](auto v) { return op::lstsq(v[0], v[1]); },
                     {rnd({8, 3}, 42), rnd({8}, 43)},
                     0,
                     false,
                     true});
    return cases;
}

struct Result {
    std::set<std::string> kinds;  // of the nodes under the case's output
    Tensor<double> output;
    std::vector<Tensor<double>> grads;
};

void collect_kinds(const OpD& node, std::set<std::string>& kinds) {
    std::string k = node->kind();
    kinds.insert(k.substr(0, k.find(':')));  // conv2d:im2col -> conv2d
    for (const OpD& in : node->inputs()) {
        if (in) collect_kinds(in, kinds);
    }
}

// The case's graph over variables in `memory`: its output and the gradients of sum(w .* out).
Result run(const Case& c, memory_t memory) {
    std::vector<OpD> vars;
    for (std::size_t i = 0; i < c.inputs.size(); ++i) {
        vars.push_back(op::var<double>("x" + std::to_string(i), c.inputs[i].to(memory, true)));
    }
    const OpD out = c.build(vars);
    const Tensor<double> w = test::random_tensor<double>(out->shape(), 991);
    const OpD loss = op::reduce_sum(op::product(out, op::var<double>("w", w.to(memory, true))));
    if (c.optimize) op::optimize(loss);
    loss->eval();
    Result r;
    collect_kinds(out, r.kinds);  // after optimize and the first evaluation: the kinds that ran
    const std::size_t n = c.grads == 0 ? vars.size() : c.grads;
    const std::vector<OpD> wrt(vars.begin(), vars.begin() + static_cast<std::ptrdiff_t>(n));
    op::GradTable<double> table;
    op::get_grad_table(wrt, loss, table);
    r.output = out->output().to(HOST, true);
    for (const OpD& v : wrt) r.grads.push_back(table.get(v).to(HOST, true));
    return r;
}

void expect_close(const Tensor<double>& got, const Tensor<double>& want, double tol,
                  const std::string& what) {
    ASSERT_EQ(got.shape(), want.shape()) << what;
    for (index_t i = 0; i < want.size(); ++i) {
        const double w = want.get_flat(i);
        EXPECT_NEAR(got.get_flat(i), w, tol * std::max(1.0, std::abs(w))) << what << " " << i;
    }
}

}  // namespace

// The list reaches every node kind (elementwise rows from the table itself), and each case runs
// on the host: this half needs no GPU.
TEST(DeviceConsistency, CasesCoverEveryNodeKind) {
    std::set<std::string> want = {
        "variable",  "matmul",         "transpose",   "reshape",        "reduce_sum",
        "mean",      "softmax",        "log_softmax", "crossentropy",   "softmax_crossentropy",
        "mse",       "linear",         "dropout",     "conv2d",         "maxpool2d",
        "avgpool2d", "relu+maxpool2d", "batchnorm",   "batched_matmul", "solve",
        "lstsq"};
    for (math::UnaryOp u : math::all_unary_ops) want.insert(math::to_string(u));
    for (math::BinaryOp o : math::all_binary_ops) want.insert(math::to_string(o));
    std::set<std::string> seen;
    for (const Case& c : all_cases()) {
        SCOPED_TRACE(c.name);
        const Result r = run(c, HOST);
        seen.insert(r.kinds.begin(), r.kinds.end());
        for (const Tensor<double>& g : r.grads) {
            for (index_t i = 0; i < g.size(); ++i) ASSERT_TRUE(std::isfinite(g.get_flat(i)));
        }
    }
    for (const std::string& k : want) EXPECT_TRUE(seen.count(k)) << "no case builds a " << k;
    for (const std::string& k : seen) EXPECT_TRUE(want.count(k)) << "a new node kind: " << k;
}

TEST(DeviceConsistency, EveryOpOnTheGpuMatchesTheHost) {
    MAGMADNN_SKIP_WITHOUT_GPU();
    for (const Case& c : all_cases()) {
        SCOPED_TRACE(c.name);
        if (c.host_only) {
            EXPECT_THROW(run(c, DEVICE), UnsupportedError);
            continue;
        }
        const Result h = run(c, HOST);
        const Result d = run(c, DEVICE);
        expect_close(d.output, h.output, c.tol, "output");
        ASSERT_EQ(d.grads.size(), h.grads.size());
        for (std::size_t i = 0; i < h.grads.size(); ++i) {
            expect_close(d.grads[i], h.grads[i], c.tol, "gradient of input " + std::to_string(i));
        }
    }
}
