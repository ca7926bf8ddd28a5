#pragma once
// Convolutional network ops (NCHW) and the convolution algorithms behind them.
//
//     auto y = op::conv2d(x, w, b, {1, 1}, {2, 2});        // x {n, c, h, w}, w {k, c/g, r, s}
//     auto p = op::pooling2d(y, {2, 2}, {2, 2}, {0, 0}, op::PoolMode::max);
//     auto g = op::global_avg_pool(p);                     // {n, c}
//     auto z = op::batchnorm(x, gamma, beta, mean, var);   // running stats updated in training
//
// Convolution has several algorithms (conv::Algo). Which one runs is chosen per (shape, dtype,
// device) by a quick timed trial of the applicable ones, cached in memory and on disk
// ($XDG_CACHE_HOME/magmadnn/conv_algos.json, else ~/.cache/magmadnn/conv_algos.json); the
// environment variable MAGMADNN_CONV_ALGO=direct|im2col|winograd2|winograd4|fft|onednn or a
// per-op `algo` overrides the choice. See docs/CONV.md.
//
// Tensors in GPU memory (DEVICE, MANAGED, CUDA_MANAGED) run cuDNN in CUDA builds, with the
// algorithm of each pass chosen by cuDNN's own timed search (cached per shape, dtype and device
// for the process). The CPU algorithm names (environment, per layer, per op) apply to HOST
// tensors only and are ignored on the GPU, so one model description runs on either.

#include <array>
#include <map>
#include <string>

#include "magmadnn/op/operation.h"

namespace magmadnn::conv {

// `cudnn` is what a conv2d node on the GPU reports; named for HOST tensors it means `automatic`.
enum class Algo { automatic, direct, im2col, winograd2, winograd4, fft, onednn, cudnn };

const char* to_string(Algo a);
// "direct", "im2col", "winograd2", "winograd4", "fft", "onednn", "cudnn" or "auto"; ValueError
// otherwise.
Algo algo_from_string(const std::string& name);

// One 2-D convolution problem: input {n, c, h, w}, filter {k, c / groups, r, s}.
struct Shape2d {
    index_t n = 1, c = 1, h = 1, w = 1;
    index_t k = 1, r = 1, s = 1;
    index_t stride_h = 1, stride_w = 1;
    index_t pad_h = 0, pad_w = 0;
    index_t dil_h = 1, dil_w = 1;
    index_t groups = 1;

    index_t out_h() const { return (h + 2 * pad_h - dil_h * (r - 1) - 1) / stride_h + 1; }
    index_t out_w() const { return (w + 2 * pad_w - dil_w * (s - 1) - 1) / stride_w + 1; }
    // Multiply-adds of one forward pass.
    double macs() const;
    // A printable key: n,c,h,w,k,r,s,stride,pad,dilation,groups.
    std::string key() const;
    // Throws ShapeError naming `who` when the problem is malformed (channel mismatch, groups not
    // dividing the channels, kernel larger than the padded input, non-positive extents).
    void validate(const std::string& who) const;
};

// Whether `a` computes the forward pass of this problem itself on the host (Winograd: 3x3,
// stride 1, dilation 1, one group; FFT: stride 1, dilation 1, one group; oneDNN: f32 only;
// cudnn: never, it is not a host algorithm).
bool applicable(Algo a, const Shape2d& p, bool is_double);

// The FFT algorithm's window (transform) size {rows, columns} for this problem: the padded input
// is cut into windows of this size stepping by the window minus the filter plus one.
std::array<index_t, 2> fft_window(const Shape2d& p);

// The relative error bound (max |y - y_direct| / max |y_direct|) an algorithm must meet against
// direct convolution on random inputs, for f32 or f64 (cudnn: against im2col on the host).
double error_bound(Algo a, bool is_double);

// The three passes. Outputs are overwritten. On HOST tensors `a` names the algorithm
// (automatic / cudnn: conv::choose). An algorithm that lacks a pass runs a stated fallback:
// Winograd backward-data is Winograd on the rotated filter when pad <= 2, else im2col. FFT has
// all three passes.
// `workspace` (optional, im2col only): forward keeps the unrolled input there (resized as needed,
// skipped above 64 Mi elements) and backward_weights reuses it; pass the same x to both.
// Tensors all in GPU memory run cuDNN whatever `a` names (and ignore `workspace`); mixing HOST
// and GPU tensors is a DeviceError, as is GPU memory in a build without cuDNN.
template <typename T>
void forward(Algo a, const Shape2d& p, const Tensor<T>& x, const Tensor<T>& w, Tensor<T>& y,
             Tensor<T>* workspace = nullptr);
template <typename T>
void backward_data(Algo a, const Shape2d& p, const Tensor<T>& dy, const Tensor<T>& w,
                   Tensor<T>& dx);
template <typename T>
void backward_weights(Algo a, const Shape2d& p, const Tensor<T>& x, const Tensor<T>& dy,
                      Tensor<T>& dw, const Tensor<T>* workspace = nullptr);

// The host algorithm to run for this problem: MAGMADNN_CONV_ALGO if set (and applicable; `cudnn`
// counts as unset), else the in-memory cache, else the disk cache, else a timed trial (which is
// then cached).
template <typename T>
Algo choose(const Shape2d& p);
// The disk cache's path.
std::string cache_path();
// Forgets the in-memory cache (tests; the disk cache is kept).
void clear_memory_cache();
// Every cached choice (memory and disk), by key "f32|cpu|t<threads>|<Shape2d::key()>".
std::map<std::string, Algo> cached_choices();

}  // namespace magmadnn::conv

namespace magmadnn::op {

using Pair = std::array<index_t, 2>;

// 2-D convolution (cross-correlation, as PyTorch's Conv2d): x {n, c, h, w}, w {k, c/groups, r, s},
// b {k} or null -> {n, k, oh, ow}. `algo` = automatic chooses by measurement (conv::choose). In
// GPU memory the node runs cuDNN whatever `algo` names (kind() then reads "conv2d:cudnn").
template <typename T>
OpPtr<T> conv2d(const OpPtr<T>& x, const OpPtr<T>& w, const OpPtr<T>& b, Pair stride = {1, 1},
                Pair padding = {0, 0}, Pair dilation = {1, 1}, index_t groups = 1,
                conv::Algo algo = conv::Algo::automatic);

enum class PoolMode { max, average };
// Max or average pooling over windows of `kernel`; average pooling counts padded elements as
// zeros (PyTorch's count_include_pad = true). GPU memory runs cuDNN's pooling.
template <typename T>
OpPtr<T> pooling2d(const OpPtr<T>& x, Pair kernel, Pair stride, Pair padding = {0, 0},
                   PoolMode mode = PoolMode::max);
// Mean over the spatial axes: {n, c, h, w} -> {n, c}.
template <typename T>
OpPtr<T> global_avg_pool(const OpPtr<T>& x);

// Batch normalisation over axis 1 of {n, c} or {n, c, h, w}. Training mode normalises by the
// batch's statistics and updates running_mean / running_var (variables of shape {c}, unbiased
// variance) as r = (1 - momentum) r + momentum batch; inference mode uses the running values.
template <typename T>
OpPtr<T> batchnorm(const OpPtr<T>& x, const OpPtr<T>& gamma, const OpPtr<T>& beta,
                   const OpPtr<T>& running_mean, const OpPtr<T>& running_var, T momentum = T(0.1),
                   T epsilon = T(1e-5));

}  // namespace magmadnn::op
