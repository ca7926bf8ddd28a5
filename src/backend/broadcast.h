#pragma once
// Private: the strides that let one flat output index find its elements in broadcast operands.

#include "magmadnn/core/shape.h"

namespace magmadnn::math {

inline constexpr int kMaxDims = 8;

struct BroadcastPlan {
    int ndim = 0;
    index_t out_shape[kMaxDims] = {};
    index_t a_stride[kMaxDims] = {};  // 0 where a is broadcast
    index_t b_stride[kMaxDims] = {};
};

// Collapses adjacent axes that broadcast the same way, so a bias add {N, C} + {C} is one
// two-axis loop whatever the rank.
BroadcastPlan make_broadcast_plan(const Shape& a, const Shape& b, const Shape& out);

}  // namespace magmadnn::math
