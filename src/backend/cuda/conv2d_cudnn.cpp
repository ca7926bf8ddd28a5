// cuDNN convolution for GPU tensors (see conv2d_cudnn.h): the plan's descriptors, the measured
// algorithm choice and its process-wide cache, the per-thread workspace. Pooling is
// pool2d_cudnn.cpp; the shared descriptors and handles are cudnn_common.h.
#include "conv2d_cudnn.h"

#include <cuda_runtime.h>
#include <cudnn.h>
#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <type_traits>
#include <vector>

#include "conv2d_cudnn_kernels.h"
#include "core/cuda_check.h"
#include "cudnn_common.h"
#include "magmadnn/core/error.h"

namespace magmadnn::conv::cudnn {

using detail::check;
using detail::Context;
using detail::current_device;
using detail::Descriptor;
using detail::handle;
using detail::kDataType;
using detail::kDtypeName;
using detail::require_gpu;
using detail::TensorDesc;
using detail::to_int;

namespace {

// f32 without TF32 tensor cores (see the header); f64 has no reduced-precision kernels.
template <typename T>
constexpr cudnnMathType_t kMath = std::is_same_v<T, double> ? CUDNN_DEFAULT_MATH : CUDNN_FMA_MATH;

using FilterDesc =
    Descriptor<cudnnFilterDescriptor_t, cudnnCreateFilterDescriptor, cudnnDestroyFilterDescriptor>;
using ConvDesc = Descriptor<cudnnConvolutionDescriptor_t, cudnnCreateConvolutionDescriptor,
                            cudnnDestroyConvolutionDescriptor>;

// The running workspace: one block per thread and device from the caching allocator, grown to
// the largest request. Kernels are stream-ordered, so a block given back while a kernel still
// reads it is only reused by work queued after that kernel.
void* workspace(int device, std::size_t bytes) {
    if (bytes == 0) return nullptr;
    thread_local std::map<int, Tensor<std::uint8_t>> blocks;
    Tensor<std::uint8_t>& b = blocks[device];
    if (static_cast<std::size_t>(b.size()) < bytes) {
        b = Tensor<std::uint8_t>();  // back to the cache before the larger one is taken
        b = Tensor<std::uint8_t>({static_cast<index_t>(bytes)}, DEVICE);
    }
    return b.device_data();
}

// --- the measured algorithm choice ---

struct Choice {
    int algo = 0;
    cudnnMathType_t math = CUDNN_DEFAULT_MATH;
    std::size_t workspace = 0;
};

std::mutex choice_mutex;
std::map<std::string, Choice> choice_cache;  // "<pass>|<dtype>|cuda<device>|<Shape2d::key()>"

Choice cached_or_found(const std::string& key, const std::function<Choice()>& find) {
    {
        std::lock_guard lock(choice_mutex);
        if (auto it = choice_cache.find(key); it != choice_cache.end()) return it->second;
    }
    const Choice c = find();  // unlocked: a search takes milliseconds to seconds
    std::lock_guard lock(choice_mutex);
    return choice_cache.try_emplace(key, c).first->second;
}

// The fastest result that ran; f32 results must be FMA math (no TF32), and no pass may convert
// its inputs down to f16 / bf16. The search tries the descriptor's math type and
// CUDNN_DEFAULT_MATH, so it may report each algorithm twice: room for 2 x MaxCount results is
// asked for, so that the FMA variants are not cut off behind the TF32 ones.
template <typename Perf>
std::optional<Choice> pick(const std::vector<Perf>& perf, int returned, bool fp32) {
    const int n = std::min(returned, static_cast<int>(perf.size()));
    for (int i = 0; i < n; ++i) {
        const Perf& r = perf[static_cast<std::size_t>(i)];
        if (r.status != CUDNN_STATUS_SUCCESS) continue;
        if (r.mathType == CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION) continue;
        if (fp32 && r.mathType != CUDNN_FMA_MATH) continue;
        return Choice{static_cast<int>(r.algo), r.mathType, r.memory};
    }
    return std::nullopt;
}

// The workspace for the timed search: the most any algorithm asks for, within 3/4 of the free
// device memory (an algorithm that needs more is then left out of the search).
std::size_t search_workspace(int algos,
                             const std::function<cudnnStatus_t(int, std::size_t*)>& size_of) {
    std::size_t need = 0;
    for (int a = 0; a < algos; ++a) {
        std::size_t s = 0;
        if (size_of(a, &s) == CUDNN_STATUS_SUCCESS) need = std::max(need, s);
    }
    std::size_t free_bytes = 0, total_bytes = 0;
    if (cudaMemGetInfo(&free_bytes, &total_bytes) == cudaSuccess) {
        need = std::min(need, free_bytes / 4 * 3);
    } else {
        cudaGetLastError();  // not sticky; the search then runs with the full request
    }
    return need;
}

// A temporary block for the search; out of memory leaves it empty (zero-workspace algorithms
// are still searched).
Tensor<std::uint8_t> search_block(std::size_t& bytes) {
    if (bytes == 0) return {};
    try {
        return Tensor<std::uint8_t>({static_cast<index_t>(bytes)}, DEVICE);
    } catch (const DeviceError&) {
        bytes = 0;
        return {};
    }
}

template <typename T>
std::string describe(const Shape2d& p) {
    return fmt::format(
        "input {{{}, {}, {}, {}}}, filter {{{}, {}, {}, {}}}, output {{{}, {}, {}, {}}}, stride "
        "{{{}, {}}}, padding {{{}, {}}}, dilation {{{}, {}}}, groups {}, {}",
        p.n, p.c, p.h, p.w, p.k, p.c / p.groups, p.r, p.s, p.n, p.k, p.out_h(), p.out_w(),
        p.stride_h, p.stride_w, p.pad_h, p.pad_w, p.dil_h, p.dil_w, p.groups, kDtypeName<T>);
}

}  // namespace

// --- convolution ---

template <typename T>
struct Conv2d<T>::Impl {
    Impl(const Shape2d& shape, std::string who)
        : p(shape),
          ctx{std::move(who), describe<T>(shape)},
          device(current_device()),
          x(ctx),
          y(ctx),
          w(ctx),
          conv(ctx) {
        const auto I = [&](index_t v) { return to_int(v, ctx); };
        const cudnnDataType_t dt = kDataType<T>;
        check(cudnnSetTensor4dDescriptor(x.get(), CUDNN_TENSOR_NCHW, dt, I(p.n), I(p.c), I(p.h),
                                         I(p.w)),
              "cudnnSetTensor4dDescriptor (input)", ctx);
        check(cudnnSetTensor4dDescriptor(y.get(), CUDNN_TENSOR_NCHW, dt, I(p.n), I(p.k),
                                         I(p.out_h()), I(p.out_w())),
              "cudnnSetTensor4dDescriptor (output)", ctx);
        // grouped: the filter holds c / groups input channels, the group count goes to `conv`
        check(cudnnSetFilter4dDescriptor(w.get(), dt, CUDNN_TENSOR_NCHW, I(p.k), I(p.c / p.groups),
                                         I(p.r), I(p.s)),
              "cudnnSetFilter4dDescriptor", ctx);
        check(cudnnSetConvolution2dDescriptor(conv.get(), I(p.pad_h), I(p.pad_w), I(p.stride_h),
                                              I(p.stride_w), I(p.dil_h), I(p.dil_w),
                                              CUDNN_CROSS_CORRELATION, dt),
              "cudnnSetConvolution2dDescriptor", ctx);
        check(cudnnSetConvolutionGroupCount(conv.get(), I(p.groups)),
              "cudnnSetConvolutionGroupCount", ctx);
        check(cudnnSetConvolutionMathType(conv.get(), kMath<T>), "cudnnSetConvolutionMathType",
              ctx);
        int on = 0, ok = 0, oh = 0, ow = 0;
        check(
            cudnnGetConvolution2dForwardOutputDim(conv.get(), x.get(), w.get(), &on, &ok, &oh, &ow),
            "cudnnGetConvolution2dForwardOutputDim", ctx);
        if (on != p.n || ok != p.k || oh != p.out_h() || ow != p.out_w()) {
            throw ShapeError(fmt::format("{}: cuDNN computes the output {{{}, {}, {}, {}}} for {}",
                                         ctx.who, on, ok, oh, ow, ctx.shapes));
        }
    }

    std::string key(const char* pass) const {
        return fmt::format("{}|{}|cuda{}|{}", pass, kDtypeName<T>, device, p.key());
    }
    index_t x_size() const { return p.n * p.c * p.h * p.w; }
    index_t w_size() const { return p.k * (p.c / p.groups) * p.r * p.s; }
    index_t y_size() const { return p.n * p.k * p.out_h() * p.out_w(); }

    // Sets the chosen algorithm's math type (the three passes share `conv`) and returns the
    // workspace.
    void* prepare(const Choice& c) {
        check(cudnnSetConvolutionMathType(conv.get(), c.math), "cudnnSetConvolutionMathType", ctx);
        return workspace(device, c.workspace);
    }

    // The chosen algorithm's own workspace query can exceed what the search reported.
    template <typename F>
    Choice finish(std::optional<Choice> found, int fallback, F&& size_of, const char* query) {
        Choice c = found.value_or(Choice{fallback, kMath<T>, 0});
        check(cudnnSetConvolutionMathType(conv.get(), c.math), "cudnnSetConvolutionMathType", ctx);
        std::size_t s = 0;
        check(size_of(c.algo, &s), query, ctx);
        c.workspace = std::max(c.workspace, s);
        check(cudnnSetConvolutionMathType(conv.get(), kMath<T>), "cudnnSetConvolutionMathType",
              ctx);
        return c;
    }

    // The timed search every pass runs: cuDNN's algorithm count, a search workspace as large as
    // the hungriest algorithm asks, cuDNN's Find on the real buffers, the pick, the fallback.
    template <typename Perf, typename SizeOf, typename Find>
    Choice search(cudnnStatus_t (*max_count)(cudnnHandle_t, int*), cudnnHandle_t h,
                  SizeOf&& size_of, Find&& find, int fallback, const char* pass) {
        check(cudnnSetConvolutionMathType(conv.get(), kMath<T>), "cudnnSetConvolutionMathType",
              ctx);
        int count = 0;
        check(max_count(h, &count), fmt::format("cudnnGet{}AlgorithmMaxCount", pass).c_str(), ctx);
        std::size_t bytes = search_workspace(count, size_of);
        Tensor<std::uint8_t> block = search_block(bytes);
        std::vector<Perf> perf(2 * static_cast<std::size_t>(count));
        int returned = 0;
        check(find(2 * count, &returned, perf.data(), bytes > 0 ? block.device_data() : nullptr,
                   bytes),
              fmt::format("cudnnFind{}AlgorithmEx", pass).c_str(), ctx);
        return finish(pick(perf, returned, !std::is_same_v<T, double>), fallback, size_of,
                      fmt::format("cudnnGet{}WorkspaceSize", pass).c_str());
    }

    Choice find_forward(cudnnHandle_t h, const T* xp, const T* wp, T* yp) {
        const auto size_of = [&](int a, std::size_t* s) {
            return cudnnGetConvolutionForwardWorkspaceSize(
                h, x.get(), w.get(), conv.get(), y.get(), static_cast<cudnnConvolutionFwdAlgo_t>(a),
                s);
        };
        const auto find = [&](int n, int* returned, cudnnConvolutionFwdAlgoPerf_t* perf, void* ws,
                              std::size_t bytes) {
            return cudnnFindConvolutionForwardAlgorithmEx(
                h, x.get(), xp, w.get(), wp, conv.get(), y.get(), yp, n, returned, perf, ws, bytes);
        };
        return search<cudnnConvolutionFwdAlgoPerf_t>(
            cudnnGetConvolutionForwardAlgorithmMaxCount, h, size_of, find,
            CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM, "ConvolutionForward");
    }

    Choice find_backward_data(cudnnHandle_t h, const T* dyp, const T* wp, T* dxp) {
        const auto size_of = [&](int a, std::size_t* s) {
            return cudnnGetConvolutionBackwardDataWorkspaceSize(
                h, w.get(), y.get(), conv.get(), x.get(),
                static_cast<cudnnConvolutionBwdDataAlgo_t>(a), s);
        };
        const auto find = [&](int n, int* returned, cudnnConvolutionBwdDataAlgoPerf_t* perf,
                              void* ws, std::size_t bytes) {
            return cudnnFindConvolutionBackwardDataAlgorithmEx(h, w.get(), wp, y.get(), dyp,
                                                               conv.get(), x.get(), dxp, n,
                                                               returned, perf, ws, bytes);
        };
        return search<cudnnConvolutionBwdDataAlgoPerf_t>(
            cudnnGetConvolutionBackwardDataAlgorithmMaxCount, h, size_of, find,
            CUDNN_CONVOLUTION_BWD_DATA_ALGO_0, "ConvolutionBackwardData");
    }

    Choice find_backward_filter(cudnnHandle_t h, const T* xp, const T* dyp, T* dwp) {
        const auto size_of = [&](int a, std::size_t* s) {
            return cudnnGetConvolutionBackwardFilterWorkspaceSize(
                h, x.get(), y.get(), conv.get(), w.get(),
                static_cast<cudnnConvolutionBwdFilterAlgo_t>(a), s);
        };
        const auto find = [&](int n, int* returned, cudnnConvolutionBwdFilterAlgoPerf_t* perf,
                              void* ws, std::size_t bytes) {
            return cudnnFindConvolutionBackwardFilterAlgorithmEx(h, x.get(), xp, y.get(), dyp,
                                                                 conv.get(), w.get(), dwp, n,
                                                                 returned, perf, ws, bytes);
        };
        return search<cudnnConvolutionBwdFilterAlgoPerf_t>(
            cudnnGetConvolutionBackwardFilterAlgorithmMaxCount, h, size_of, find,
            CUDNN_CONVOLUTION_BWD_FILTER_ALGO_0, "ConvolutionBackwardFilter");
    }

    Shape2d p;
    Context ctx;
    int device;
    TensorDesc x, y;  // y also describes dy, x also dx
    FilterDesc w;     // and dw
    ConvDesc conv;
    std::optional<Choice> fwd, bwd_data, bwd_filter;  // this plan's copy of the cached choices
};

template <typename T>
Conv2d<T>::Conv2d(const Shape2d& p, std::string who) {
    p.validate(who);
    impl_ = std::make_unique<Impl>(p, std::move(who));
}
template <typename T>
Conv2d<T>::~Conv2d() = default;
template <typename T>
Conv2d<T>::Conv2d(Conv2d&&) noexcept = default;
template <typename T>
Conv2d<T>& Conv2d<T>::operator=(Conv2d&&) noexcept = default;

// alpha and beta point to T: cuDNN reads double scaling factors for double data, float otherwise.
template <typename T>
void Conv2d<T>::forward(const Tensor<T>& x, const Tensor<T>& w, Tensor<T>& y) {
    Impl& m = *impl_;
    require_gpu(x, "the input", m.x_size(), m.ctx);
    require_gpu(w, "the filter", m.w_size(), m.ctx);
    require_gpu(y, "the output", m.y_size(), m.ctx);
    const cudnnHandle_t h = handle(m.device, m.ctx);
    const T* xp = x.cdevice_data();
    const T* wp = w.cdevice_data();
    T* yp = y.device_data();
    if (!m.fwd) {
        m.fwd = cached_or_found(m.key("fwd"), [&] { return m.find_forward(h, xp, wp, yp); });
    }
    void* ws = m.prepare(*m.fwd);
    const T one(1), zero(0);
    check(cudnnConvolutionForward(h, &one, m.x.get(), xp, m.w.get(), wp, m.conv.get(),
                                  static_cast<cudnnConvolutionFwdAlgo_t>(m.fwd->algo), ws,
                                  m.fwd->workspace, &zero, m.y.get(), yp),
          "cudnnConvolutionForward", m.ctx);
}

template <typename T>
void Conv2d<T>::backward_data(const Tensor<T>& dy, const Tensor<T>& w, Tensor<T>& dx) {
    Impl& m = *impl_;
    require_gpu(dy, "the output gradient", m.y_size(), m.ctx);
    require_gpu(w, "the filter", m.w_size(), m.ctx);
    require_gpu(dx, "the input gradient", m.x_size(), m.ctx);
    const cudnnHandle_t h = handle(m.device, m.ctx);
    const T* dyp = dy.cdevice_data();
    const T* wp = w.cdevice_data();
    T* dxp = dx.device_data();
    if (!m.bwd_data) {
        m.bwd_data = cached_or_found(m.key("bwd_data"),
                                     [&] { return m.find_backward_data(h, dyp, wp, dxp); });
    }
    void* ws = m.prepare(*m.bwd_data);
    const T one(1), zero(0);
    check(cudnnConvolutionBackwardData(h, &one, m.w.get(), wp, m.y.get(), dyp, m.conv.get(),
                                       static_cast<cudnnConvolutionBwdDataAlgo_t>(m.bwd_data->algo),
                                       ws, m.bwd_data->workspace, &zero, m.x.get(), dxp),
          "cudnnConvolutionBackwardData", m.ctx);
}

template <typename T>
void Conv2d<T>::backward_filter(const Tensor<T>& x, const Tensor<T>& dy, Tensor<T>& dw) {
    Impl& m = *impl_;
    require_gpu(x, "the input", m.x_size(), m.ctx);
    require_gpu(dy, "the output gradient", m.y_size(), m.ctx);
    require_gpu(dw, "the filter gradient", m.w_size(), m.ctx);
    const cudnnHandle_t h = handle(m.device, m.ctx);
    const T* xp = x.cdevice_data();
    const T* dyp = dy.cdevice_data();
    T* dwp = dw.device_data();
    if (!m.bwd_filter) {
        m.bwd_filter = cached_or_found(m.key("bwd_filter"),
                                       [&] { return m.find_backward_filter(h, xp, dyp, dwp); });
    }
    void* ws = m.prepare(*m.bwd_filter);
    const T one(1), zero(0);
    check(cudnnConvolutionBackwardFilter(
              h, &one, m.x.get(), xp, m.y.get(), dyp, m.conv.get(),
              static_cast<cudnnConvolutionBwdFilterAlgo_t>(m.bwd_filter->algo), ws,
              m.bwd_filter->workspace, &zero, m.w.get(), dwp),
          "cudnnConvolutionBackwardFilter", m.ctx);
}

template <typename T>
void Conv2d<T>::add_bias(const Tensor<T>& b, Tensor<T>& y) {
    const Impl& m = *impl_;
    require_gpu(b, "the bias", m.p.k, m.ctx);
    require_gpu(y, "the output", m.y_size(), m.ctx);
    kernels::bias_add(m.p.n, m.p.k, m.p.out_h() * m.p.out_w(), b.cdevice_data(), y.device_data());
}

template <typename T>
void Conv2d<T>::backward_bias(const Tensor<T>& dy, Tensor<T>& db) {
    const Impl& m = *impl_;
    require_gpu(dy, "the output gradient", m.y_size(), m.ctx);
    require_gpu(db, "the bias gradient", m.p.k, m.ctx);
    kernels::bias_grad(m.p.n, m.p.k, m.p.out_h() * m.p.out_w(), dy.cdevice_data(),
                       db.device_data());
}

// --- the conv:: passes: a plan per problem, kept by the calling thread ---

namespace {

template <typename T>
Conv2d<T>& plan_for(const Shape2d& p) {
    thread_local std::map<std::string, Conv2d<T>> plans;
    const std::string key = fmt::format("cuda{}|{}", current_device(), p.key());
    auto it = plans.find(key);
    if (it == plans.end()) it = plans.try_emplace(key, p, std::string("conv (cuDNN)")).first;
    return it->second;
}

}  // namespace

template <typename T>
void forward(const Shape2d& p, const Tensor<T>& x, const Tensor<T>& w, Tensor<T>& y) {
    plan_for<T>(p).forward(x, w, y);
}
template <typename T>
void backward_data(const Shape2d& p, const Tensor<T>& dy, const Tensor<T>& w, Tensor<T>& dx) {
    plan_for<T>(p).backward_data(dy, w, dx);
}
template <typename T>
void backward_weights(const Shape2d& p, const Tensor<T>& x, const Tensor<T>& dy, Tensor<T>& dw) {
    plan_for<T>(p).backward_filter(x, dy, dw);
}

#define MAGMADNN_INSTANTIATE(T)                                                               \
    template class Conv2d<T>;                                                                 \
    template void forward<T>(const Shape2d&, const Tensor<T>&, const Tensor<T>&, Tensor<T>&); \
    template void backward_data<T>(const Shape2d&, const Tensor<T>&, const Tensor<T>&,        \
                                   Tensor<T>&);                                               \
    template void backward_weights<T>(const Shape2d&, const Tensor<T>&, const Tensor<T>&,     \
                                      Tensor<T>&);
MAGMADNN_INSTANTIATE(float)
MAGMADNN_INSTANTIATE(double)
#undef MAGMADNN_INSTANTIATE

}  // namespace magmadnn::conv::cudnn
