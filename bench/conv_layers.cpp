// Per-layer convolution timings for VGG-16's 3x3 layer shapes: every algorithm against oneDNN's
// primitive, measured in the same run (forward pass, f32, best of a few repetitions), plus the
// error of each against direct convolution. PyTorch's figures for the same shapes come from
// bench/conv_layers_pytorch.py (bench/conv_layers.sh runs both).
// With --device cuda: cuDNN's forward, backward-data and backward-filter on the same shapes (f32,
// DEVICE tensors, algorithms chosen by cuDNN's timed search on the warm-up call), and the
// forward's error against im2col on the host. Without a GPU it says so and exits 0.
// On the CPU a second table times large filters (7x7 and 11x11, same padding): im2col, FFT and
// oneDNN's primitive, the case FFT convolutions are for, forward with fixed weights and a whole
// training step with new weights each step.
// With --weights (CPU): a further table, backward-weights of im2col, winograd2, winograd4 and
// onednn, with the Winograd errors against im2col.
//   bench_conv_layers [batch=1] [reps=3] [--device cpu|cuda] [--weights]
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "magmadnn.h"

using namespace magmadnn;

namespace {

double seconds(conv::Algo a, const conv::Shape2d& p, const Tensor<float>& x, const Tensor<float>& w,
               Tensor<float>& y, int reps) {
    conv::forward(a, p, x, w, y);  // warm-up (plans, primitives)
    double best = 1e300;
    for (int i = 0; i < reps; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        conv::forward(a, p, x, w, y);
        best = std::min(
            best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    return best;
}

// Best time of backward-weights, after a warm-up call.
double weights_seconds(conv::Algo a, const conv::Shape2d& p, const Tensor<float>& x,
                       const Tensor<float>& dy, Tensor<float>& dw, int reps) {
    conv::backward_weights(a, p, x, dy, dw);
    double best = 1e300;
    for (int i = 0; i < reps; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        conv::backward_weights(a, p, x, dy, dw);
        best = std::min(
            best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    return best;
}

double rel_error(const Tensor<float>& y, const Tensor<float>& ref) {
    double e = 0, m = 0;
    const float* a = y.cdata();
    const float* b = ref.cdata();
    for (index_t i = 0; i < y.size(); ++i) {
        e = std::max(e, double(std::fabs(a[i] - b[i])));
        m = std::max(m, double(std::fabs(b[i])));
    }
    return e / m;
}

// The shapes of the table: {channels, height = width}, 3x3, padding 1, as many out as in.
const std::vector<std::pair<index_t, index_t>> kLayers{{64, 56}, {64, 112}, {128, 56}, {128, 112}};

conv::Shape2d layer_shape(index_t batch, index_t c, index_t hw) {
    conv::Shape2d p;
    p.n = batch, p.c = c, p.h = hw, p.w = hw, p.k = c, p.r = 3, p.s = 3, p.pad_h = 1, p.pad_w = 1;
    return p;
}

// Mean milliseconds per call of `pass` on the GPU over `reps` calls, after one warm-up call
// (which runs cuDNN's algorithm search); the device is drained before and after.
template <typename F>
double gpu_ms(F&& pass, int reps) {
    pass();
    device_synchronize();
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < reps; ++i) pass();
    device_synchronize();
    return 1e3 * std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() /
           reps;
}

int run_gpu(index_t batch, int reps) {
    if (!cuda_compiled()) {
        std::printf(
            "bench_conv_layers --device cuda: this build has no CUDA support "
            "(MAGMADNN_CUDA=OFF); nothing to measure\n");
        return 0;
    }
    if (!has_device()) {
        std::printf(
            "bench_conv_layers --device cuda: no CUDA device present on this machine; "
            "nothing to measure\n");
        return 0;
    }
    std::printf(
        "%s, CUDA %s, cuDNN %s, batch %lld, f32 (FMA math), milliseconds (mean of %d "
        "after a warm-up); error: forward vs im2col on the host\n",
        gpus().front().name.c_str(), cuda_runtime_version().c_str(), cudnn_version().c_str(),
        static_cast<long long>(batch), reps);
    std::printf(
        "| layer | forward | backward-data | backward-filter | step | forward TFLOP/s | "
        "err fwd |\n");
    std::printf("| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (auto [c, hw] : kLayers) {
        const conv::Shape2d p = layer_shape(batch, c, hw);
        const Tensor<float> xh({p.n, p.c, p.h, p.w}, {UNIFORM, {-1.0, 1.0}});
        const Tensor<float> wh({p.k, p.c, 3, 3}, {UNIFORM, {-0.1, 0.1}});
        const Tensor<float> x = xh.to(DEVICE), w = wh.to(DEVICE);
        const Tensor<float> dy({p.n, p.k, hw, hw}, {UNIFORM, {-1.0, 1.0}}, DEVICE);
        Tensor<float> y({p.n, p.k, hw, hw}, DEVICE), dx(x.shape(), DEVICE), dw(w.shape(), DEVICE);
        const conv::Algo a = conv::Algo::cudnn;
        const double f = gpu_ms([&] { conv::forward(a, p, x, w, y); }, reps);
        const double bd = gpu_ms([&] { conv::backward_data(a, p, dy, w, dx); }, reps);
        const double bw = gpu_ms([&] { conv::backward_weights(a, p, x, dy, dw); }, reps);
        conv::forward(a, p, x, w, y);
        Tensor<float> ref({p.n, p.k, hw, hw});
        conv::forward(conv::Algo::im2col, p, xh, wh, ref);
        std::printf("| %lld->%lld %lldx%lld | %.3f | %.3f | %.3f | %.3f | %.1f | %.0e |\n",
                    static_cast<long long>(c), static_cast<long long>(c),
                    static_cast<long long>(hw), static_cast<long long>(hw), f, bd, bw, f + bd + bw,
                    2 * p.macs() / (f * 1e-3) / 1e12, rel_error(y.to(HOST), ref));
    }
    return 0;
}

void run_weights(index_t batch, int reps) {
    std::printf(
        "\nthreads %d, batch %lld, f32 backward-weights, milliseconds (best of %d); error "
        "vs im2col\n",
        num_threads(), static_cast<long long>(batch), reps);
    std::printf(
        "| layer | im2col | winograd2 | winograd4 | onednn | im2col / winograd4 | err w2 | "
        "err w4 |\n");
    std::printf("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (auto [c, hw] : kLayers) {
        const conv::Shape2d p = layer_shape(batch, c, hw);
        Tensor<float> x({p.n, p.c, p.h, p.w}, {UNIFORM, {-1.0, 1.0}});
        Tensor<float> dy({p.n, p.k, hw, hw}, {UNIFORM, {-1.0, 1.0}});
        Tensor<float> ref({p.k, p.c, 3, 3}), dw({p.k, p.c, 3, 3});
        std::vector<double> ms, err;
        for (conv::Algo a : {conv::Algo::im2col, conv::Algo::winograd2, conv::Algo::winograd4,
                             conv::Algo::onednn}) {
            ms.push_back(1e3 *
                         weights_seconds(a, p, x, dy, a == conv::Algo::im2col ? ref : dw, reps));
            if (a == conv::Algo::winograd2 || a == conv::Algo::winograd4) {
                err.push_back(rel_error(dw, ref));
            }
        }
        std::printf("| %lld->%lld %lldx%lld | %.2f | %.2f | %.2f | %.2f | %.2f | %.0e | %.0e |\n",
                    static_cast<long long>(c), static_cast<long long>(c),
                    static_cast<long long>(hw), static_cast<long long>(hw), ms[0], ms[1], ms[2],
                    ms[3], ms[0] / ms[2], err[0], err[1]);
    }
}

// Large filters (same padding), where FFT convolutions are meant to win: {in = out channels,
// height = width, kernel}.
struct LargeLayer {
    index_t c, hw, kernel;
};
const std::vector<LargeLayer> kLargeLayers{{16, 56, 7}, {32, 28, 7},  {64, 28, 7},
                                           {32, 56, 5}, {16, 56, 11}, {32, 28, 11}};

// Best time of a training step (forward, backward-data, backward-weights) with the weights
// changed before each step, as an optimizer does (so no algorithm reuses a transformed filter).
double step_seconds(conv::Algo a, const conv::Shape2d& p, const Tensor<float>& x, Tensor<float>& w,
                    Tensor<float>& y, int reps) {
    Tensor<float> dx(x.shape()), dw(w.shape());
    auto step = [&] {
        w.data()[0] += 1e-3f;
        conv::forward(a, p, x, w, y);
        conv::backward_data(a, p, y, w, dx);
        conv::backward_weights(a, p, x, y, dw);
    };
    step();  // warm-up
    double best = 1e300;
    for (int i = 0; i < reps; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        step();
        best = std::min(
            best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    return best;
}

void run_large(index_t batch, int reps) {
    std::printf(
        "\nthreads %d, batch %lld, f32, large filters, milliseconds (best of %d): forward with the "
        "same weights (inference), and a training step (3 passes, new weights each step); error "
        "of the FFT forward vs im2col\n",
        num_threads(), static_cast<long long>(batch), reps);
    std::printf(
        "| layer | fwd im2col | fwd fft | fwd onednn | fft / im2col | step im2col | step fft | "
        "step onednn | fft / im2col | err fft |\n");
    std::printf("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (const LargeLayer& l : kLargeLayers) {
        conv::Shape2d p = layer_shape(batch, l.c, l.hw);
        p.r = p.s = l.kernel;
        p.pad_h = p.pad_w = l.kernel / 2;
        Tensor<float> x({p.n, p.c, p.h, p.w}, {UNIFORM, {-1.0, 1.0}});
        Tensor<float> w({p.k, p.c, p.r, p.s}, {UNIFORM, {-0.1, 0.1}});
        Tensor<float> ref({p.n, p.k, l.hw, l.hw}), y({p.n, p.k, l.hw, l.hw});
        const double im2col = 1e3 * seconds(conv::Algo::im2col, p, x, w, ref, reps);
        const double fft = 1e3 * seconds(conv::Algo::fft, p, x, w, y, reps);
        const double err = rel_error(y, ref);
        const double onednn = 1e3 * seconds(conv::Algo::onednn, p, x, w, y, reps);
        const double s_im2col = 1e3 * step_seconds(conv::Algo::im2col, p, x, w, y, reps);
        const double s_fft = 1e3 * step_seconds(conv::Algo::fft, p, x, w, y, reps);
        const double s_onednn = 1e3 * step_seconds(conv::Algo::onednn, p, x, w, y, reps);
        std::printf(
            "| %lld->%lld %lldx%lld %lldx%lld | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | "
            "%.2f | %.0e |\n",
            static_cast<long long>(l.c), static_cast<long long>(l.c), static_cast<long long>(l.hw),
            static_cast<long long>(l.hw), static_cast<long long>(l.kernel),
            static_cast<long long>(l.kernel), im2col, fft, onednn, fft / im2col, s_im2col, s_fft,
            s_onednn, s_fft / s_im2col, err);
    }
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> positional;
    std::string device = "cpu";
    bool weights = false;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--device") == 0 && i + 1 < argc) {
            device = argv[++i];
        } else if (std::strcmp(argv[i], "--weights") == 0) {
            weights = true;
        } else {
            positional.emplace_back(argv[i]);
        }
    }
    const index_t batch = positional.size() > 0 ? std::stoll(positional[0]) : 1;
    const int reps = positional.size() > 1 ? std::stoi(positional[1]) : 3;
    if (device == "cuda") return run_gpu(batch, reps);
    if (device != "cpu") {
        std::fprintf(stderr, "bench_conv_layers: --device %s: expected cpu or cuda\n",
                     device.c_str());
        return 2;
    }
    std::printf("threads %d, batch %lld, f32 forward, milliseconds (best of %d); error vs im2col\n",
                num_threads(), static_cast<long long>(batch), reps);
    std::printf(
        "| layer | direct | im2col | winograd2 | winograd4 | fft | onednn | im2col / "
        "winograd4 | err w2 | err w4 | err fft |\n");
    std::printf("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (auto [c, hw] : kLayers) {
        const conv::Shape2d p = layer_shape(batch, c, hw);
        Tensor<float> x({p.n, p.c, p.h, p.w}, {UNIFORM, {-1.0, 1.0}});
        Tensor<float> w({p.k, p.c, 3, 3}, {UNIFORM, {-0.1, 0.1}});
        Tensor<float> ref({p.n, p.k, hw, hw}), y({p.n, p.k, hw, hw});
        std::vector<double> ms;
        std::vector<double> err;
        for (conv::Algo a : {conv::Algo::direct, conv::Algo::im2col, conv::Algo::winograd2,
                             conv::Algo::winograd4, conv::Algo::fft, conv::Algo::onednn}) {
            const int r = a == conv::Algo::direct ? 1 : reps;
            ms.push_back(1e3 * seconds(a, p, x, w, a == conv::Algo::im2col ? ref : y, r));
            if (a == conv::Algo::winograd2 || a == conv::Algo::winograd4 || a == conv::Algo::fft) {
                err.push_back(rel_error(y, ref));
            }
        }
        std::printf(
            "| %lld->%lld %lldx%lld | %.1f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | "
            "%.0e | %.0e | %.0e |\n",
            static_cast<long long>(c), static_cast<long long>(c), static_cast<long long>(hw),
            static_cast<long long>(hw), ms[0], ms[1], ms[2], ms[3], ms[4], ms[5], ms[1] / ms[3],
            err[0], err[1], err[2]);
    }
    run_large(batch, reps);
    if (weights) run_weights(batch, reps);
    return 0;
}
