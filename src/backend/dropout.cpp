#include "dropout.h"

#include <fmt/format.h>

#include "magmadnn/core/error.h"

namespace magmadnn::dropout {

template <typename T>
void apply(const Tensor<T>& x, Tensor<T>& out, T rate, std::uint64_t seed, std::uint64_t stream,
           const char* who) {
    if (x.shape() != out.shape()) {
        throw ShapeError(fmt::format("{}: input {} and output {} differ in shape", who,
                                     to_string(x.shape()), to_string(out.shape())));
    }
    const bool gpu = x.memory() != HOST;
    if (gpu != (out.memory() != HOST)) {
        throw DeviceError(fmt::format("{}: input in {} memory, output in {}; move them to one side",
                                      who, to_string(x.memory()), to_string(out.memory())));
    }
    if (gpu) {
#ifdef MAGMADNN_WITH_CUDA
        cuda::apply(x.size(), x.cdevice_data(), out.device_data(), rate, seed, stream);
        return;
#else
        throw DeviceError(fmt::format("{}: GPU memory in a build without CUDA", who));
#endif
    }
    cpu::apply(x.size(), x.cdata(), out.data(), rate, seed, stream);
}

template void apply<float>(const Tensor<float>&, Tensor<float>&, float, std::uint64_t,
                           std::uint64_t, const char*);
template void apply<double>(const Tensor<double>&, Tensor<double>&, double, std::uint64_t,
                            std::uint64_t, const char*);

}  // namespace magmadnn::dropout
