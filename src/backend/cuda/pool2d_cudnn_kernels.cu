// The relu fused into cuDNN max pooling: applied to the pooled output in place, and as a mask on
// the output gradient before cudnnPoolingBackward.
#include "launch.h"
#include "pool2d_cudnn_kernels.h"

namespace magmadnn::conv::cudnn::kernels {

namespace {

using math::cuda::blocks_for;
using math::cuda::check_launch;
using math::cuda::kThreads;

template <typename T>
__global__ void relu_inplace_kernel(index_t count, T* y) {
    for (index_t i = blockIdx.x * index_t(blockDim.x) + threadIdx.x; i < count;
         i += index_t(blockDim.x) * gridDim.x) {
        y[i] = y[i] > T(0) ? y[i] : T(0);
    }
}

template <typename T>
__global__ void relu_mask_kernel(index_t count, const T* __restrict__ y, const T* __restrict__ g,
                                 T* __restrict__ out) {
    for (index_t i = blockIdx.x * index_t(blockDim.x) + threadIdx.x; i < count;
         i += index_t(blockDim.x) * gridDim.x) {
        out[i] = y[i] > T(0) ? g[i] : T(0);
    }
}

}  // namespace

template <typename T>
void relu_inplace(index_t count, T* y) {
    if (count == 0) return;
    relu_inplace_kernel<<<blocks_for(count), kThreads>>>(count, y);
    check_launch("pooling2d relu");
}

template <typename T>
void relu_mask(index_t count, const T* y, const T* g, T* out) {
    if (count == 0) return;
    relu_mask_kernel<<<blocks_for(count), kThreads>>>(count, y, g, out);
    check_launch("pooling2d relu_mask");
}

#define MAGMADNN_INSTANTIATE(T)                 \
    template void relu_inplace<T>(index_t, T*); \
    template void relu_mask<T>(index_t, const T*, const T*, T*);
MAGMADNN_INSTANTIATE(float)
MAGMADNN_INSTANTIATE(double)
#undef MAGMADNN_INSTANTIATE

}  // namespace magmadnn::conv::cudnn::kernels
