// The cuDNN path against the host on the same random inputs: the three convolution passes
// against im2col, the conv2d and pooling2d nodes (bias, fused relu) forwards and backwards, and a
// small LeNet-style model trained on the GPU against the same model on the host. Skips without a
// GPU.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <type_traits>
#include <vector>

#include "magmadnn.h"
#include "test_util.h"

using namespace magmadnn;

using test::rel_error;

namespace {

template <typename T>
double conv_bound() {
    return conv::error_bound(conv::Algo::cudnn, std::is_same_v<T, double>);  // 1e-4 / 1e-12
}

conv::Shape2d shape(index_t n, index_t c, index_t h, index_t w, index_t k, index_t r, index_t s,
                    index_t stride = 1, index_t pad = 1, index_t dil = 1, index_t groups = 1) {
    conv::Shape2d p;
    p.n = n, p.c = c, p.h = h, p.w = w, p.k = k, p.r = r, p.s = s;
    p.stride_h = p.stride_w = stride;
    p.pad_h = p.pad_w = pad;
    p.dil_h = p.dil_w = dil;
    p.groups = groups;
    return p;
}

// The problems: 3x3 (cuDNN may pick Winograd or FFT), LeNet's 5x5, 1x1, strided + dilated +
// grouped with uneven padding, depthwise, and a VGG-sized layer.
std::vector<conv::Shape2d> problems() {
    conv::Shape2d odd = shape(2, 4, 11, 9, 6, 3, 2, 2, 1, 1, 2);
    odd.stride_w = 1, odd.pad_w = 2, odd.dil_w = 2;
    return {shape(2, 3, 9, 10, 4, 3, 3),
            shape(3, 1, 28, 28, 6, 5, 5, 1, 2),
            shape(2, 16, 7, 7, 8, 1, 1, 1, 0),
            odd,
            shape(2, 8, 10, 10, 8, 3, 3, 1, 1, 1, 8),
            shape(2, 64, 28, 28, 64, 3, 3)};
}

template <typename T>
void check_passes(const conv::Shape2d& p, memory_t memory) {
    SCOPED_TRACE(p.key() + " " + std::string(to_string(memory)) +
                 (std::is_same_v<T, double> ? " f64" : " f32"));
    const Tensor<T> x = test::random_tensor<T>({p.n, p.c, p.h, p.w}, 1);
    const Tensor<T> w = test::random_tensor<T>({p.k, p.c / p.groups, p.r, p.s}, 2);
    const Tensor<T> dy = test::random_tensor<T>({p.n, p.k, p.out_h(), p.out_w()}, 3);
    Tensor<T> y(dy.shape()), dx(x.shape()), dw(w.shape());
    conv::forward(conv::Algo::im2col, p, x, w, y);
    conv::backward_data(conv::Algo::im2col, p, dy, w, dx);
    conv::backward_weights(conv::Algo::im2col, p, x, dy, dw);

    const Tensor<T> xg = x.to(memory), wg = w.to(memory), dyg = dy.to(memory);
    Tensor<T> yg(y.shape(), memory), dxg(x.shape(), memory), dwg(w.shape(), memory);
    // twice: the first call searches, the second reuses the cached choice
    for (int round = 0; round < 2; ++round) {
        conv::forward(conv::Algo::automatic, p, xg, wg, yg);
        conv::backward_data(conv::Algo::automatic, p, dyg, wg, dxg);
        conv::backward_weights(conv::Algo::automatic, p, xg, dyg, dwg);
        EXPECT_LE(rel_error(yg, y), conv_bound<T>()) << "forward, round " << round;
        EXPECT_LE(rel_error(dxg, dx), conv_bound<T>()) << "backward-data, round " << round;
        EXPECT_LE(rel_error(dwg, dw), conv_bound<T>()) << "backward-filter, round " << round;
    }
}

// A graph on `memory`: node = f(vars), loss = sum(node .* r); returns the output and the
// gradients of the variables, on the host.
template <typename T, typename F>
std::vector<Tensor<T>> run_graph(F&& f, const std::vector<Tensor<T>>& values, memory_t memory,
                                 bool optimize, std::string* kind = nullptr) {
    std::vector<op::OpPtr<T>> vars;
    for (std::size_t i = 0; i < values.size(); ++i) {
        vars.push_back(op::var<T>("v" + std::to_string(i), values[i].to(memory, true)));
    }
    const op::OpPtr<T> node = f(vars);
    const Tensor<T> r = test::random_tensor<T>(node->shape(), 99);
    const op::OpPtr<T> loss = op::reduce_sum(op::product(node, op::var<T>("r", r.to(memory))));
    if (optimize) op::optimize(loss);
    loss->eval();
    op::backward(loss, vars);
    if (kind != nullptr) *kind = node->kind();
    std::vector<Tensor<T>> out{node->output().to(HOST, true)};
    for (const auto& v : vars) out.push_back(v->grad().to(HOST, true));
    return out;
}

}  // namespace

TEST(Conv2dCudnn, PassesMatchIm2colF32) {
    MAGMADNN_SKIP_WITHOUT_GPU();
    for (const conv::Shape2d& p : problems()) check_passes<float>(p, DEVICE);
    check_passes<float>(problems()[0], MANAGED);
    check_passes<float>(problems()[3], CUDA_MANAGED);
}

TEST(Conv2dCudnn, PassesMatchIm2colF64) {
    MAGMADNN_SKIP_WITHOUT_GPU();
    for (const conv::Shape2d& p : problems()) check_passes<double>(p, DEVICE);
    check_passes<double>(problems()[1], MANAGED);
}

TEST(Conv2dCudnn, NodeWithBiasMatchesHost) {
    MAGMADNN_SKIP_WITHOUT_GPU();
    const std::vector<Tensor<double>> in{test::random_tensor<double>({2, 4, 9, 8}, 4),
                                         test::random_tensor<double>({6, 2, 3, 3}, 5),
                                         test::random_tensor<double>({6}, 6)};
    // winograd2 does not apply to stride 2 / groups 2 on the host, and is ignored on the GPU
    const auto f = [](conv::Algo a) {
        return [a](const std::vector<op::OpPtr<double>>& v) {
            return op::conv2d(v[0], v[1], v[2], {2, 1}, {1, 1}, {1, 1}, 2, a);
        };
    };
    const auto host = run_graph<double>(f(conv::Algo::im2col), in, HOST, false);
    std::string kind;
    const auto gpu = run_graph<double>(f(conv::Algo::winograd2), in, DEVICE, false, &kind);
    EXPECT_EQ(kind, "conv2d:cudnn");
    const char* names[] = {"y", "dx", "dw", "db"};
    for (std::size_t i = 0; i < host.size(); ++i) {
        EXPECT_LE(rel_error(gpu[i], host[i]), 1e-12) << names[i];
    }
}

TEST(Conv2dCudnn, PoolingMatchesHost) {
    MAGMADNN_SKIP_WITHOUT_GPU();
    struct Case {
        op::Pair k, s, p;
        op::PoolMode mode;
    };
    const Case cases[] = {{{2, 2}, {2, 2}, {0, 0}, op::PoolMode::max},
                          {{3, 3}, {2, 2}, {1, 1}, op::PoolMode::max},
                          {{3, 2}, {1, 2}, {1, 1}, op::PoolMode::average},
                          {{2, 2}, {2, 2}, {0, 0}, op::PoolMode::average}};
    for (const Case& c : cases) {
        for (memory_t memory : {DEVICE, MANAGED}) {
            SCOPED_TRACE(std::string(c.mode == op::PoolMode::max ? "max " : "average ") +
                         std::to_string(c.k[0]) + "x" + std::to_string(c.k[1]) + " " +
                         std::string(to_string(memory)));
            const std::vector<Tensor<double>> in{test::random_tensor<double>({2, 3, 9, 10}, 7)};
            const auto f = [&](const std::vector<op::OpPtr<double>>& v) {
                return op::pooling2d(v[0], c.k, c.s, c.p, c.mode);
            };
            const auto host = run_graph<double>(f, in, HOST, false);
            const auto gpu = run_graph<double>(f, in, memory, false);
            EXPECT_LE(rel_error(gpu[0], host[0]), 1e-14) << "forward";
            EXPECT_LE(rel_error(gpu[1], host[1]), 1e-14) << "backward";
        }
    }
    // f32, LeNet's 2x2 windows (the host runs its AVX-512 kernel)
    const std::vector<Tensor<float>> in{test::random_tensor<float>({4, 6, 28, 28}, 8)};
    const auto f = [](const std::vector<op::OpPtr<float>>& v) {
        return op::pooling2d(v[0], {2, 2}, {2, 2}, {0, 0}, op::PoolMode::max);
    };
    const auto host = run_graph<float>(f, in, HOST, false);
    const auto gpu = run_graph<float>(f, in, DEVICE, false);
    EXPECT_EQ(gpu[0].to_vector(), host[0].to_vector());
    EXPECT_EQ(gpu[1].to_vector(), host[1].to_vector());
}

TEST(Conv2dCudnn, FusedReluMaxPoolMatchesHost) {
    MAGMADNN_SKIP_WITHOUT_GPU();
    // conv -> relu -> max pool: op::optimize moves the relu into the pooling node
    const std::vector<Tensor<double>> in{test::random_tensor<double>({2, 3, 10, 10}, 9),
                                         test::random_tensor<double>({4, 3, 3, 3}, 10),
                                         test::random_tensor<double>({4}, 11)};
    const auto f = [](const std::vector<op::OpPtr<double>>& v) {
        return op::pooling2d(op::relu(op::conv2d(v[0], v[1], v[2], {1, 1}, {1, 1})), {2, 2}, {2, 2},
                             {0, 0}, op::PoolMode::max);
    };
    std::string host_kind, gpu_kind;
    const auto host = run_graph<double>(f, in, HOST, true, &host_kind);
    const auto gpu = run_graph<double>(f, in, DEVICE, true, &gpu_kind);
    EXPECT_EQ(host_kind, "relu+maxpool2d");
    EXPECT_EQ(gpu_kind, "relu+maxpool2d");
    const char* names[] = {"y", "dx", "dw", "db"};
    for (std::size_t i = 0; i < host.size(); ++i) {
        EXPECT_LE(rel_error(gpu[i], host[i]), 1e-12) << names[i];
    }
    // some outputs were clipped, so the mask mattered
    const auto y = host[0].to_vector();
    EXPECT_GT(std::count(y.begin(), y.end(), 0.0), 0);
}

TEST(Conv2dCudnn, MixingHostAndDeviceIsAnError) {
    MAGMADNN_SKIP_WITHOUT_GPU();
    const conv::Shape2d p = shape(1, 2, 5, 5, 3, 3, 3);
    Tensor<float> x({1, 2, 5, 5}, DEVICE), w({3, 2, 3, 3}, HOST), y({1, 3, 5, 5}, DEVICE);
    EXPECT_THROW(conv::forward(conv::Algo::automatic, p, x, w, y), DeviceError);
}

TEST(Conv2dCudnn, LeNetStyleModelTrainsAsOnHost) {
    MAGMADNN_SKIP_WITHOUT_GPU();
    // per-layer CPU algorithm names must not matter on the GPU
    const char* arch = R"({
      "input_shape": [1, 12, 12],
      "layers": [
        {"type": "conv2d", "out_channels": 4, "kernel": 3, "padding": 1, "algo": "winograd2"},
        {"type": "activation", "activation": "relu"},
        {"type": "pooling2d", "kernel": 2, "mode": "max"},
        {"type": "conv2d", "out_channels": 6, "kernel": 3, "algo": "fft"},
        {"type": "activation", "activation": "relu"},
        {"type": "pooling2d", "kernel": 2, "mode": "average"},
        {"type": "flatten"},
        {"type": "fullyconnected", "units": 16},
        {"type": "activation", "activation": "relu"},
        {"type": "fullyconnected", "units": 3},
        {"type": "output"}
      ]
    })";
    const index_t batch = 16;
    Tensor<float> x = test::random_tensor<float>({batch, 1, 12, 12}, 12);
    Tensor<float> y({batch, 3});
    for (index_t i = 0; i < batch; ++i) y.set({i, i % 3}, 1.0f);
    model::FitOptions fo;
    fo.shuffle = false;
    fo.verbosity = model::Verbosity::silent;
    auto train = [&](memory_t memory) {
        set_seed(21);  // the same initial weights on both sides (Philox: same numbers)
        auto m = model::sequential<float>(arch, batch, optimizer::sgd(0.05, 0.9), memory);
        const model::History h = m.fit(x, y, 20, fo);  // one batch per epoch: 20 steps
        std::vector<double> losses;
        for (const auto& e : h.epochs) losses.push_back(e.loss);
        return std::make_pair(losses, m.layers()[1]->out()->kind());
    };
    const auto [host, host_kind] = train(HOST);
    const auto [gpu, gpu_kind] = train(DEVICE);
    EXPECT_EQ(gpu_kind, "conv2d:cudnn");
    EXPECT_EQ(host_kind, "conv2d:winograd2");
    ASSERT_EQ(host.size(), 20u);
    ASSERT_EQ(gpu.size(), 20u);
    for (std::size_t i = 0; i < host.size(); ++i) {
        EXPECT_NEAR(gpu[i], host[i], 1e-3 * std::max(1.0, std::fabs(host[i]))) << "step " << i;
    }
    EXPECT_LT(host.back(), host.front());  // it learned something
}

TEST(Conv2dCudnn, ErrorsNameTheOpAndShapes) {
    MAGMADNN_SKIP_WITHOUT_GPU();
    // a batch beyond cuDNN's int extents fails while the plan is built, before any tensor is read
    const conv::Shape2d p = shape(index_t(1) << 31, 1, 1, 1, 1, 1, 1, 1, 0);
    Tensor<float> x({1}, DEVICE), w({1}, DEVICE), y({1}, DEVICE);
    try {
        conv::forward(conv::Algo::automatic, p, x, w, y);
        ADD_FAILURE() << "no error";
    } catch (const UnsupportedError& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("cuDNN"), std::string::npos) << msg;
        EXPECT_NE(msg.find("input {2147483648, 1, 1, 1}"), std::string::npos) << msg;
    }
}
