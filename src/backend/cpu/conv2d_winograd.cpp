// Winograd F(m x m, 3 x 3): the entry points, each running the active CPU target's copy of the
// kernels in conv2d_winograd_kernels.cpp.
#include "backend/cpu/isa/dispatch.h"
#include "conv2d.h"

namespace magmadnn::conv::cpu {

MAGMADNN_ISA_DECLARE(template <typename T>
                     void winograd_forward(int m, const Shape2d& p, const T* x, const T* w, T* y);
                     template <typename T>
                     void winograd_backward_data(int m, const Shape2d& p, const T* dy, const T* w,
                                                 T* dx);
                     template <typename T>
                     void winograd_backward_weights(int m, const Shape2d& p, const T* x,
                                                    const T* dy, T* dw);)

template <typename T>
void winograd_forward(int m, const Shape2d& p, const T* x, const T* w, T* y) {
    MAGMADNN_ISA_CALL(winograd_forward<T>, m, p, x, w, y);
}

template <typename T>
void winograd_backward_data(int m, const Shape2d& p, const T* dy, const T* w, T* dx) {
    MAGMADNN_ISA_CALL(winograd_backward_data<T>, m, p, dy, w, dx);
}

template <typename T>
void winograd_backward_weights(int m, const Shape2d& p, const T* x, const T* dy, T* dw) {
    MAGMADNN_ISA_CALL(winograd_backward_weights<T>, m, p, x, dy, dw);
}

#define MAGMADNN_INSTANTIATE(T)                                                           \
    template void winograd_forward<T>(int, const Shape2d&, const T*, const T*, T*);       \
    template void winograd_backward_data<T>(int, const Shape2d&, const T*, const T*, T*); \
    template void winograd_backward_weights<T>(int, const Shape2d&, const T*, const T*, T*);
MAGMADNN_INSTANTIATE(float)
MAGMADNN_INSTANTIATE(double)
#undef MAGMADNN_INSTANTIATE

}  // namespace magmadnn::conv::cpu
