// The inference-mode batchnorm gradient: a per-channel scale of dy, and the two per-channel sums
// (one block per channel, shared-memory trees in double).
#include "batchnorm_cudnn_kernels.h"
#include "launch.h"

namespace magmadnn::conv::cudnn::kernels {

namespace {

using math::cuda::blocks_for;
using math::cuda::check_launch;
using math::cuda::kThreads;

template <typename T>
__global__ void scale_grad_kernel(index_t total, index_t c, index_t inner,
                                  const T* __restrict__ gamma, const T* __restrict__ var,
                                  double eps, const T* __restrict__ dy, T* __restrict__ dx) {
    for (index_t i = blockIdx.x * index_t(blockDim.x) + threadIdx.x; i < total;
         i += index_t(blockDim.x) * gridDim.x) {
        const index_t ch = (i / inner) % c;
        const double k = double(gamma[ch]) / sqrt(double(var[ch]) + eps);
        dx[i] = T(k * double(dy[i]));
    }
}

// Block ch sums channel ch: element e of the channel is image e / inner, position e % inner.
template <typename T>
__global__ void param_grads_kernel(index_t n, index_t c, index_t inner, const T* __restrict__ x,
                                   const T* __restrict__ mean, const T* __restrict__ var,
                                   double eps, const T* __restrict__ dy, T* __restrict__ dgamma,
                                   T* __restrict__ dbeta) {
    __shared__ double sum_g[kThreads];
    __shared__ double sum_gx[kThreads];
    const index_t ch = blockIdx.x;
    const index_t m = n * inner;
    const double mu = double(mean[ch]);
    double a = 0.0, b = 0.0;
    for (index_t e = threadIdx.x; e < m; e += blockDim.x) {
        const index_t i = ((e / inner) * c + ch) * inner + e % inner;
        const double g = double(dy[i]);
        a += g;
        b += g * (double(x[i]) - mu);
    }
    sum_g[threadIdx.x] = a;
    sum_gx[threadIdx.x] = b;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s) {
            sum_g[threadIdx.x] += sum_g[threadIdx.x + s];
            sum_gx[threadIdx.x] += sum_gx[threadIdx.x + s];
        }
        __syncthreads();
    }
    if (threadIdx.x == 0) {
        dgamma[ch] = T(sum_gx[0] / sqrt(double(var[ch]) + eps));
        dbeta[ch] = T(sum_g[0]);
    }
}

}  // namespace

template <typename T>
void batchnorm_scale_grad(index_t n, index_t c, index_t inner, const T* gamma, const T* var,
                          double eps, const T* dy, T* dx) {
    const index_t total = n * c * inner;
    if (total == 0) return;
    scale_grad_kernel<<<blocks_for(total), kThreads>>>(total, c, inner, gamma, var, eps, dy, dx);
    check_launch("batchnorm scale_grad");
}

template <typename T>
void batchnorm_param_grads(index_t n, index_t c, index_t inner, const T* x, const T* mean,
                           const T* var, double eps, const T* dy, T* dgamma, T* dbeta) {
    if (c == 0) return;
    // the block size must be kThreads: the trees above halve kThreads-wide shared arrays
    param_grads_kernel<<<static_cast<unsigned>(c), kThreads>>>(n, c, inner, x, mean, var, eps, dy,
                                                               dgamma, dbeta);
    check_launch("batchnorm param_grads");
}

#define MAGMADNN_INSTANTIATE(T)                                                                  \
    template void batchnorm_scale_grad<T>(index_t, index_t, index_t, const T*, const T*, double, \
                                          const T*, T*);                                         \
    template void batchnorm_param_grads<T>(index_t, index_t, index_t, const T*, const T*,        \
                                           const T*, double, const T*, T*, T*);
MAGMADNN_INSTANTIATE(float)
MAGMADNN_INSTANTIATE(double)
#undef MAGMADNN_INSTANTIATE

}  // namespace magmadnn::conv::cudnn::kernels
