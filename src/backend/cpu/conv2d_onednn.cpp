// oneDNN's convolution primitive (C API, f32, plain NCHW / OIHW layouts so no reorders are
// needed). Primitives are created once per (shape, pass) and cached; the data pointers are
// bound at each call.
#include <fmt/format.h>
#include <oneapi/dnnl/dnnl.h>

#include <map>
#include <mutex>
#include <utility>

#include "conv2d.h"
#include "magmadnn/core/error.h"

namespace magmadnn::conv::cpu {

namespace {

void check(dnnl_status_t st, const char* what, const Shape2d& p) {
    if (st != dnnl_success) {
        throw Error(
            fmt::format("conv (onednn): {} failed with status {} for problem {}; use "
                        "another algorithm (MAGMADNN_CONV_ALGO=im2col)",
                        what, static_cast<int>(st), p.key()));
    }
}

dnnl_engine_t engine() {
    static dnnl_engine_t e = [] {
        dnnl_engine_t eng = nullptr;
        if (dnnl_engine_create(&eng, dnnl_cpu, 0) != dnnl_success) {
            throw Error("conv (onednn): cannot create the CPU engine");
        }
        return eng;
    }();
    return e;
}

enum Pass { fwd = 0, bwd_data = 1, bwd_weights = 2 };

// Owns its primitive: the cache lives until exit, and a primitive left undestroyed is a leak.
struct Prim {
    dnnl_primitive_t prim = nullptr;
    dnnl_memory_desc_t src, wei, dst;
    Prim() = default;
    Prim(const Prim&) = delete;
    Prim& operator=(const Prim&) = delete;
    Prim(Prim&& o) noexcept
        : prim(std::exchange(o.prim, nullptr)), src(o.src), wei(o.wei), dst(o.dst) {}
    Prim& operator=(Prim&&) = delete;
    ~Prim() {
        if (prim != nullptr) dnnl_primitive_destroy(prim);
    }
};

Prim make(const Shape2d& p, Pass pass) {
    Prim out;
    const dnnl_dims_t src_dims = {p.n, p.c, p.h, p.w};
    const dnnl_dims_t dst_dims = {p.n, p.k, p.out_h(), p.out_w()};
    check(dnnl_memory_desc_init_by_tag(&out.src, 4, src_dims, dnnl_f32, dnnl_nchw), "src desc", p);
    check(dnnl_memory_desc_init_by_tag(&out.dst, 4, dst_dims, dnnl_f32, dnnl_nchw), "dst desc", p);
    if (p.groups == 1) {
        const dnnl_dims_t wd = {p.k, p.c, p.r, p.s};
        check(dnnl_memory_desc_init_by_tag(&out.wei, 4, wd, dnnl_f32, dnnl_oihw), "weights", p);
    } else {
        const dnnl_dims_t wd = {p.groups, p.k / p.groups, p.c / p.groups, p.r, p.s};
        check(dnnl_memory_desc_init_by_tag(&out.wei, 5, wd, dnnl_f32, dnnl_goihw), "weights", p);
    }
    const dnnl_dims_t strides = {p.stride_h, p.stride_w};
    const dnnl_dims_t dil = {p.dil_h - 1, p.dil_w - 1};
    const dnnl_dims_t pad_l = {p.pad_h, p.pad_w};
    const dnnl_dims_t pad_r = {
        (p.out_h() - 1) * p.stride_h + (p.r - 1) * p.dil_h + 1 - p.h - p.pad_h,
        (p.out_w() - 1) * p.stride_w + (p.s - 1) * p.dil_w + 1 - p.w - p.pad_w};
    dnnl_convolution_desc_t fd;
    check(dnnl_dilated_convolution_forward_desc_init(&fd, dnnl_forward_training,
                                                     dnnl_convolution_direct, &out.src, &out.wei,
                                                     nullptr, &out.dst, strides, dil, pad_l, pad_r),
          "forward desc", p);
    dnnl_primitive_desc_t fpd = nullptr;
    check(dnnl_primitive_desc_create(&fpd, &fd, nullptr, engine(), nullptr), "forward pd", p);
    dnnl_primitive_desc_t pd = fpd;
    if (pass == bwd_data) {
        dnnl_convolution_desc_t bd;
        check(dnnl_dilated_convolution_backward_data_desc_init(&bd, dnnl_convolution_direct,
                                                               &out.src, &out.wei, &out.dst,
                                                               strides, dil, pad_l, pad_r),
              "backward-data desc", p);
        check(dnnl_primitive_desc_create(&pd, &bd, nullptr, engine(), fpd), "backward-data pd", p);
    } else if (pass == bwd_weights) {
        dnnl_convolution_desc_t bd;
        check(dnnl_dilated_convolution_backward_weights_desc_init(
                  &bd, dnnl_convolution_direct, &out.src, &out.wei, nullptr, &out.dst, strides, dil,
                  pad_l, pad_r),
              "backward-weights desc", p);
        check(dnnl_primitive_desc_create(&pd, &bd, nullptr, engine(), fpd), "backward-weights pd",
              p);
    }
    check(dnnl_primitive_create(&out.prim, pd), "primitive", p);
    if (pd != fpd) dnnl_primitive_desc_destroy(pd);
    dnnl_primitive_desc_destroy(fpd);
    return out;
}

const Prim& get(const Shape2d& p, Pass pass) {
    static std::mutex mu;
    static std::map<std::string, Prim> cache;
    const std::string key = fmt::format("{}:{}", static_cast<int>(pass), p.key());
    std::lock_guard lock(mu);
    auto it = cache.find(key);
    if (it == cache.end()) it = cache.emplace(key, make(p, pass)).first;
    return it->second;
}

void exec(const Shape2d& p, Pass pass, const float* src, const float* wei, const float* dst) {
    const Prim& pr = get(p, pass);
    dnnl_memory_t ms = nullptr, mw = nullptr, md = nullptr;
    check(dnnl_memory_create(&ms, &pr.src, engine(), const_cast<float*>(src)), "memory", p);
    check(dnnl_memory_create(&mw, &pr.wei, engine(), const_cast<float*>(wei)), "memory", p);
    check(dnnl_memory_create(&md, &pr.dst, engine(), const_cast<float*>(dst)), "memory", p);
    dnnl_stream_t stream = nullptr;
    check(dnnl_stream_create(&stream, engine(), dnnl_stream_default_flags), "stream", p);
    dnnl_exec_arg_t args[3];
    if (pass == fwd) {
        args[0] = {DNNL_ARG_SRC, ms};
        args[1] = {DNNL_ARG_WEIGHTS, mw};
        args[2] = {DNNL_ARG_DST, md};
    } else if (pass == bwd_data) {
        args[0] = {DNNL_ARG_DIFF_SRC, ms};
        args[1] = {DNNL_ARG_WEIGHTS, mw};
        args[2] = {DNNL_ARG_DIFF_DST, md};
    } else {
        args[0] = {DNNL_ARG_SRC, ms};
        args[1] = {DNNL_ARG_DIFF_WEIGHTS, mw};
        args[2] = {DNNL_ARG_DIFF_DST, md};
    }
    const dnnl_status_t st = dnnl_primitive_execute(pr.prim, stream, 3, args);
    dnnl_stream_wait(stream);
    dnnl_stream_destroy(stream);
    dnnl_memory_destroy(ms);
    dnnl_memory_destroy(mw);
    dnnl_memory_destroy(md);
    check(st, "execute", p);
}

}  // namespace

void onednn_forward(const Shape2d& p, const float* x, const float* w, float* y) {
    exec(p, fwd, x, w, y);
}
void onednn_backward_data(const Shape2d& p, const float* dy, const float* w, float* dx) {
    exec(p, bwd_data, dx, w, dy);
}
void onednn_backward_weights(const Shape2d& p, const float* x, const float* dy, float* dw) {
    exec(p, bwd_weights, x, dw, dy);
}

}  // namespace magmadnn::conv::cpu
