// 2-D pooling: the entry points, each running the active CPU target's copy of the kernels in
// pool2d_kernels.cpp.
#include "pool2d.h"

#include "backend/cpu/isa/dispatch.h"

namespace magmadnn::pool::cpu {

MAGMADNN_ISA_DECLARE(template <typename T> void pool2d_forward(const PoolShape& s, const T* x, T* y,
                                                               std::int32_t* argmax);
                     template <typename T>
                     void pool2d_backward(const PoolShape& s, const T* g,
                                          const std::int32_t* argmax, const T* relu_y, T* dx);)

template <typename T>
void pool2d_forward(const PoolShape& s, const T* x, T* y, std::int32_t* argmax) {
    MAGMADNN_ISA_CALL(pool2d_forward<T>, s, x, y, argmax);
}

template <typename T>
void pool2d_backward(const PoolShape& s, const T* g, const std::int32_t* argmax, const T* relu_y,
                     T* dx) {
    MAGMADNN_ISA_CALL(pool2d_backward<T>, s, g, argmax, relu_y, dx);
}

#define MAGMADNN_INSTANTIATE(T)                                                     \
    template void pool2d_forward<T>(const PoolShape&, const T*, T*, std::int32_t*); \
    template void pool2d_backward<T>(const PoolShape&, const T*, const std::int32_t*, const T*, T*);
MAGMADNN_INSTANTIATE(float)
MAGMADNN_INSTANTIATE(double)
#undef MAGMADNN_INSTANTIATE

}  // namespace magmadnn::pool::cpu
