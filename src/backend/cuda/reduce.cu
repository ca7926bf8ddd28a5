// CUDA reductions, argmax and softmax. Contiguous rows (inner == 1) use one block per row with a
// shared-memory tree; strided reductions use one thread per output element.
#include <cfloat>

#include "../kernels.h"
#include "launch.h"

namespace magmadnn::math::cuda {

namespace {

template <typename T>
__device__ T combine(ReduceOp op, T a, T b) {
    switch (op) {
        case ReduceOp::max:
            return a > b ? a : b;
        case ReduceOp::min:
            return a < b ? a : b;
        default:
            return a + b;
    }
}

template <typename T>
__device__ T block_reduce(ReduceOp op, T v, T* shared) {
    shared[threadIdx.x] = v;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s)
            shared[threadIdx.x] = combine(op, shared[threadIdx.x], shared[threadIdx.x + s]);
        __syncthreads();
    }
    const T r = shared[0];
    __syncthreads();
    return r;
}

template <typename T>
__global__ void reduce_rows_kernel(ReduceOp op, index_t len, const T* x, T* out) {
    __shared__ double shared[kThreads];
    const T* row = x + blockIdx.x * len;
    const bool additive = op == ReduceOp::sum || op == ReduceOp::mean;
    double acc = additive ? 0.0 : double(row[0]);
    for (index_t i = threadIdx.x; i < len; i += blockDim.x) acc = combine(op, acc, double(row[i]));
    const double total = block_reduce(op == ReduceOp::mean ? ReduceOp::sum : op, acc, shared);
    if (threadIdx.x == 0) out[blockIdx.x] = T(op == ReduceOp::mean ? total / double(len) : total);
}

template <typename T>
__global__ void reduce_strided_kernel(ReduceOp op, index_t outer, index_t len, index_t inner,
                                      const T* x, T* out) {
    const index_t total = outer * inner;
    for (index_t t = blockIdx.x * index_t(blockDim.x) + threadIdx.x; t < total;
         t += index_t(blockDim.x) * gridDim.x) {
        const index_t o = t / inner, i = t % inner;
        const T* p = x + o * len * inner + i;
        const bool additive = op == ReduceOp::sum || op == ReduceOp::mean;
        double acc = additive ? 0.0 : double(p[0]);
        for (index_t l = 0; l < len; ++l) {
            acc = combine(op == ReduceOp::mean ? ReduceOp::sum : op, acc, double(p[l * inner]));
        }
        out[t] = T(op == ReduceOp::mean ? acc / double(len) : acc);
    }
}

template <typename T>
__global__ void argmax_kernel(index_t outer, index_t len, index_t inner, const T* x,
                              std::int32_t* out) {
    const index_t total = outer * inner;
    for (index_t t = blockIdx.x * index_t(blockDim.x) + threadIdx.x; t < total;
         t += index_t(blockDim.x) * gridDim.x) {
        const index_t o = t / inner, i = t % inner;
        const T* p = x + o * len * inner + i;
        index_t best = 0;
        for (index_t l = 1; l < len; ++l) {
            if (p[l * inner] > p[best * inner]) best = l;
        }
        out[t] = static_cast<std::int32_t>(best);
    }
}

template <typename T>
__global__ void softmax_kernel(index_t cols, const T* x, T* y, bool log) {
    __shared__ T shared[kThreads];
    const T* in = x + blockIdx.x * cols;
    T* o = y + blockIdx.x * cols;
    T m = -INFINITY;
    for (index_t j = threadIdx.x; j < cols; j += blockDim.x) m = m > in[j] ? m : in[j];
    m = block_reduce(ReduceOp::max, m, shared);
    T s = 0;
    for (index_t j = threadIdx.x; j < cols; j += blockDim.x) s += exp(in[j] - m);
    s = block_reduce(ReduceOp::sum, s, shared);
    const T lse = m + ::log(s);
    for (index_t j = threadIdx.x; j < cols; j += blockDim.x) {
        o[j] = log ? in[j] - lse : exp(in[j] - lse);
    }
}

}  // namespace

template <typename T>
void reduce(ReduceOp op, index_t outer, index_t len, index_t inner, const T* x, T* out) {
    if (outer * inner == 0) return;
    if (inner == 1) {
        reduce_rows_kernel<<<static_cast<unsigned>(outer), kThreads>>>(op, len, x, out);
    } else {
        reduce_strided_kernel<<<blocks_for(outer * inner), kThreads>>>(op, outer, len, inner, x,
                                                                       out);
    }
    check_launch("reduce");
}

template <typename T>
void argmax(index_t outer, index_t len, index_t inner, const T* x, std::int32_t* out) {
    if (outer * inner == 0) return;
    argmax_kernel<<<blocks_for(outer * inner), kThreads>>>(outer, len, inner, x, out);
    check_launch("argmax");
}

template <typename T>
void softmax(index_t rows, index_t cols, const T* x, T* y, bool log) {
    if (rows == 0 || cols == 0) return;
    softmax_kernel<<<static_cast<unsigned>(rows), kThreads>>>(cols, x, y, log);
    check_launch("softmax");
}

#define MAGMADNN_INSTANTIATE(T)                                                  \
    template void reduce<T>(ReduceOp, index_t, index_t, index_t, const T*, T*);  \
    template void argmax<T>(index_t, index_t, index_t, const T*, std::int32_t*); \
    template void softmax<T>(index_t, index_t, const T*, T*, bool);
MAGMADNN_INSTANTIATE(float)
MAGMADNN_INSTANTIATE(double)
#undef MAGMADNN_INSTANTIATE

}  // namespace magmadnn::math::cuda
