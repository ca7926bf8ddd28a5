#pragma once
// Private: the strides that let one flat output index find its elements in broadcast operands.

#include "magmadnn/core/half.h"
#include "magmadnn/core/shape.h"

namespace magmadnn::math {

inline constexpr int kMaxDims = 8;

struct BroadcastPlan {
    int ndim = 0;
    index_t out_shape[kMaxDims] = {};
    index_t a_stride[kMaxDims] = {};  // 0 where a is broadcast
    index_t b_stride[kMaxDims] = {};
};

// The offsets into a and b of element i of the broadcast output (host and device).
MAGMADNN_HD inline void broadcast_offsets(const BroadcastPlan& plan, index_t i, index_t& oa,
                                          index_t& ob) {
    index_t rem = i;
    oa = 0;
    ob = 0;
    for (int d = plan.ndim - 1; d >= 0; --d) {
        const index_t c = rem % plan.out_shape[d];
        rem /= plan.out_shape[d];
        oa += c * plan.a_stride[d];
        ob += c * plan.b_stride[d];
    }
}

// Collapses adjacent axes that broadcast the same way, so a bias add {N, C} + {C} is one
// two-axis loop whatever the rank.
BroadcastPlan make_broadcast_plan(const Shape& a, const Shape& b, const Shape& out);

}  // namespace magmadnn::math
