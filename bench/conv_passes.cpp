// Per-pass convolution timings (forward, backward-data, backward-weights) of every applicable
// algorithm on the LeNet-5 layer shapes of a batch of 64, f32, milliseconds (best of `reps`).
// These are the passes a LeNet-5 training step runs; the selection in conv::choose measures the
// same three passes together.
//   bench_conv_passes [reps=20] [algorithms=direct,im2col,fft,onednn]
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "magmadnn.h"

using namespace magmadnn;

namespace {

double best_ms(const std::function<void()>& f, int reps) {
    f();  // warm-up: plans, primitives, buffers
    double best = 1e300;
    for (int i = 0; i < reps; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        f();
        best = std::min(
            best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    return 1e3 * best;
}

conv::Shape2d lenet(index_t c, index_t hw, index_t k, index_t pad) {
    conv::Shape2d p;
    p.n = 64, p.c = c, p.h = hw, p.w = hw, p.k = k, p.r = 5, p.s = 5, p.pad_h = pad, p.pad_w = pad;
    return p;
}

}  // namespace

int main(int argc, char** argv) {
    const int reps = argc > 1 ? std::stoi(argv[1]) : 20;
    std::vector<conv::Algo> algos;
    std::string list = argc > 2 ? argv[2] : "direct,im2col,fft,onednn";
    for (std::size_t b = 0, e = 0; b <= list.size(); b = e + 1) {
        e = std::min(list.find(',', b), list.size());
        algos.push_back(conv::algo_from_string(list.substr(b, e - b)));
    }
    std::printf("threads %d, f32, milliseconds (best of %d)\n", num_threads(), reps);
    std::printf("| layer | algorithm | forward | backward-data | backward-weights | sum |\n");
    std::printf("| --- | --- | ---: | ---: | ---: | ---: |\n");
    const std::vector<std::pair<std::string, conv::Shape2d>> layers{
        {"conv1 1->6 28x28 5x5 pad 2", lenet(1, 28, 6, 2)},
        {"conv2 6->16 14x14 5x5", lenet(6, 14, 16, 0)}};
    for (const auto& [name, p] : layers) {
        Tensor<float> x({p.n * p.c * p.h * p.w}, {UNIFORM, {-1.0, 1.0}});
        Tensor<float> w({p.k * p.c * p.r * p.s}, {UNIFORM, {-0.1, 0.1}});
        Tensor<float> y({p.n * p.k * p.out_h() * p.out_w()}, {UNIFORM, {-1.0, 1.0}});
        Tensor<float> dx({x.size()}), dw({w.size()}), cols;
        for (conv::Algo a : algos) {
            if (!conv::applicable(a, p, false)) continue;
            const double f = best_ms([&] { conv::forward(a, p, x, w, y, &cols); }, reps);
            const double bd = best_ms([&] { conv::backward_data(a, p, y, w, dx); }, reps);
            const double bw = best_ms([&] { conv::backward_weights(a, p, x, y, dw, &cols); }, reps);
            std::printf("| %s | %s | %.3f | %.3f | %.3f | %.3f |\n", name.c_str(),
                        conv::to_string(a), f, bd, bw, f + bd + bw);
        }
    }
    return 0;
}
