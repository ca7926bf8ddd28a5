#include "broadcast.h"

#include <fmt/format.h>

#include "magmadnn/backend/math.h"
#include "magmadnn/core/error.h"

namespace magmadnn::math {

Shape broadcast_shape(const Shape& a, const Shape& b, const char* op) {
    const std::size_t n = std::max(a.size(), b.size());
    Shape out(n);
    for (std::size_t i = 0; i < n; ++i) {
        const index_t da = i < n - a.size() ? 1 : a[i - (n - a.size())];
        const index_t db = i < n - b.size() ? 1 : b[i - (n - b.size())];
        if (da != db && da != 1 && db != 1) {
            throw ShapeError(fmt::format(
                "{}: shapes {} and {} do not broadcast (axis {} is {} vs {}); extents must match "
                "or be 1",
                op, to_string(a), to_string(b), i, da, db));
        }
        out[i] = da == 1 ? db : da;
    }
    return out;
}

BroadcastPlan make_broadcast_plan(const Shape& a, const Shape& b, const Shape& out) {
    const std::size_t n = out.size();
    // Per-axis extents of a and b, left-padded with 1.
    std::vector<index_t> ea(n, 1), eb(n, 1);
    for (std::size_t i = 0; i < a.size(); ++i) ea[n - a.size() + i] = a[i];
    for (std::size_t i = 0; i < b.size(); ++i) eb[n - b.size() + i] = b[i];

    // Merge runs of axes where each operand is either fully present or fully broadcast.
    std::vector<index_t> shape;
    std::vector<bool> a_bcast, b_bcast;
    for (std::size_t i = 0; i < n; ++i) {
        if (out[i] == 1) continue;  // extent-1 axes change nothing
        const bool ab = ea[i] == 1, bb = eb[i] == 1;
        if (!shape.empty() && a_bcast.back() == ab && b_bcast.back() == bb) {
            shape.back() *= out[i];
        } else {
            shape.push_back(out[i]);
            a_bcast.push_back(ab);
            b_bcast.push_back(bb);
        }
    }
    if (shape.empty()) {
        shape.push_back(1);
        a_bcast.push_back(false);
        b_bcast.push_back(false);
    }
    if (shape.size() > static_cast<std::size_t>(kMaxDims)) {
        throw ShapeError(fmt::format("broadcast of {} and {}: more than {} distinct axes",
                                     to_string(a), to_string(b), kMaxDims));
    }
    BroadcastPlan plan;
    plan.ndim = static_cast<int>(shape.size());
    index_t sa = 1, sb = 1;
    for (int i = plan.ndim - 1; i >= 0; --i) {
        plan.out_shape[i] = shape[i];
        plan.a_stride[i] = a_bcast[i] ? 0 : sa;
        plan.b_stride[i] = b_bcast[i] ? 0 : sb;
        if (!a_bcast[i]) sa *= shape[i];
        if (!b_bcast[i]) sb *= shape[i];
    }
    return plan;
}

}  // namespace magmadnn::math
