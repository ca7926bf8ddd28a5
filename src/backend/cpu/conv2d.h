#pragma once
// Private: the CPU convolution algorithms, on raw host pointers (NCHW, filter {k, c/g, r, s}).
// Every fast algorithm is checked against conv2d_direct.cpp, the plain loops
// (tests/backend/conv2d_algos_test.cpp). Outputs are overwritten.

#include "magmadnn/op/conv.h"

namespace magmadnn::conv::cpu {

#define MAGMADNN_CONV_PASSES(NAME)                                               \
    template <typename T>                                                        \
    void NAME##_forward(const Shape2d& p, const T* x, const T* w, T* y);         \
    template <typename T>                                                        \
    void NAME##_backward_data(const Shape2d& p, const T* dy, const T* w, T* dx); \
    template <typename T>                                                        \
    void NAME##_backward_weights(const Shape2d& p, const T* x, const T* dy, T* dw);

MAGMADNN_CONV_PASSES(direct)
#undef MAGMADNN_CONV_PASSES

// im2col: `cols` (n * c * r * s * oh * ow elements), when given, keeps every image's unrolled
// columns from the forward pass so backward-weights over the same x skips the unrolling.
template <typename T>
void im2col_forward(const Shape2d& p, const T* x, const T* w, T* y, T* cols = nullptr);
template <typename T>
void im2col_backward_data(const Shape2d& p, const T* dy, const T* w, T* dx);
template <typename T>
void im2col_backward_weights(const Shape2d& p, const T* x, const T* dy, T* dw,
                             const T* cols = nullptr);

// Winograd F(m x m, 3 x 3), m = 2 or 4: forward, backward-data as the forward pass over the
// rotated, transposed filter (needs pad <= 2), and backward-weights as G^T (sum over tiles of
// (A dY A^T) . (B^T d B)) G.
template <typename T>
void winograd_forward(int m, const Shape2d& p, const T* x, const T* w, T* y);
template <typename T>
void winograd_backward_data(int m, const Shape2d& p, const T* dy, const T* w, T* dx);
template <typename T>
void winograd_backward_weights(int m, const Shape2d& p, const T* x, const T* dy, T* dw);

// FFT by overlap-save tiles (FFTW real transforms, per-frequency GEMMs): all three passes.
template <typename T>
void fft_forward(const Shape2d& p, const T* x, const T* w, T* y);
template <typename T>
void fft_backward_data(const Shape2d& p, const T* dy, const T* w, T* dx);
template <typename T>
void fft_backward_weights(const Shape2d& p, const T* x, const T* dy, T* dw);

// oneDNN's convolution primitive (f32): all three passes.
void onednn_forward(const Shape2d& p, const float* x, const float* w, float* y);
void onednn_backward_data(const Shape2d& p, const float* dy, const float* w, float* dx);
void onednn_backward_weights(const Shape2d& p, const float* x, const float* dy, float* dw);

}  // namespace magmadnn::conv::cpu
