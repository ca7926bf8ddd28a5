// The CUDA dropout kernel (see backend/dropout.h): the host kernel's draws in a grid-stride loop.
#include "../dropout.h"
#include "launch.h"
#include "magmadnn/core/random.h"

namespace magmadnn::dropout::cuda {

namespace {

template <typename T>
__global__ void apply_kernel(index_t n, const T* x, T* out, T keep_scale, double threshold,
                             std::uint64_t seed, std::uint64_t stream) {
    for (index_t i = blockIdx.x * index_t(blockDim.x) + threadIdx.x; i < n;
         i += index_t(blockDim.x) * gridDim.x) {
        const bool keep = random::uniform(seed, stream, static_cast<std::uint64_t>(i)) > threshold;
        out[i] = x[i] * (keep ? keep_scale : T(0));
    }
}

}  // namespace

template <typename T>
void apply(index_t n, const T* x, T* out, T rate, std::uint64_t seed, std::uint64_t stream) {
    if (n == 0) return;
    using math::cuda::blocks_for;
    using math::cuda::kThreads;
    apply_kernel<<<blocks_for(n), kThreads>>>(n, x, out, T(1) / (T(1) - rate), double(rate), seed,
                                              stream);
    math::cuda::check_launch("dropout");
}

template void apply<float>(index_t, const float*, float*, float, std::uint64_t, std::uint64_t);
template void apply<double>(index_t, const double*, double*, double, std::uint64_t, std::uint64_t);

}  // namespace magmadnn::dropout::cuda
