// The elementwise kernels beside the cuDNN convolution: per-channel bias and its gradient (one
// block per channel, a shared-memory tree in double).
#include "conv2d_cudnn_kernels.h"
#include "launch.h"

namespace magmadnn::conv::cudnn::kernels {

namespace {

using math::cuda::blocks_for;
using math::cuda::check_launch;
using math::cuda::kThreads;

template <typename T>
__global__ void bias_add_kernel(index_t total, index_t k, index_t hw, const T* __restrict__ b,
                                T* __restrict__ y) {
    for (index_t i = blockIdx.x * index_t(blockDim.x) + threadIdx.x; i < total;
         i += index_t(blockDim.x) * gridDim.x) {
        y[i] += b[(i / hw) % k];
    }
}

// Block c sums channel c: element e of the channel is image e / hw, position e % hw, so
// consecutive threads read consecutive addresses within a plane.
template <typename T>
__global__ void bias_grad_kernel(index_t n, index_t k, index_t hw, const T* __restrict__ dy,
                                 T* __restrict__ db) {
    __shared__ double shared[kThreads];
    const index_t c = blockIdx.x;
    const index_t m = n * hw;
    double acc = 0.0;
    for (index_t e = threadIdx.x; e < m; e += blockDim.x) {
        acc += double(dy[((e / hw) * k + c) * hw + e % hw]);
    }
    shared[threadIdx.x] = acc;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s) shared[threadIdx.x] += shared[threadIdx.x + s];
        __syncthreads();
    }
    if (threadIdx.x == 0) db[c] = T(shared[0]);
}

}  // namespace

template <typename T>
void bias_add(index_t n, index_t k, index_t hw, const T* b, T* y) {
    const index_t total = n * k * hw;
    if (total == 0) return;
    bias_add_kernel<<<blocks_for(total), kThreads>>>(total, k, hw, b, y);
    check_launch("conv2d bias_add");
}

template <typename T>
void bias_grad(index_t n, index_t k, index_t hw, const T* dy, T* db) {
    if (k == 0) return;
    // the block size must be kThreads: the tree above halves a kThreads-wide shared array
    bias_grad_kernel<<<static_cast<unsigned>(k), kThreads>>>(n, k, hw, dy, db);
    check_launch("conv2d bias_grad");
}

#define MAGMADNN_INSTANTIATE(T)                                         \
    template void bias_add<T>(index_t, index_t, index_t, const T*, T*); \
    template void bias_grad<T>(index_t, index_t, index_t, const T*, T*);
MAGMADNN_INSTANTIATE(float)
MAGMADNN_INSTANTIATE(double)
#undef MAGMADNN_INSTANTIATE

}  // namespace magmadnn::conv::cudnn::kernels
