// CPU elementwise kernels: the shared functors in OpenMP loops.
#include <omp.h>

#include "../functors.h"
#include "../kernels.h"

namespace magmadnn::math::cpu {

namespace {
// Below this many elements a parallel region costs more than it saves.
constexpr index_t kParallelThreshold = 1 << 15;

// The loops live in functions taking their pointers by value: read through a lambda's captured
// references, the pointers would be reloaded per element and the loops vectorised with gathers.
template <typename F, typename T>
void map1(F f, index_t n, const T* x, T* y) {
#pragma omp parallel for simd if (n > kParallelThreshold)
    for (index_t i = 0; i < n; ++i) y[i] = f(x[i]);
}

template <typename F, typename T>
void map2(F f, index_t n, const T* a, const T* b, T* out) {
#pragma omp parallel for simd if (n > kParallelThreshold)
    for (index_t i = 0; i < n; ++i) out[i] = f(a[i], b[i]);
}

template <typename F, typename T>
void map3(F f, index_t n, const T* a, const T* b, const T* c, T* out) {
#pragma omp parallel for simd if (n > kParallelThreshold)
    for (index_t i = 0; i < n; ++i) out[i] = f(a[i], b[i], c[i]);
}

template <typename F, typename T>
void map2_strided(F f, index_t n, const T* a, index_t ia, const T* b, index_t ib, T* out) {
#pragma omp parallel for simd if (n > kParallelThreshold)
    for (index_t i = 0; i < n; ++i) out[i] = f(a[i * ia], b[i * ib]);
}

// out[i] = f(a[i'], b[i''], z[i], g[i]) with a and b broadcast to z's shape (the binary ops'
// gradients: off the hot paths, so one loop that finds the offsets per element).
template <typename F, typename T>
void map_grad(F f, const BroadcastPlan& plan, index_t n, const T* a, const T* b, const T* z,
              const T* g, T* out) {
    if (plan.ndim == 1 && plan.a_stride[0] == 1 && plan.b_stride[0] == 1) {
#pragma omp parallel for simd if (n > kParallelThreshold)
        for (index_t i = 0; i < n; ++i) out[i] = f(a[i], b[i], z[i], g[i]);
        return;
    }
#pragma omp parallel for if (n > kParallelThreshold)
    for (index_t i = 0; i < n; ++i) {
        index_t oa, ob;
        broadcast_offsets(plan, i, oa, ob);
        out[i] = f(a[oa], b[ob], z[i], g[i]);
    }
}

template <typename F, typename T>
void map2_rows(F f, const BroadcastPlan& plan, index_t n, const T* a, const T* b, T* out) {
    const int nd = plan.ndim;
    const index_t inner = plan.out_shape[nd - 1];
    const index_t ia = plan.a_stride[nd - 1], ib = plan.b_stride[nd - 1];
    const index_t rows = n / inner;
    // Rows of the last axis; each row finds its base offsets from its outer index.
#pragma omp parallel for if (n > kParallelThreshold)
    for (index_t r = 0; r < rows; ++r) {
        index_t rem = r, oa = 0, ob = 0;
        for (int d = nd - 2; d >= 0; --d) {
            const index_t c = rem % plan.out_shape[d];
            rem /= plan.out_shape[d];
            oa += c * plan.a_stride[d];
            ob += c * plan.b_stride[d];
        }
        const T* __restrict pa = a + oa;
        const T* __restrict pb = b + ob;
        T* __restrict po = out + r * inner;
        if (ia == 1 && ib == 1) {
#pragma omp simd
            for (index_t i = 0; i < inner; ++i) po[i] = f(pa[i], pb[i]);
        } else if (ib == 0) {  // a row against one element of b
            const T bv = pb[0];
#pragma omp simd
            for (index_t i = 0; i < inner; ++i) po[i] = f(pa[i * ia], bv);
        } else {
            for (index_t i = 0; i < inner; ++i) po[i] = f(pa[i * ia], pb[i * ib]);
        }
    }
}
template <typename F, typename T>
void map2_broadcast(F f, const BroadcastPlan& plan, index_t n, const T* a, const T* b, T* out) {
    if (plan.ndim > 1) {
        map2_rows(f, plan, n, a, b, out);
    } else if (plan.a_stride[0] == 1 && plan.b_stride[0] == 1) {
        map2(f, n, a, b, out);
    } else {  // one operand a scalar
        map2_strided(f, n, a, plan.a_stride[0], b, plan.b_stride[0], out);
    }
}

}  // namespace

template <typename T>
void unary(UnaryOp op, T param, index_t n, const T* x, T* y) {
    fn::visit(op, param, [&](auto f) { map1(f, n, x, y); });
}

template <typename T>
void unary_grad(UnaryOp op, T param, index_t n, const T* x, const T* y, const T* g, T* dx) {
    fn::visit_grad(op, param, [&](auto f) { map3(f, n, x, y, g, dx); });
}

template <typename T>
void binary(BinaryOp op, T param, const BroadcastPlan& plan, index_t n, const T* a, const T* b,
            T* out) {
    fn::visit(op, param, [&](auto f) { map2_broadcast(f, plan, n, a, b, out); });
}

template <typename T>
void binary_grad(BinaryOp op, int side, const BroadcastPlan& plan, index_t n, const T* a,
                 const T* b, const T* z, const T* g, T* out) {
    fn::visit_grad<T>(op, side, [&](auto f) { map_grad(f, plan, n, a, b, z, g, out); });
}

template <typename T>
void fused_binary(FusedOp op, const BroadcastPlan& plan, index_t n, const T* a, const T* b,
                  T* out) {
    fn::visit(op, T(0), [&](auto f) { map2_broadcast(f, plan, n, a, b, out); });
}

template <typename T>
void axpby(index_t n, T alpha, const T* x, T beta, T* y) {
    if (beta == T(0)) {
        map1([alpha](T v) { return alpha * v; }, n, x, y);
    } else {
        map2([alpha, beta](T v, T w) { return alpha * v + beta * w; }, n, x, y, y);
    }
}

template <typename T>
void transpose(index_t rows, index_t cols, const T* x, T* y) {
    constexpr index_t tile = 32;  // blocks keep both sides in cache
#pragma omp parallel for collapse(2) if (rows * cols > kParallelThreshold)
    for (index_t i0 = 0; i0 < rows; i0 += tile) {
        for (index_t j0 = 0; j0 < cols; j0 += tile) {
            const index_t i1 = std::min(rows, i0 + tile), j1 = std::min(cols, j0 + tile);
            for (index_t i = i0; i < i1; ++i) {
                for (index_t j = j0; j < j1; ++j) y[j * rows + i] = x[i * cols + j];
            }
        }
    }
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

}  // namespace magmadnn::math::cpu
