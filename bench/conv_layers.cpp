// Per-layer convolution timings for VGG-16's 3x3 layer shapes: every algorithm against oneDNN's
// primitive, measured in the same run (forward pass, f32, best of a few repetitions), plus the
// error of each against direct convolution. PyTorch's figures for the same shapes come from
// bench/conv_layers_pytorch.py (bench/conv_layers.sh runs both).
//   bench_conv_layers [batch=1] [reps=3]
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
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

}  // namespace

int main(int argc, char** argv) {
    const index_t batch = argc > 1 ? std::stoll(argv[1]) : 1;
    const int reps = argc > 2 ? std::stoi(argv[2]) : 3;
    std::printf("threads %d, batch %lld, f32 forward, milliseconds (best of %d); error vs im2col\n",
                num_threads(), static_cast<long long>(batch), reps);
    std::printf(
        "| layer | direct | im2col | winograd2 | winograd4 | fft | onednn | im2col / "
        "winograd4 | err w2 | err w4 | err fft |\n");
    std::printf("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (auto [c, hw] :
         std::vector<std::pair<index_t, index_t>>{{64, 56}, {64, 112}, {128, 56}, {128, 112}}) {
        conv::Shape2d p;
        p.n = batch, p.c = c, p.h = hw, p.w = hw, p.k = c, p.r = 3, p.s = 3, p.pad_h = 1,
        p.pad_w = 1;
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
    return 0;
}
