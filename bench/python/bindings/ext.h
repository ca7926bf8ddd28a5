#pragma once
// The call both binding libraries are timed on: a 1-element add of two magmadnn tensors into a
// new one (math::add), and a call that does nothing, bound the same way by each library.

#include "magmadnn/backend/math.h"

namespace bench {

struct Box {
    magmadnn::Tensor<float> t;
};

inline Box make(float v) { return {magmadnn::Tensor<float>::from_vector({v}, {1})}; }
inline Box add(const Box& a, const Box& b) { return {magmadnn::math::add(a.t, b.t)}; }
inline float value(const Box& b) { return b.t.get_flat(0); }
inline void noop() {}

}  // namespace bench
