// Every kernel family compiled per CPU target (src/backend/cpu/isa/) against the scalar target,
// on the same random inputs, in one process: each target this CPU runs is made active in turn
// (cpu::ScopedIsa) and its results compared with the scalar target's. So an AVX-512 machine
// checks all three targets; an AVX2 one, two.
//
// Bounds (max |x - x_scalar| / max |x_scalar|): the targets sum in other orders and contract to
// FMAs, so f32 GEMM-like results (batched GEMM, im2col, Winograd) agree to a few ulps of the
// largest element times the length of the sums: 1e-5 (measured <= 1e-6); f64 1e-13. Pooling
// moves values without arithmetic (max: exact, and the same winners; average: 1e-6), and the
// FP16-split FFT rounds every target alike: its results are equal.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "magmadnn.h"
#include "test_util.h"

using namespace magmadnn;

namespace {

// run() under every supported target; each result compared with the scalar target's.
template <typename T>
void across_targets(const std::string& what, double bound,
                    const std::function<std::vector<Tensor<T>>()>& run) {
    std::vector<Tensor<T>> ref;
    {
        cpu::ScopedIsa scalar(cpu::Isa::scalar);
        ref = run();
    }
    for (cpu::Isa isa : cpu::supported_isas()) {
        if (isa == cpu::Isa::scalar) continue;
        cpu::ScopedIsa scope(isa);
        const std::vector<Tensor<T>> out = run();
        ASSERT_EQ(out.size(), ref.size());
        for (std::size_t i = 0; i < out.size(); ++i) {
            const double d = test::rel_error(out[i], ref[i]);
            EXPECT_LE(d, bound) << what << " output " << i << " on " << cpu::isa_name(isa);
            std::printf("%-40s output %zu on %-6s: %.1e (bound %.0e)\n", what.c_str(), i,
                        std::string(cpu::isa_name(isa)).c_str(), d, bound);
        }
    }
}

template <typename T>
void batched_gemm_sizes(double bound) {
    // the compiled square sizes, one between them, and ragged shapes for the register tiles
    const std::vector<std::array<index_t, 3>> sizes{
        {4, 4, 4},    {8, 8, 8},    {12, 12, 12}, {16, 16, 16}, {20, 20, 20},
        {24, 24, 24}, {28, 28, 28}, {32, 32, 32}, {40, 40, 40}, {64, 64, 64},
        {30, 30, 30}, {7, 13, 5},   {17, 70, 33}};
    for (const auto& [m, n, k] : sizes) {
        const auto A = test::random_tensor<T>({9, m, k}, 1);
        const auto B = test::random_tensor<T>({9, k, n}, 2);
        const auto C0 = test::random_tensor<T>({9, m, n}, 3);
        across_targets<T>(
            "gemm_batched " + std::to_string(m) + "x" + std::to_string(n) + "x" + std::to_string(k),
            bound, [&] {
                Tensor<T> C = C0.clone();
                linalg::gemm_batched(T(1.5), A, B, T(0.5), C);
                return std::vector<Tensor<T>>{C};
            });
    }
}

template <typename T>
void conv_passes(conv::Algo a, const conv::Shape2d& p, double bound) {
    const auto x = test::random_tensor<T>({p.n, p.c, p.h, p.w}, 4);
    const auto w = test::random_tensor<T>({p.k, p.c / p.groups, p.r, p.s}, 5);
    const auto dy = test::random_tensor<T>({p.n, p.k, p.out_h(), p.out_w()}, 6);
    across_targets<T>(std::string(conv::to_string(a)) + " " + p.key(), bound, [&] {
        Tensor<T> y(dy.shape()), dx(x.shape()), dw(w.shape());
        conv::forward(a, p, x, w, y);
        conv::backward_data(a, p, dy, w, dx);
        conv::backward_weights(a, p, x, dy, dw);
        return std::vector<Tensor<T>>{y, dx, dw};
    });
}

conv::Shape2d shape(index_t c, index_t k, index_t h, index_t w, index_t r, index_t pad) {
    conv::Shape2d p;
    p.n = 3, p.c = c, p.k = k, p.h = h, p.w = w, p.r = p.s = r, p.pad_h = p.pad_w = pad;
    return p;
}

template <typename T>
void pooling(op::PoolMode mode, op::Pair kernel, op::Pair stride, op::Pair pad, index_t h,
             index_t w, double bound, bool relu = false) {
    const auto x0 = test::random_tensor<T>({2, 3, h, w}, 7);
    across_targets<T>(std::string(relu ? "relu+" : "") +
                          std::string(mode == op::PoolMode::max ? "max" : "avg") + "pool " +
                          std::to_string(kernel[0]) + "x" + std::to_string(kernel[1]) + " on " +
                          std::to_string(h) + "x" + std::to_string(w),
                      bound, [&] {
                          auto x = op::var<T>("x", x0.clone());
                          // with relu, the planner moves it into max pooling (fused gradient)
                          auto y = op::pooling2d(relu ? op::relu(x) : x, kernel, stride, pad, mode);
                          // a weighted sum, so the gradient reaching each output differs
                          const auto weights = test::random_tensor<T>(y->shape(), 8);
                          auto loss = op::reduce_sum(op::product(y, op::var<T>("g", weights)));
                          if (relu) {
                              op::optimize(loss);
                              EXPECT_EQ(y->kind(), "relu+maxpool2d");
                          }
                          loss->eval();
                          op::GradTable<T> table;
                          op::get_grad_table<T>({x}, loss, table);
                          return std::vector<Tensor<T>>{y->output().clone(), table.get(x).clone()};
                      });
}

}  // namespace

TEST(IsaConsistency, BatchedGemm) {
    batched_gemm_sizes<float>(1e-5);
    batched_gemm_sizes<double>(1e-13);
}

TEST(IsaConsistency, Convolutions) {
    for (conv::Algo a : {conv::Algo::im2col, conv::Algo::winograd2, conv::Algo::winograd4}) {
        // 3x3 with padding 0..2; widths past one and two vectors of tiles
        for (index_t pad : {0, 1, 2}) conv_passes<float>(a, shape(5, 7, 13, 37, 3, pad), 1e-5);
        conv_passes<double>(a, shape(5, 7, 13, 37, 3, 1), 1e-13);
    }
    conv_passes<float>(conv::Algo::im2col, shape(1, 6, 28, 28, 5, 2), 1e-5);  // LeNet's layers
    conv_passes<float>(conv::Algo::im2col, shape(6, 16, 14, 14, 5, 0), 1e-5);
}

TEST(IsaConsistency, Pooling) {
    for (index_t w : {8, 13, 40, 67}) {
        pooling<float>(op::PoolMode::max, {2, 2}, {2, 2}, {0, 0}, 10, w, 0.0);
        pooling<float>(op::PoolMode::max, {2, 2}, {2, 2}, {0, 0}, 11, w, 0.0, true);
        pooling<float>(op::PoolMode::max, {3, 3}, {2, 2}, {1, 1}, 11, w, 0.0);
        pooling<float>(op::PoolMode::average, {2, 2}, {2, 2}, {0, 0}, 10, w, 1e-6);
    }
    pooling<double>(op::PoolMode::max, {2, 2}, {2, 2}, {0, 0}, 10, 33, 0.0);
}

TEST(IsaConsistency, Fp16SplitFft) {
    for (index_t n : {16, 64, 128}) {
        const auto img = test::random_tensor<float>({n, n}, 9);
        across_targets<float>("fft2_fp16split " + std::to_string(n), 0.0, [&] {
            const Tensor<std::complex<float>> F = fft::fft2_fp16split(img);
            Tensor<float> parts({2, F.size()});
            for (index_t i = 0; i < F.size(); ++i) {
                parts.set({0, i}, F.get_flat(i).real());
                parts.set({1, i}, F.get_flat(i).imag());
            }
            return std::vector<Tensor<float>>{parts};
        });
    }
}
