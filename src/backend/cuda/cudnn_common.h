#pragma once
// Private (cuDNN builds only): what the cuDNN wrappers share: error context and status checks,
// data-type constants, RAII descriptors, and one cuDNN handle per thread and device (shared by
// convolution, pooling and batch normalisation).
#include <cuda_runtime.h>
#include <cudnn.h>
#include <fmt/format.h>

#include <array>
#include <climits>
#include <map>
#include <string>
#include <type_traits>

#include "core/cuda_check.h"
#include "magmadnn/core/error.h"
#include "magmadnn/core/tensor.h"

namespace magmadnn::conv::cudnn::detail {

// What an error message names: the op and the problem's shapes and dtype.
struct Context {
    std::string who;
    std::string shapes;
};

inline void check(cudnnStatus_t st, const char* call, const Context& ctx) {
    if (st == CUDNN_STATUS_SUCCESS) return;
    std::array<char, 1024> detail{};
    cudnnGetLastErrorString(detail.data(), detail.size());
    throw DeviceError(fmt::format("{}: {} failed for {}: {}{}{}", ctx.who, call, ctx.shapes,
                                  cudnnGetErrorString(st),
                                  detail[0] != '\0' ? "; cuDNN says: " : "", detail.data()));
}

template <typename T>
constexpr cudnnDataType_t kDataType =
    std::is_same_v<T, double> ? CUDNN_DATA_DOUBLE : CUDNN_DATA_FLOAT;
template <typename T>
constexpr const char* kDtypeName = std::is_same_v<T, double> ? "f64" : "f32";

inline int to_int(index_t v, const Context& ctx) {
    if (v > INT_MAX) {
        throw UnsupportedError(
            fmt::format("{}: extent {} exceeds cuDNN's int range ({}); use smaller batches",
                        ctx.who, v, ctx.shapes));
    }
    return static_cast<int>(v);
}

inline int current_device() {
    int d = 0;
    MAGMADNN_CUDA_CHECK(cudaGetDevice(&d), "cuDNN: cudaGetDevice");
    return d;
}

// A tensor the cuDNN path reads or writes: in GPU memory, with the problem's element count.
template <typename T>
void require_gpu(const Tensor<T>& t, const char* what, index_t elements, const Context& ctx) {
    if (t.memory() == HOST) {
        throw DeviceError(fmt::format(
            "{}: {} is in HOST memory, the cuDNN path needs every tensor in GPU memory ({})",
            ctx.who, what, ctx.shapes));
    }
    if (t.size() != elements) {
        throw ShapeError(fmt::format("{}: {} has shape {} ({} elements), the problem needs {} ({})",
                                     ctx.who, what, magmadnn::to_string(t.shape()), t.size(),
                                     elements, ctx.shapes));
    }
}

// One owned cuDNN descriptor.
template <typename D, cudnnStatus_t (*Create)(D*), cudnnStatus_t (*Destroy)(D)>
class Descriptor {
  public:
    explicit Descriptor(const Context& ctx) { check(Create(&d_), "creating a descriptor", ctx); }
    ~Descriptor() {
        if (d_ != nullptr) Destroy(d_);
    }
    Descriptor(const Descriptor&) = delete;
    Descriptor& operator=(const Descriptor&) = delete;
    D get() const { return d_; }

  private:
    D d_ = nullptr;
};
using TensorDesc =
    Descriptor<cudnnTensorDescriptor_t, cudnnCreateTensorDescriptor, cudnnDestroyTensorDescriptor>;

class Handle {
  public:
    explicit Handle(const Context& ctx) {
        check(cudnnCreate(&h_), "cudnnCreate", ctx);
        // the legacy default stream, which every other kernel and cuBLAS call of the library uses
        const cudnnStatus_t st = cudnnSetStream(h_, nullptr);
        if (st != CUDNN_STATUS_SUCCESS) {
            cudnnDestroy(h_);
            check(st, "cudnnSetStream", ctx);
        }
    }
    ~Handle() { cudnnDestroy(h_); }
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    cudnnHandle_t get() const { return h_; }

  private:
    cudnnHandle_t h_ = nullptr;
};

// One handle per thread and device, created on first use (cudnnCreate costs milliseconds).
inline cudnnHandle_t handle(int device, const Context& ctx) {
    thread_local std::map<int, Handle> handles;
    auto it = handles.find(device);
    if (it == handles.end()) it = handles.try_emplace(device, ctx).first;
    return it->second.get();
}

}  // namespace magmadnn::conv::cudnn::detail
