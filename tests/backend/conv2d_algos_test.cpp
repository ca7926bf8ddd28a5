// Every convolution algorithm against direct convolution on random inputs in [-1, 1], with the
// bound conv::error_bound states (max |y - y_direct| / max |y_direct|), for the three passes;
// and the measured choice's cache (memory, disk, environment override).
//
// Measured here (f64, 16 -> 24 channels, 3x3, 13x11 planes, pad 0..2): im2col <= 1e-15,
// Winograd F(2x2,3x3) <= 9e-16, F(4x4,3x3) 4e-15..7e-15 (its transform constants, up to 8 and
// 1/24, lose about one more decimal digit than F(2x2)), fft <= 1e-15. In f32: F(2x2) 5e-7,
// F(4x4) 3e-6 (the same digit), im2col / onednn / fft ~5e-7.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "data/temp_dir.h"
#include "magmadnn.h"
#include "test_util.h"

using namespace magmadnn;

namespace {

template <typename T>
void check_all_passes(conv::Algo a, const conv::Shape2d& p) {
    const bool dbl = std::is_same_v<T, double>;
    const double bound = conv::error_bound(a, dbl);
    auto x = test::random_tensor<T>({p.n, p.c, p.h, p.w}, 1);
    auto w = test::random_tensor<T>({p.k, p.c / p.groups, p.r, p.s}, 2);
    auto dy = test::random_tensor<T>({p.n, p.k, p.out_h(), p.out_w()}, 3);
    Tensor<T> y(dy.shape()), y_ref(dy.shape()), dx(x.shape()), dx_ref(x.shape());
    Tensor<T> dw(w.shape()), dw_ref(w.shape());
    conv::forward(conv::Algo::direct, p, x, w, y_ref);
    conv::backward_data(conv::Algo::direct, p, dy, w, dx_ref);
    conv::backward_weights(conv::Algo::direct, p, x, dy, dw_ref);
    conv::forward(a, p, x, w, y);
    conv::backward_data(a, p, dy, w, dx);
    conv::backward_weights(a, p, x, dy, dw);
    const double ef = test::rel_error(y, y_ref), ed = test::rel_error(dx, dx_ref),
                 ew = test::rel_error(dw, dw_ref);
    EXPECT_LE(ef, bound) << conv::to_string(a) << " forward " << p.key();
    EXPECT_LE(ed, bound) << conv::to_string(a) << " backward-data " << p.key();
    EXPECT_LE(ew, bound) << conv::to_string(a) << " backward-weights " << p.key();
    std::printf(
        "%-9s %s %s: forward %.1e  backward-data %.1e  backward-weights %.1e (bound %.0e)\n",
        conv::to_string(a), dbl ? "f64" : "f32", p.key().c_str(), ef, ed, ew, bound);
}

conv::Shape2d shape3x3(index_t pad) {
    conv::Shape2d p;
    p.n = 2, p.c = 16, p.h = 13, p.w = 11, p.k = 24, p.r = 3, p.s = 3, p.pad_h = pad, p.pad_w = pad;
    return p;
}

}  // namespace

TEST(ConvAlgos, EveryAlgorithmMatchesDirectF64) {
    for (conv::Algo a :
         {conv::Algo::im2col, conv::Algo::winograd2, conv::Algo::winograd4, conv::Algo::fft}) {
        for (index_t pad : {0, 1, 2}) check_all_passes<double>(a, shape3x3(pad));
    }
    conv::Shape2d big = shape3x3(3);  // 7x7 filter (FFT's case), winograd not applicable
    big.r = big.s = 7;
    check_all_passes<double>(conv::Algo::im2col, big);
    check_all_passes<double>(conv::Algo::fft, big);
    conv::Shape2d odd = shape3x3(1);  // strides, dilation and groups: direct vs im2col
    odd.stride_h = 2, odd.dil_w = 2, odd.groups = 4, odd.r = 2;
    check_all_passes<double>(conv::Algo::im2col, odd);
    odd.n = 1;  // fewer images than threads: the threaded-GEMM path
    check_all_passes<double>(conv::Algo::im2col, odd);
}

TEST(ConvAlgos, EveryAlgorithmMatchesDirectF32) {
    for (conv::Algo a : {conv::Algo::im2col, conv::Algo::winograd2, conv::Algo::winograd4,
                         conv::Algo::fft, conv::Algo::onednn}) {
        check_all_passes<float>(a, shape3x3(1));
    }
    conv::Shape2d odd = shape3x3(1);
    odd.stride_w = 2, odd.dil_h = 2, odd.groups = 2;
    check_all_passes<float>(conv::Algo::onednn, odd);
    check_all_passes<float>(conv::Algo::im2col, odd);
    // f32 im2col at unit stride has its own vectorised col2im: rows wider than one vector,
    // 5x5 filters with padding (LeNet's), dilation in both directions, groups
    conv::Shape2d wide = shape3x3(2);
    wide.w = 37, wide.r = wide.s = 5;
    check_all_passes<float>(conv::Algo::im2col, wide);
    wide.dil_h = 2, wide.dil_w = 3, wide.groups = 4, wide.pad_w = 4;
    check_all_passes<float>(conv::Algo::im2col, wide);
}

// With AVX-512 the f32 Winograd transforms work on 16 consecutive tiles of a tile row (16 m input
// columns), and every thread cuts its tile rows into chunks: rows that end in a partial vector or
// span several, planes smaller than one tile row of a vector, odd sizes, paddings 0-3 (3: the
// forward pass only, backward-data falls back to im2col), channel counts off the vector width,
// batches whose chunks straddle images, and (6 images, 24 channels, 48x48) several chunks per
// thread. The small shapes also run in f64 (the per-tile transforms).
TEST(ConvAlgos, WinogradRaggedShapesMatchDirect) {
    struct Case {
        index_t n, c, k, h, w;
    };
    for (const Case s :
         {Case{1, 3, 5, 3, 3}, Case{3, 5, 7, 6, 9}, Case{2, 7, 9, 19, 70}, Case{1, 16, 17, 9, 133},
          Case{3, 17, 16, 11, 64}, Case{2, 24, 8, 21, 34}}) {
        for (index_t pad : {0, 1, 2, 3}) {
            conv::Shape2d p = shape3x3(pad);
            p.n = s.n, p.c = s.c, p.k = s.k, p.h = s.h, p.w = s.w;
            for (conv::Algo a : {conv::Algo::winograd2, conv::Algo::winograd4}) {
                check_all_passes<float>(a, p);
                check_all_passes<double>(a, p);
            }
        }
    }
    conv::Shape2d big = shape3x3(1);
    big.n = 6, big.c = big.k = 24, big.h = big.w = 48;
    for (conv::Algo a : {conv::Algo::winograd2, conv::Algo::winograd4}) {
        check_all_passes<float>(a, big);
    }
}

// Winograd backward-weights (G^T (sum over tiles of (A dY A^T) . (B^T d B)) G) on the same ragged
// shapes, against direct convolution evaluated in f64 on the same inputs: f64 with the bound
// error_bound(algo, true) (1e-13 for winograd2, 1e-12 for winograd4), f32 with error_bound(algo,
// false) (1e-5, 1e-4), so that the f32 figure is Winograd's own error, not the f32 reference's
// (direct sums up to n * oh * ow products per weight in f32; on 6 x 48 x 48 it is off by 4e-6
// itself). Measured: f64 <= 7e-15 (F(2x2)) and <= 1e-14 (F(4x4)), growing with the number of
// tiles summed; f32 <= 9e-7 and <= 7e-6. The result also differs from im2col's in the last bits,
// so the Winograd path ran (not the im2col fallback).
TEST(ConvAlgos, WinogradBackwardWeightsMatchesDirect) {
    struct Case {
        index_t n, c, k, h, w, pad;
    };
    for (const Case s : {Case{1, 3, 5, 3, 3, 0}, Case{3, 5, 7, 6, 9, 1}, Case{2, 7, 9, 19, 70, 2},
                         Case{1, 16, 17, 9, 133, 3}, Case{3, 17, 16, 11, 64, 1},
                         Case{2, 24, 8, 21, 34, 0}, Case{6, 24, 24, 48, 48, 1}}) {
        conv::Shape2d p = shape3x3(s.pad);
        p.n = s.n, p.c = s.c, p.k = s.k, p.h = s.h, p.w = s.w;
        const auto x = test::random_tensor<double>({p.n, p.c, p.h, p.w}, 11);
        const auto dy = test::random_tensor<double>({p.n, p.k, p.out_h(), p.out_w()}, 12);
        Tensor<double> ref({p.k, p.c, 3, 3}), dw_im2col(ref.shape());
        conv::backward_weights(conv::Algo::direct, p, x, dy, ref);
        conv::backward_weights(conv::Algo::im2col, p, x, dy, dw_im2col);
        Tensor<float> xf(x.shape()), dyf(dy.shape());
        for (index_t i = 0; i < x.size(); ++i) xf.data()[i] = float(x.cdata()[i]);
        for (index_t i = 0; i < dy.size(); ++i) dyf.data()[i] = float(dy.cdata()[i]);
        Tensor<double> ref32(ref.shape());  // direct in f64 on the f32-rounded inputs
        {
            Tensor<double> xd(x.shape()), dyd(dy.shape());
            for (index_t i = 0; i < x.size(); ++i) xd.data()[i] = double(xf.cdata()[i]);
            for (index_t i = 0; i < dy.size(); ++i) dyd.data()[i] = double(dyf.cdata()[i]);
            conv::backward_weights(conv::Algo::direct, p, xd, dyd, ref32);
        }
        for (conv::Algo a : {conv::Algo::winograd2, conv::Algo::winograd4}) {
            Tensor<double> dw(ref.shape());
            conv::backward_weights(a, p, x, dy, dw);
            const double e64 = test::rel_error(dw, ref);
            EXPECT_LE(e64, conv::error_bound(a, true)) << conv::to_string(a) << " " << p.key();
            EXPECT_GT(test::rel_error(dw, dw_im2col), 0.0) << conv::to_string(a) << " " << p.key();
            Tensor<float> dwf(ref.shape());
            conv::backward_weights(a, p, xf, dyf, dwf);
            Tensor<double> dwd(ref.shape());
            for (index_t i = 0; i < dwf.size(); ++i) dwd.data()[i] = double(dwf.cdata()[i]);
            const double e32 = test::rel_error(dwd, ref32);
            EXPECT_LE(e32, conv::error_bound(a, false)) << conv::to_string(a) << " " << p.key();
            std::printf("%-9s backward-weights %s: f64 %.1e (bound %.0e)  f32 %.1e (bound %.0e)\n",
                        conv::to_string(a), p.key().c_str(), e64, conv::error_bound(a, true), e32,
                        conv::error_bound(a, false));
        }
    }
}

// FFT by overlap-save windows: shapes whose planes take several windows each way with a ragged
// last tile, filters that are not square (5x3, 1x7, 7x1, 1x1), unequal paddings, batches whose
// tiles fill more than one chunk of spectra, and a filter larger than most windows. Backward-data
// adds overlapping windows in four colours; these shapes have neighbours in both directions.
TEST(ConvAlgos, FftTiledShapesMatchDirect) {
    struct Case {
        index_t n, c, k, h, w, r, s, pad_h, pad_w;
    };
    int tiled = 0;
    for (const Case& s : {Case{3, 5, 7, 29, 23, 5, 3, 2, 1}, Case{10, 32, 32, 32, 32, 3, 3, 1, 1},
                          Case{2, 24, 40, 45, 17, 1, 7, 0, 3}, Case{1, 48, 16, 19, 61, 7, 1, 3, 0},
                          Case{2, 8, 8, 40, 40, 1, 1, 0, 0}, Case{1, 64, 64, 40, 33, 3, 3, 0, 1},
                          Case{2, 3, 4, 30, 30, 11, 11, 5, 5}}) {
        conv::Shape2d p;
        p.n = s.n, p.c = s.c, p.k = s.k, p.h = s.h, p.w = s.w, p.r = s.r, p.s = s.s;
        p.pad_h = s.pad_h, p.pad_w = s.pad_w;
        const auto window = conv::fft_window(p);
        if (window[0] < p.h + 2 * p.pad_h && window[1] < p.w + 2 * p.pad_w) ++tiled;
        std::printf("fft window %lldx%lld for %s\n", static_cast<long long>(window[0]),
                    static_cast<long long>(window[1]), p.key().c_str());
        check_all_passes<double>(conv::Algo::fft, p);
        check_all_passes<float>(conv::Algo::fft, p);
    }
    EXPECT_GE(tiled, 3) << "too few shapes cut into several windows each way";
}

TEST(ConvAlgos, FftWindowOfAMalformedProblemIsAShapeError) {
    conv::Shape2d p = shape3x3(0);
    p.r = p.h + 1;  // a filter taller than the (unpadded) input
    EXPECT_THROW(conv::fft_window(p), ShapeError);
}

// The FFT algorithm keeps the last filters' transforms while the weights are bitwise the same:
// a changed weight, or the same values under another shape, must not reuse them.
TEST(ConvAlgos, FftFilterCacheFollowsTheWeights) {
    conv::Shape2d p = shape3x3(1);
    p.r = p.s = 5;
    p.pad_h = p.pad_w = 2;
    auto x = test::random_tensor<double>({p.n, p.c, p.h, p.w}, 21);
    auto w = test::random_tensor<double>({p.k, p.c, p.r, p.s}, 22);
    Tensor<double> y({p.n, p.k, p.out_h(), p.out_w()}), ref(y.shape());
    for (int step = 0; step < 3; ++step) {
        conv::forward(conv::Algo::fft, p, x, w, y);
        conv::forward(conv::Algo::direct, p, x, w, ref);
        EXPECT_LE(test::rel_error(y, ref), conv::error_bound(conv::Algo::fft, true)) << step;
        w.data()[step * 7] += 0.5;  // one weight changes between steps
    }
    conv::Shape2d q = p;  // the same values as k = c, c = k
    std::swap(q.c, q.k);
    auto xq = test::random_tensor<double>({q.n, q.c, q.h, q.w}, 23);
    Tensor<double> yq({q.n, q.k, q.out_h(), q.out_w()}), refq(yq.shape());
    w = w.reshape({q.k, q.c, q.r, q.s});
    conv::forward(conv::Algo::fft, q, xq, w, yq);
    conv::forward(conv::Algo::direct, q, xq, w, refq);
    EXPECT_LE(test::rel_error(yq, refq), conv::error_bound(conv::Algo::fft, true));
}

TEST(ConvAlgos, InapplicableAlgorithmIsAValueError) {
    conv::Shape2d p = shape3x3(1);
    p.stride_h = 2;
    Tensor<float> x({p.n, p.c, p.h, p.w}), w({p.k, p.c, 3, 3}), y({p.n, p.k, p.out_h(), p.out_w()});
    EXPECT_THROW(conv::forward(conv::Algo::winograd2, p, x, w, y), ValueError);
    EXPECT_THROW(conv::algo_from_string("magic"), ValueError);
}

TEST(ConvAlgos, ChoiceIsCachedOnDiskAndOverridable) {
    const test::TempDir temp;  // unique: concurrent test runs must not share the cache
    const std::filesystem::path dir = temp.path();
    setenv("XDG_CACHE_HOME", dir.c_str(), 1);
    unsetenv("MAGMADNN_CONV_ALGO");
    conv::clear_memory_cache();
    EXPECT_EQ(conv::cache_path(), (dir / "magmadnn" / "conv_algos.json").string());
    conv::Shape2d p = shape3x3(1);
    const conv::Algo a = conv::choose<float>(p);
    EXPECT_NE(a, conv::Algo::automatic);
    ASSERT_TRUE(std::filesystem::exists(conv::cache_path()));
    std::ifstream in(conv::cache_path());
    const auto j = nlohmann::json::parse(in);
    ASSERT_EQ(j.at("algorithms").size(), 1u);
    EXPECT_EQ(j.at("algorithms").begin()->get<std::string>(), conv::to_string(a));

    // a planted entry on disk is used as is (no measurement)
    nlohmann::json planted = j;
    const std::string key = j.at("algorithms").begin().key();
    planted["algorithms"][key] = "direct";
    std::ofstream(conv::cache_path()) << planted.dump();
    conv::clear_memory_cache();
    EXPECT_EQ(conv::choose<float>(p), conv::Algo::direct);

    // the environment wins; an algorithm that does not apply falls back to im2col
    setenv("MAGMADNN_CONV_ALGO", "winograd4", 1);
    EXPECT_EQ(conv::choose<float>(p), conv::Algo::winograd4);
    p.r = p.s = 5;
    EXPECT_EQ(conv::choose<float>(p), conv::Algo::im2col);
    unsetenv("MAGMADNN_CONV_ALGO");
    unsetenv("XDG_CACHE_HOME");
    conv::clear_memory_cache();
}
