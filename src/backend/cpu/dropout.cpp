// The host dropout kernel (see backend/dropout.h).
#include "../dropout.h"

#include "magmadnn/core/random.h"

namespace magmadnn::dropout::cpu {

template <typename T>
void apply(index_t n, const T* x, T* out, T rate, std::uint64_t seed, std::uint64_t stream) {
    const T keep_scale = T(1) / (T(1) - rate);
    const double threshold = double(rate);
#pragma omp parallel for if (n > (1 << 15))
    for (index_t i = 0; i < n; ++i) {
        const bool keep = random::uniform(seed, stream, static_cast<std::uint64_t>(i)) > threshold;
        out[i] = x[i] * (keep ? keep_scale : T(0));
    }
}

template void apply<float>(index_t, const float*, float*, float, std::uint64_t, std::uint64_t);
template void apply<double>(index_t, const double*, double*, double, std::uint64_t, std::uint64_t);

}  // namespace magmadnn::dropout::cpu
