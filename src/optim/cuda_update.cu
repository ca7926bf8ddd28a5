// CUDA optimizer kernels: the shared update rules in grid-stride loops, and the squared-norm
// reduction behind gradient clipping (block tree in double, one atomicAdd per block).
#include "backend/cuda/launch.h"
#include "update.h"

namespace magmadnn::optimizer::detail::cuda {

namespace {

using math::cuda::blocks_for;
using math::cuda::check_launch;
using math::cuda::kThreads;

template <typename F, typename T>
__global__ void update_kernel(F f, index_t n, T* w, const T* g, T* s1, T* s2) {
    for (index_t i = blockIdx.x * index_t(blockDim.x) + threadIdx.x; i < n;
         i += index_t(blockDim.x) * gridDim.x) {
        f(i, w, g, s1, s2);
    }
}

template <typename T>
__global__ void sum_squares_kernel(index_t n, const T* __restrict__ x, double* acc) {
    __shared__ double shared[kThreads];
    double s = 0;
    for (index_t i = blockIdx.x * index_t(blockDim.x) + threadIdx.x; i < n;
         i += index_t(blockDim.x) * gridDim.x) {
        const double v = x[i];
        s += v * v;
    }
    shared[threadIdx.x] = s;
    __syncthreads();
    for (unsigned k = blockDim.x / 2; k > 0; k >>= 1) {
        if (threadIdx.x < k) shared[threadIdx.x] += shared[threadIdx.x + k];
        __syncthreads();
    }
    if (threadIdx.x == 0) atomicAdd(acc, shared[0]);
}

}  // namespace

template <typename T>
void update(const Hyper<T>& h, index_t n, T* w, const T* g, T* s1, T* s2) {
    if (n == 0) return;
    visit(h, [&](auto f) { update_kernel<<<blocks_for(n), kThreads>>>(f, n, w, g, s1, s2); });
    check_launch("optimizer update");
}

template <typename T>
void sum_squares(index_t n, const T* x, double* acc) {
    if (n == 0) return;
    // A few blocks per SM are enough for a bandwidth-bound sum and keep the atomics few.
    const unsigned blocks = blocks_for(n) < 1024u ? blocks_for(n) : 1024u;
    sum_squares_kernel<<<blocks, kThreads>>>(n, x, acc);
    check_launch("gradient norm");
}

#define MAGMADNN_INSTANTIATE(T)                                              \
    template void update<T>(const Hyper<T>&, index_t, T*, const T*, T*, T*); \
    template void sum_squares<T>(index_t, const T*, double*);
MAGMADNN_INSTANTIATE(float)
MAGMADNN_INSTANTIATE(double)
#undef MAGMADNN_INSTANTIATE

}  // namespace magmadnn::optimizer::detail::cuda
