// CUDA elementwise kernels: the shared functors in grid-stride loops.
#include <algorithm>

#include "../functors.h"
#include "../kernels.h"
#include "launch.h"

namespace magmadnn::math::cuda {

namespace {

template <typename F, typename T>
__global__ void unary_kernel(F f, index_t n, const T* x, T* y) {  // y may be x (in place)
    for (index_t i = blockIdx.x * index_t(blockDim.x) + threadIdx.x; i < n;
         i += index_t(blockDim.x) * gridDim.x) {
        y[i] = f(x[i]);
    }
}

template <typename F, typename T>
__global__ void unary_grad_kernel(F f, index_t n, const T* x, const T* y, const T* g,
                                  T* dx) {  // dx may be g
    for (index_t i = blockIdx.x * index_t(blockDim.x) + threadIdx.x; i < n;
         i += index_t(blockDim.x) * gridDim.x) {
        dx[i] = f(x[i], y[i], g[i]);
    }
}

template <typename F, typename T>
__global__ void binary_kernel(F f, BroadcastPlan plan, index_t n, const T* a, const T* b, T* out) {
    for (index_t i = blockIdx.x * index_t(blockDim.x) + threadIdx.x; i < n;
         i += index_t(blockDim.x) * gridDim.x) {
        index_t oa, ob;
        broadcast_offsets(plan, i, oa, ob);
        out[i] = f(a[oa], b[ob]);
    }
}

template <typename F, typename T>
__global__ void binary_same_kernel(F f, index_t n, const T* a, const T* b, T* out) {
    for (index_t i = blockIdx.x * index_t(blockDim.x) + threadIdx.x; i < n;
         i += index_t(blockDim.x) * gridDim.x) {
        out[i] = f(a[i], b[i]);
    }
}

template <typename F, typename T>
__global__ void binary_grad_kernel(F f, BroadcastPlan plan, index_t n, const T* a, const T* b,
                                   const T* z, const T* g, T* out) {
    for (index_t i = blockIdx.x * index_t(blockDim.x) + threadIdx.x; i < n;
         i += index_t(blockDim.x) * gridDim.x) {
        index_t oa, ob;
        broadcast_offsets(plan, i, oa, ob);
        out[i] = f(a[oa], b[ob], z[i], g[i]);
    }
}

template <typename F, typename T>
void launch_binary(F f, const BroadcastPlan& plan, index_t n, const T* a, const T* b, T* out) {
    const bool same = plan.ndim == 1 && plan.a_stride[0] == 1 && plan.b_stride[0] == 1;
    if (same) {
        binary_same_kernel<<<blocks_for(n), kThreads>>>(f, n, a, b, out);
    } else {
        binary_kernel<<<blocks_for(n), kThreads>>>(f, plan, n, a, b, out);
    }
}

template <typename T>
__global__ void axpby_kernel(index_t n, T alpha, const T* x, T beta, T* y) {
    for (index_t i = blockIdx.x * index_t(blockDim.x) + threadIdx.x; i < n;
         i += index_t(blockDim.x) * gridDim.x) {
        y[i] = beta == T(0) ? alpha * x[i] : alpha * x[i] + beta * y[i];
    }
}

template <typename T>
__global__ void transpose_kernel(index_t rows, index_t cols, const T* x, T* y) {
    __shared__ T tile[32][33];  // +1 column: no bank conflicts on the transposed read
    const index_t bx = index_t(blockIdx.x) * 32;
    // grid.y stops at 65535 blocks: each block walks the row tiles left beyond it (the bound is
    // the same for the whole block, so the barriers are reached by all its threads)
    for (index_t by = index_t(blockIdx.y) * 32; by < rows; by += index_t(gridDim.y) * 32) {
        for (int j = threadIdx.y; j < 32; j += blockDim.y) {
            const index_t r = by + j, c = bx + threadIdx.x;
            if (r < rows && c < cols) tile[j][threadIdx.x] = x[r * cols + c];
        }
        __syncthreads();
        for (int j = threadIdx.y; j < 32; j += blockDim.y) {
            const index_t r = bx + j, c = by + threadIdx.x;  // r: column of x, c: row of x
            if (r < cols && c < rows) y[r * rows + c] = tile[threadIdx.x][j];
        }
        __syncthreads();  // the tile is refilled for the next row tile
    }
}

}  // namespace

template <typename T>
void unary(UnaryOp op, T param, index_t n, const T* x, T* y) {
    if (n == 0) return;
    fn::visit(op, param, [&](auto f) { unary_kernel<<<blocks_for(n), kThreads>>>(f, n, x, y); });
    check_launch("unary");
}

template <typename T>
void unary_grad(UnaryOp op, T param, index_t n, const T* x, const T* y, const T* g, T* dx) {
    if (n == 0) return;
    fn::visit_grad(op, param, [&](auto f) {
        unary_grad_kernel<<<blocks_for(n), kThreads>>>(f, n, x, y, g, dx);
    });
    check_launch("unary_grad");
}

template <typename T>
void binary(BinaryOp op, T param, const BroadcastPlan& plan, index_t n, const T* a, const T* b,
            T* out) {
    if (n == 0) return;
    fn::visit(op, param, [&](auto f) { launch_binary(f, plan, n, a, b, out); });
    check_launch("binary");
}

template <typename T>
void binary_grad(BinaryOp op, int side, const BroadcastPlan& plan, index_t n, const T* a,
                 const T* b, const T* z, const T* g, T* out) {
    if (n == 0) return;
    fn::visit_grad<T>(op, side, [&](auto f) {
        binary_grad_kernel<<<blocks_for(n), kThreads>>>(f, plan, n, a, b, z, g, out);
    });
    check_launch("binary_grad");
}

template <typename T>
void fused_binary(FusedOp op, const BroadcastPlan& plan, index_t n, const T* a, const T* b,
                  T* out) {
    if (n == 0) return;
    fn::visit(op, T(0), [&](auto f) { launch_binary(f, plan, n, a, b, out); });
    check_launch("fused_binary");
}

template <typename T>
void axpby(index_t n, T alpha, const T* x, T beta, T* y) {
    if (n == 0) return;
    axpby_kernel<<<blocks_for(n), kThreads>>>(n, alpha, x, beta, y);
    check_launch("axpby");
}

template <typename T>
void transpose(index_t rows, index_t cols, const T* x, T* y) {
    if (rows == 0 || cols == 0) return;
    const dim3 grid(static_cast<unsigned>((cols + 31) / 32),
                    static_cast<unsigned>(std::min<index_t>((rows + 31) / 32, 65535)));
    transpose_kernel<<<grid, dim3(32, 8)>>>(rows, cols, x, y);
    check_launch("transpose");
}

#define MAGMADNN_INSTANTIATE(T)                                                                    \
    template void unary<T>(UnaryOp, T, index_t, const T*, T*);                                     \
    template void unary_grad<T>(UnaryOp, T, index_t, const T*, const T*, const T*, T*);            \
    template void binary<T>(BinaryOp, T, const BroadcastPlan&, index_t, const T*, const T*, T*);   \
    template void binary_grad<T>(BinaryOp, int, const BroadcastPlan&, index_t, const T*, const T*, \
                                 const T*, const T*, T*);                                          \
    template void fused_binary<T>(FusedOp, const BroadcastPlan&, index_t, const T*, const T*, T*); \
    template void axpby<T>(index_t, T, const T*, T, T*);                                           \
    template void transpose<T>(index_t, index_t, const T*, T*);
MAGMADNN_INSTANTIATE(float)
MAGMADNN_INSTANTIATE(double)
#undef MAGMADNN_INSTANTIATE

}  // namespace magmadnn::math::cuda
