// The CUDA kernels against the CPU kernels on the same random inputs (skips without a GPU).
#include <gtest/gtest.h>

#include <cmath>

#include "backend/fused.h"
#include "backend/grad.h"
#include "magmadnn.h"
#include "test_util.h"

using namespace magmadnn;
using math::BinaryOp;
using math::UnaryOp;

namespace {
void expect_close(const Tensor<double>& gpu, const Tensor<double>& cpu, double tol) {
    ASSERT_EQ(gpu.shape(), cpu.shape());
    const auto g = gpu.to_vector(), c = cpu.to_vector();
    for (std::size_t i = 0; i < g.size(); ++i) EXPECT_NEAR(g[i], c[i], tol) << i;
}
}  // namespace

TEST(GpuBackend, UnaryAndBinaryMatchCpu) {
    MAGMADNN_SKIP_WITHOUT_GPU();
    const auto x = test::random_tensor<double>({64, 33}, 1);
    const auto b = test::random_tensor<double>({33}, 2);
    // every row of the op table (elementwise_ops.h), forward and gradient, on inputs in its domain
    const auto g = test::random_tensor<double>({64, 33}, 3);
    const auto gd = g.to(DEVICE);
    for (UnaryOp op : math::all_unary_ops) {
        Tensor<double> xo = test::random_tensor<double>({64, 33}, 4, 0.5, 2.0);
        if (math::domain(op) == math::Domain::any) {
            for (index_t i = 0; i < xo.size(); i += 2) xo.set_flat(i, -xo.get_flat(i));
        }
        const auto xod = xo.to(DEVICE);
        const double p = op == UnaryOp::pow_scalar ? 2.5 : 0.3;
        const auto y = math::unary(op, xo, p);
        const auto yd = math::unary(op, xod, p);
        expect_close(yd, y, 1e-14);
        Tensor<double> dx(x.shape()), dxd(x.shape(), DEVICE);
        math::unary_grad(op, xo, y, g, dx, p);
        math::unary_grad(op, xod, yd, gd, dxd, p);
        expect_close(dxd, dx, 1e-13);
    }
    for (BinaryOp op : math::all_binary_ops) {
        const bool positive = math::domain(op) == math::Domain::positive;
        const auto xo = positive ? math::unary(UnaryOp::abs, x) : x;
        const auto z = math::binary(op, xo, b);
        const auto zd = math::binary(op, xo.to(DEVICE), b.to(DEVICE));
        expect_close(zd, z, 1e-14);
        for (int side = 0; side < 2; ++side) {  // b broadcast along the rows
            Tensor<double> d(z.shape()), dd(z.shape(), DEVICE);
            math::binary_grad(op, side, xo, b, z, g, d);
            math::binary_grad(op, side, xo.to(DEVICE), b.to(DEVICE), zd, gd, dd);
            expect_close(dd, d, 1e-13);
        }
    }
    for (math::FusedOp op : math::all_fused_ops) {
        Tensor<double> y(x.shape()), yd(x.shape(), DEVICE);
        math::fused_binary(op, x, b, y);
        math::fused_binary(op, x.to(DEVICE), b.to(DEVICE), yd);
        expect_close(yd, y, 1e-14);
    }
}

TEST(GpuBackend, ReductionsSoftmaxArgmaxMatchCpu) {
    MAGMADNN_SKIP_WITHOUT_GPU();
    const auto x = test::random_tensor<double>({50, 40, 3}, 3);
    const auto xd = x.to(MANAGED);
    for (int axis : {0, 1, 2, math::all_axes}) {
        expect_close(math::sum(xd, axis), math::sum(x, axis), 1e-12);
        expect_close(math::max(xd, axis), math::max(x, axis), 0.0);
    }
    const auto r = x.reshape({150, 40});
    expect_close(math::softmax(r.to(DEVICE)), math::softmax(r), 1e-15);
    EXPECT_EQ(math::argmax(r.to(DEVICE), 1).to_vector(), math::argmax(r, 1).to_vector());
}

TEST(GpuBackend, CublasMatmulMatchesCpu) {
    MAGMADNN_SKIP_WITHOUT_GPU();
    const auto A = test::random_tensor<double>({70, 90}, 4);
    const auto B = test::random_tensor<double>({50, 90}, 5);
    expect_close(math::matmul(A.to(DEVICE), B.to(DEVICE), false, true),
                 math::matmul(A, B, false, true), 1e-12);
    const auto Af = test::random_tensor<float>({128, 256}, 6);
    const auto Bf = test::random_tensor<float>({256, 64}, 7);
    const auto Cg = math::matmul(Af.to(DEVICE), Bf.to(DEVICE)).cast<double>();
    const auto Cc = math::matmul(Af, Bf).cast<double>();
    expect_close(Cg, Cc, 256 * 1.2e-7 * 4);
}

TEST(GpuBackend, EdgeShapesMatchCpu) {
    MAGMADNN_SKIP_WITHOUT_GPU();
    // k = 0: C = 0 (cuBLAS needs leading dimensions >= 1 for the empty operands)
    const Tensor<double> A0({3, 0}, HOST), B0({0, 4}, HOST);
    expect_close(math::matmul(A0.to(DEVICE), B0.to(DEVICE)), math::matmul(A0, B0), 0.0);
    // more row tiles than a grid's y extent allows (65535 x 32 rows)
    const auto tall = test::random_tensor<double>({2'200'000, 2}, 8);
    expect_close(math::transpose(tall.to(DEVICE)), math::transpose(tall), 0.0);
    // in place: the output is the input
    Tensor<double> x = test::random_tensor<double>({1000}, 9).to(DEVICE);
    const Tensor<double> want = math::unary(UnaryOp::tanh, x.to(HOST));
    math::unary(UnaryOp::tanh, x, x);
    expect_close(x, want, 1e-14);
    // an empty batch of inverse real FFTs
    const Tensor<fft::c128> none({0, 5}, DEVICE);
    EXPECT_EQ(fft::irfft(none, 8).shape(), (Shape{0, 8}));
}

TEST(GpuBackend, InitializersGiveTheSameNumbersOnBothSides) {
    MAGMADNN_SKIP_WITHOUT_GPU();
    const Tensor<float> h({1000}, Filler(NORMAL, {0, 1}, 9), HOST);
    const Tensor<float> d({1000}, Filler(NORMAL, {0, 1}, 9), DEVICE);
    EXPECT_EQ(h.to_vector(), d.to_vector());
}

TEST(GpuBackend, MixingHostAndDeviceIsAnError) {
    MAGMADNN_SKIP_WITHOUT_GPU();
    Tensor<float> a({4}, HOST), b({4}, DEVICE);
    EXPECT_THROW(math::add(a, b), DeviceError);
}
