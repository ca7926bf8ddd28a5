// im2col + GEMM: the entry points, each running the active CPU target's copy of the kernels in
// conv2d_im2col_kernels.cpp.
#include "backend/cpu/isa/dispatch.h"
#include "conv2d.h"

namespace magmadnn::conv::cpu {

MAGMADNN_ISA_DECLARE(template <typename T>
                     void im2col_forward(const Shape2d& p, const T* x, const T* w, T* y, T* cols);
                     template <typename T>
                     void im2col_backward_data(const Shape2d& p, const T* dy, const T* w, T* dx);
                     template <typename T>
                     void im2col_backward_weights(const Shape2d& p, const T* x, const T* dy, T* dw,
                                                  const T* cols);)

template <typename T>
void im2col_forward(const Shape2d& p, const T* x, const T* w, T* y, T* cols) {
    MAGMADNN_ISA_CALL(im2col_forward<T>, p, x, w, y, cols);
}

template <typename T>
void im2col_backward_data(const Shape2d& p, const T* dy, const T* w, T* dx) {
    MAGMADNN_ISA_CALL(im2col_backward_data<T>, p, dy, w, dx);
}

template <typename T>
void im2col_backward_weights(const Shape2d& p, const T* x, const T* dy, T* dw, const T* cols) {
    MAGMADNN_ISA_CALL(im2col_backward_weights<T>, p, x, dy, dw, cols);
}

#define MAGMADNN_INSTANTIATE(T)                                                    \
    template void im2col_forward<T>(const Shape2d&, const T*, const T*, T*, T*);   \
    template void im2col_backward_data<T>(const Shape2d&, const T*, const T*, T*); \
    template void im2col_backward_weights<T>(const Shape2d&, const T*, const T*, T*, const T*);
MAGMADNN_INSTANTIATE(float)
MAGMADNN_INSTANTIATE(double)
#undef MAGMADNN_INSTANTIATE

}  // namespace magmadnn::conv::cpu
