// Shape checks and the one dispatch point per op: HOST tensors go to cpu::, the others to cuda::.
#include "magmadnn/backend/math.h"

#include <fmt/format.h>

#include "grad.h"
#include "kernels.h"
#include "magmadnn/core/device.h"
#include "magmadnn/core/error.h"

namespace magmadnn::math {

namespace {

// True when the op runs on the GPU; every operand must live on the same side.
template <typename... Ts>
bool on_device(const char* op, const Ts&... tensors) {
    const memory_t mems[] = {tensors.memory()...};
    const bool device = mems[0] != HOST;
    for (memory_t m : mems) {
        if ((m != HOST) != device) {
            throw DeviceError(fmt::format(
                "{}: operands mix HOST and {} memory; move them to one side first (tensor.to(...))",
                op, to_string(m == HOST ? mems[0] : m)));
        }
    }
#ifndef MAGMADNN_WITH_CUDA
    if (device) require_device(op);
#endif
    return device;
}

void require_same_shape(const char* op, const Shape& a, const Shape& b) {
    if (a != b) {
        throw ShapeError(fmt::format("{}: shapes {} and {} differ; they must be equal", op,
                                     to_string(a), to_string(b)));
    }
}

int normalize_axis(const char* op, int axis, int ndim) {
    const int a = axis < 0 ? axis + ndim : axis;
    if (a < 0 || a >= ndim) {
        throw ValueError(
            fmt::format("{}: axis {} is out of range for a {}-D tensor", op, axis, ndim));
    }
    return a;
}

}  // namespace

template <typename T>
void unary(UnaryOp op, const Tensor<T>& x, Tensor<T>& out, T param) {
    require_same_shape("unary", x.shape(), out.shape());
    const bool dev = on_device("unary", x, out);
    if (dev) {
#ifdef MAGMADNN_WITH_CUDA
        const T* px = x.cdevice_data();
        cuda::unary(op, param, x.size(), px, out.device_data());
#endif
    } else {
        const T* px = x.cdata();
        cpu::unary(op, param, x.size(), px, out.data());
    }
}

template <typename T>
Tensor<T> unary(UnaryOp op, const Tensor<T>& x, T param) {
    Tensor<T> out(x.shape(), x.memory());
    unary(op, x, out, param);
    return out;
}

template <typename T>
void unary_grad(UnaryOp op, const Tensor<T>& x, const Tensor<T>& y, const Tensor<T>& g,
                Tensor<T>& dx, T param) {
    const std::string who = fmt::format("unary_grad({})", to_string(op));
    require_same_shape(who.c_str(), x.shape(), y.shape());
    require_same_shape(who.c_str(), x.shape(), g.shape());
    require_same_shape(who.c_str(), x.shape(), dx.shape());
    if (on_device(who.c_str(), x, y, g, dx)) {
#ifdef MAGMADNN_WITH_CUDA
        const T* px = x.cdevice_data();
        const T* py = y.cdevice_data();
        const T* pg = g.cdevice_data();
        cuda::unary_grad(op, param, x.size(), px, py, pg, dx.device_data());
#endif
    } else {
        const T* px = x.cdata();
        const T* py = y.cdata();
        const T* pg = g.cdata();
        cpu::unary_grad(op, param, x.size(), px, py, pg, dx.data());
    }
}

namespace {
// The broadcast plan of out = op(a, b), after checking out's shape; `who` names the op.
BroadcastPlan checked_broadcast(const char* who, const Shape& a, const Shape& b, const Shape& out) {
    const Shape s = broadcast_shape(a, b, who);
    if (s != out) {
        throw ShapeError(fmt::format("{}: output shape {} but {} op {} broadcasts to {}", who,
                                     to_string(out), to_string(a), to_string(b), to_string(s)));
    }
    return make_broadcast_plan(a, b, s);
}
}  // namespace

template <typename T>
void binary(BinaryOp op, const Tensor<T>& a, const Tensor<T>& b, Tensor<T>& out, T param) {
    const BroadcastPlan plan = checked_broadcast("binary op", a.shape(), b.shape(), out.shape());
    if (on_device("binary op", a, b, out)) {
#ifdef MAGMADNN_WITH_CUDA
        const T* pa = a.cdevice_data();
        const T* pb = b.cdevice_data();
        cuda::binary(op, param, plan, out.size(), pa, pb, out.device_data());
#endif
    } else {
        cpu::binary(op, param, plan, out.size(), a.cdata(), b.cdata(), out.data());
    }
}

template <typename T>
void fused_binary(FusedOp op, const Tensor<T>& a, const Tensor<T>& b, Tensor<T>& out) {
    const std::string who = fmt::format("fused_binary({})", to_string(op));
    const BroadcastPlan plan = checked_broadcast(who.c_str(), a.shape(), b.shape(), out.shape());
    if (on_device(who.c_str(), a, b, out)) {
#ifdef MAGMADNN_WITH_CUDA
        const T* pa = a.cdevice_data();
        const T* pb = b.cdevice_data();
        cuda::fused_binary(op, plan, out.size(), pa, pb, out.device_data());
#endif
    } else {
        cpu::fused_binary(op, plan, out.size(), a.cdata(), b.cdata(), out.data());
    }
}

template <typename T>
void binary_grad(BinaryOp op, int side, const Tensor<T>& a, const Tensor<T>& b, const Tensor<T>& z,
                 const Tensor<T>& g, Tensor<T>& out) {
    const std::string who =
        fmt::format("binary_grad({}, {})", to_string(op), side == 0 ? "a" : "b");
    if (side != 0 && side != 1)
        throw ValueError(fmt::format("{}: side {} is not 0 or 1", who, side));
    const BroadcastPlan plan = checked_broadcast(who.c_str(), a.shape(), b.shape(), z.shape());
    require_same_shape(who.c_str(), z.shape(), g.shape());
    require_same_shape(who.c_str(), z.shape(), out.shape());
    if (on_device(who.c_str(), a, b, z, g, out)) {
#ifdef MAGMADNN_WITH_CUDA
        const T* pa = a.cdevice_data();
        const T* pb = b.cdevice_data();
        const T* pz = z.cdevice_data();
        const T* pg = g.cdevice_data();
        cuda::binary_grad(op, side, plan, out.size(), pa, pb, pz, pg, out.device_data());
#endif
    } else {
        cpu::binary_grad(op, side, plan, out.size(), a.cdata(), b.cdata(), z.cdata(), g.cdata(),
                         out.data());
    }
}

template <typename T>
Tensor<T> binary(BinaryOp op, const Tensor<T>& a, const Tensor<T>& b, T param) {
    Tensor<T> out(broadcast_shape(a.shape(), b.shape(), "binary op"), a.memory());
    binary(op, a, b, out, param);
    return out;
}

template <typename T>
void axpby(T alpha, const Tensor<T>& x, T beta, Tensor<T>& y) {
    require_same_shape("axpby", x.shape(), y.shape());
    const bool dev = on_device("axpby", x, y);
    if (dev) {
#ifdef MAGMADNN_WITH_CUDA
        cuda::axpby(x.size(), alpha, x.cdevice_data(), beta, y.device_data());
#endif
    } else {
        cpu::axpby(x.size(), alpha, x.cdata(), beta, y.data());
    }
}

namespace {
struct ReduceGeometry {
    index_t outer = 1, len = 1, inner = 1;
    Shape out_shape, kept_shape;
};

ReduceGeometry reduce_geometry(const char* op, const Shape& shape, int axis) {
    ReduceGeometry g;
    if (axis == all_axes) {
        g.len = numel(shape);
        g.kept_shape = Shape(shape.size(), 1);
        return g;
    }
    const int a = normalize_axis(op, axis, static_cast<int>(shape.size()));
    for (int i = 0; i < a; ++i) g.outer *= shape[i];
    g.len = shape[a];
    for (std::size_t i = a + 1; i < shape.size(); ++i) g.inner *= shape[i];
    g.out_shape = shape;
    g.out_shape.erase(g.out_shape.begin() + a);
    g.kept_shape = shape;
    g.kept_shape[a] = 1;
    return g;
}
}  // namespace

template <typename T>
void reduce(ReduceOp op, const Tensor<T>& x, int axis, Tensor<T>& out) {
    const ReduceGeometry g = reduce_geometry("reduce", x.shape(), axis);
    if (out.size() != g.outer * g.inner) {
        throw ShapeError(fmt::format("reduce over axis {} of {}: output has shape {}, expected {}",
                                     axis, to_string(x.shape()), to_string(out.shape()),
                                     to_string(g.out_shape)));
    }
    if (g.len == 0 && (op == ReduceOp::max || op == ReduceOp::min)) {
        throw ValueError(
            fmt::format("reduce max/min over an empty axis of shape {}", to_string(x.shape())));
    }
    const bool dev = on_device("reduce", x, out);
    if (dev) {
#ifdef MAGMADNN_WITH_CUDA
        cuda::reduce(op, g.outer, g.len, g.inner, x.cdevice_data(), out.device_data());
#endif
    } else {
        cpu::reduce(op, g.outer, g.len, g.inner, x.cdata(), out.data());
    }
}

template <typename T>
Tensor<T> reduce(ReduceOp op, const Tensor<T>& x, int axis, bool keepdims) {
    const ReduceGeometry g = reduce_geometry("reduce", x.shape(), axis);
    Tensor<T> out(keepdims ? g.kept_shape : g.out_shape, x.memory());
    reduce(op, x, axis, out);
    return out;
}

template <typename T>
void reduce_to_shape(const Tensor<T>& x, Tensor<T>& out) {
    const Shape& xs = x.shape();
    const Shape& os = out.shape();
    if (broadcast_shape(os, xs, "reduce_to_shape") != xs) {
        throw ShapeError(fmt::format("reduce_to_shape: {} does not broadcast to {}", to_string(os),
                                     to_string(xs)));
    }
    if (os == xs) {
        out.copy_from(x);
        return;
    }
    // Reduce the leading axes that os lacks, then each axis where os has 1 and xs does not.
    Tensor<T> cur = x;
    const std::size_t lead = xs.size() - os.size();
    if (lead > 0) {
        index_t rows = 1;
        for (std::size_t i = 0; i < lead; ++i) rows *= xs[i];
        Shape rest(xs.begin() + static_cast<std::ptrdiff_t>(lead), xs.end());
        Tensor<T> summed(rest, x.memory());
        reduce(ReduceOp::sum, cur.reshape({rows, numel(rest)}), 0, summed);
        cur = summed.reshape(rest);
    }
    for (std::size_t i = 0; i < os.size(); ++i) {
        if (os[i] == 1 && cur.shape()[i] != 1) {
            Shape kept = cur.shape();
            kept[i] = 1;
            Tensor<T> r(kept, x.memory());
            reduce(ReduceOp::sum, cur, static_cast<int>(i), r);
            cur = r;
        }
    }
    out.copy_from(cur);
}

template <typename T>
Tensor<std::int32_t> argmax(const Tensor<T>& x, int axis) {
    const ReduceGeometry g = reduce_geometry("argmax", x.shape(), axis);
    if (g.len == 0) {
        throw ValueError(
            fmt::format("argmax over an empty axis of shape {}", to_string(x.shape())));
    }
    Tensor<std::int32_t> out(g.out_shape, x.memory());
    const bool dev = on_device("argmax", x);
    if (dev) {
#ifdef MAGMADNN_WITH_CUDA
        cuda::argmax(g.outer, g.len, g.inner, x.cdevice_data(), out.device_data());
#endif
    } else {
        cpu::argmax(g.outer, g.len, g.inner, x.cdata(), out.data());
    }
    return out;
}

namespace {
template <typename T>
void softmax_impl(const char* op, const Tensor<T>& x, Tensor<T>& out, bool log) {
    require_same_shape(op, x.shape(), out.shape());
    if (x.ndim() == 0) throw ShapeError(fmt::format("{}: needs at least 1 axis", op));
    const index_t cols = x.shape(-1);
    const index_t rows = cols == 0 ? 0 : x.size() / cols;
    const bool dev = on_device(op, x, out);
    if (dev) {
#ifdef MAGMADNN_WITH_CUDA
        const T* px = x.cdevice_data();
        cuda::softmax(rows, cols, px, out.device_data(), log);
#endif
    } else {
        const T* px = x.cdata();
        cpu::softmax(rows, cols, px, out.data(), log);
    }
}
}  // namespace

template <typename T>
void softmax(const Tensor<T>& x, Tensor<T>& out) {
    softmax_impl("softmax", x, out, false);
}
template <typename T>
Tensor<T> softmax(const Tensor<T>& x) {
    Tensor<T> out(x.shape(), x.memory());
    softmax(x, out);
    return out;
}
template <typename T>
void log_softmax(const Tensor<T>& x, Tensor<T>& out) {
    softmax_impl("log_softmax", x, out, true);
}

template <typename T>
void matmul(T alpha, const Tensor<T>& A, bool ta, const Tensor<T>& B, bool tb, T beta,
            Tensor<T>& C) {
    if (A.ndim() != 2 || B.ndim() != 2 || C.ndim() != 2) {
        throw ShapeError(fmt::format("matmul: needs 2-D tensors, got A {} B {} C {}",
                                     to_string(A.shape()), to_string(B.shape()),
                                     to_string(C.shape())));
    }
    const index_t m = ta ? A.shape(1) : A.shape(0);
    const index_t k = ta ? A.shape(0) : A.shape(1);
    const index_t kb = tb ? B.shape(1) : B.shape(0);
    const index_t n = tb ? B.shape(0) : B.shape(1);
    if (k != kb || C.shape(0) != m || C.shape(1) != n) {
        throw ShapeError(fmt::format(
            "matmul: op(A) is {{{}, {}}}, op(B) is {{{}, {}}}, C is {}: need op(A) {{m, k}}, op(B) "
            "{{k, n}}, C {{m, n}}",
            m, k, kb, n, to_string(C.shape())));
    }
    const bool dev = on_device("matmul", A, B, C);
    if (dev) {
#ifdef MAGMADNN_WITH_CUDA
        const T* pa = A.cdevice_data();
        const T* pb = B.cdevice_data();
        cuda::gemm(ta, tb, m, n, k, alpha, pa, A.shape(1), pb, B.shape(1), beta, C.device_data(),
                   n);
#endif
    } else {
        const T* pa = A.cdata();
        const T* pb = B.cdata();
        cpu::gemm(ta, tb, m, n, k, alpha, pa, A.shape(1), pb, B.shape(1), beta, C.data(), n);
    }
}

template <typename T>
Tensor<T> matmul(const Tensor<T>& A, const Tensor<T>& B, bool ta, bool tb) {
    if (A.ndim() != 2 || B.ndim() != 2) {
        throw ShapeError(fmt::format("matmul: needs 2-D tensors, got {} and {}",
                                     to_string(A.shape()), to_string(B.shape())));
    }
    Tensor<T> C({ta ? A.shape(1) : A.shape(0), tb ? B.shape(0) : B.shape(1)}, A.memory());
    matmul(T(1), A, ta, B, tb, T(0), C);
    return C;
}

template <typename T>
Tensor<T> transpose(const Tensor<T>& x) {
    if (x.ndim() != 2) {
        throw ShapeError(
            fmt::format("transpose: needs a 2-D tensor, got {}", to_string(x.shape())));
    }
    Tensor<T> out({x.shape(1), x.shape(0)}, x.memory());
    const bool dev = on_device("transpose", x);
    if (dev) {
#ifdef MAGMADNN_WITH_CUDA
        cuda::transpose(x.shape(0), x.shape(1), x.cdevice_data(), out.device_data());
#endif
    } else {
        cpu::transpose(x.shape(0), x.shape(1), x.cdata(), out.data());
    }
    return out;
}

#define MAGMADNN_INSTANTIATE(T)                                                                \
    template void unary<T>(UnaryOp, const Tensor<T>&, Tensor<T>&, T);                          \
    template Tensor<T> unary<T>(UnaryOp, const Tensor<T>&, T);                                 \
    template void unary_grad<T>(UnaryOp, const Tensor<T>&, const Tensor<T>&, const Tensor<T>&, \
                                Tensor<T>&, T);                                                \
    template void binary<T>(BinaryOp, const Tensor<T>&, const Tensor<T>&, Tensor<T>&, T);      \
    template void fused_binary<T>(FusedOp, const Tensor<T>&, const Tensor<T>&, Tensor<T>&);    \
    template void binary_grad<T>(BinaryOp, int, const Tensor<T>&, const Tensor<T>&,            \
                                 const Tensor<T>&, const Tensor<T>&, Tensor<T>&);              \
    template Tensor<T> binary<T>(BinaryOp, const Tensor<T>&, const Tensor<T>&, T);             \
    template void axpby<T>(T, const Tensor<T>&, T, Tensor<T>&);                                \
    template void reduce<T>(ReduceOp, const Tensor<T>&, int, Tensor<T>&);                      \
    template Tensor<T> reduce<T>(ReduceOp, const Tensor<T>&, int, bool);                       \
    template void reduce_to_shape<T>(const Tensor<T>&, Tensor<T>&);                            \
    template Tensor<std::int32_t> argmax<T>(const Tensor<T>&, int);                            \
    template void softmax<T>(const Tensor<T>&, Tensor<T>&);                                    \
    template Tensor<T> softmax<T>(const Tensor<T>&);                                           \
    template void log_softmax<T>(const Tensor<T>&, Tensor<T>&);                                \
    template void matmul<T>(T, const Tensor<T>&, bool, const Tensor<T>&, bool, T, Tensor<T>&); \
    template Tensor<T> matmul<T>(const Tensor<T>&, const Tensor<T>&, bool, bool);              \
    template Tensor<T> transpose<T>(const Tensor<T>&);
MAGMADNN_INSTANTIATE(float)
MAGMADNN_INSTANTIATE(double)
#undef MAGMADNN_INSTANTIATE

}  // namespace magmadnn::math
