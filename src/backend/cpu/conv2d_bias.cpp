// The conv2d bias and its gradient on the host (see conv2d_bias.h).
#include "conv2d_bias.h"

namespace magmadnn::conv::cpu {

template <typename T>
void bias_add(const Shape2d& p, const T* b, T* y) {
    const index_t hw = p.out_h() * p.out_w();
#pragma omp parallel for if (p.n * p.k * hw > (1 << 15))
    for (index_t nk = 0; nk < p.n * p.k; ++nk) {
        const T v = b[nk % p.k];
        T* row = y + nk * hw;
        for (index_t e = 0; e < hw; ++e) row[e] += v;
    }
}

template <typename T>
void bias_grad(const Shape2d& p, const T* dy, T* db) {
    const index_t hw = p.out_h() * p.out_w();
#pragma omp parallel for if (p.n * p.k * hw > (1 << 14))
    for (index_t k = 0; k < p.k; ++k) {
        double s = 0;
        for (index_t n = 0; n < p.n; ++n) {
            const T* row = dy + (n * p.k + k) * hw;
            T lanes[16] = {};  // 16 partial sums: vectorisable, then summed in double
            index_t e = 0;
            for (; e + 16 <= hw; e += 16)
                for (int l = 0; l < 16; ++l) lanes[l] += row[e + l];
            for (; e < hw; ++e) s += double(row[e]);
            for (int l = 0; l < 16; ++l) s += double(lanes[l]);
        }
        db[k] = T(s);
    }
}

#define MAGMADNN_INSTANTIATE(T)                              \
    template void bias_add<T>(const Shape2d&, const T*, T*); \
    template void bias_grad<T>(const Shape2d&, const T*, T*);
MAGMADNN_INSTANTIATE(float)
MAGMADNN_INSTANTIATE(double)
#undef MAGMADNN_INSTANTIATE

}  // namespace magmadnn::conv::cpu
