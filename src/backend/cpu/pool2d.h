#pragma once
// Private: 2-D pooling on host pointers (planes = n * c planes of {h, w}, outputs {oh, ow}).
// Max pooling records each output's winning input position (flat within its plane; ties keep
// the first maximum in row-major window order) for the backward pass. The fast 2x2 / stride-2
// paths are checked against the general loops in tests/op/conv_test.cpp.

#include <cstdint>

#include "magmadnn/op/conv.h"

namespace magmadnn::pool::cpu {

using Pair = op::Pair;

struct PoolShape {
    index_t planes = 0, h = 0, w = 0, oh = 0, ow = 0;
    Pair kernel{}, stride{}, padding{};
    bool max = true;  // else average (padding counts as zeros in the mean)
};

// y {planes, oh, ow}; argmax (max pooling only) the winners' positions.
template <typename T>
void pool2d_forward(const PoolShape& s, const T* x, T* y, std::int32_t* argmax);

// dx {planes, h, w} = the gradient of pool2d_forward for the output gradient g. relu_y, when
// given, is the forward output of a fused relu: only outputs > 0 pass their gradient.
template <typename T>
void pool2d_backward(const PoolShape& s, const T* g, const std::int32_t* argmax, const T* relu_y,
                     T* dx);

}  // namespace magmadnn::pool::cpu
