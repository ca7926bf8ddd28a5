// Batch normalisation on the host (see batchnorm.h): the forward pass with the per-channel
// statistics, and the two passes of the gradient.
#include "batchnorm.h"

#include <cmath>

namespace magmadnn::batchnorm::cpu {

template <typename T>
void batchnorm_forward(const BatchNormShape& s, bool training, double momentum, double eps,
                       const T* x, const T* gamma, const T* beta, T* rm, T* rv, T* xh, T* y,
                       double* invstd) {
    const double m = double(s.n * s.inner);
#pragma omp parallel for
    for (index_t c = 0; c < s.c; ++c) {
        double mean, var;
        if (training) {
            double sum = 0, ss = 0;
            for (index_t n = 0; n < s.n; ++n) {
                const T* row = x + (n * s.c + c) * s.inner;
                for (index_t e = 0; e < s.inner; ++e) sum += double(row[e]);
            }
            mean = sum / m;
            for (index_t n = 0; n < s.n; ++n) {
                const T* row = x + (n * s.c + c) * s.inner;
                for (index_t e = 0; e < s.inner; ++e) {
                    const double d = double(row[e]) - mean;
                    ss += d * d;
                }
            }
            var = ss / m;
            rm[c] = T((1 - momentum) * double(rm[c]) + momentum * mean);
            rv[c] = T((1 - momentum) * double(rv[c]) + momentum * (m > 1 ? ss / (m - 1) : var));
        } else {
            mean = double(rm[c]);
            var = double(rv[c]);
        }
        const double inv = 1.0 / std::sqrt(var + eps);
        invstd[c] = inv;
        for (index_t n = 0; n < s.n; ++n) {
            const index_t off = (n * s.c + c) * s.inner;
            for (index_t e = 0; e < s.inner; ++e) {
                const T h = T((double(x[off + e]) - mean) * inv);
                xh[off + e] = h;
                y[off + e] = gamma[c] * h + beta[c];
            }
        }
    }
}

template <typename T>
void batchnorm_channel_sums(const BatchNormShape& s, const T* g, const T* xh, double* sum_g,
                            double* sum_gx) {
#pragma omp parallel for
    for (index_t c = 0; c < s.c; ++c) {
        double a = 0, b = 0;
        for (index_t n = 0; n < s.n; ++n) {
            const index_t off = (n * s.c + c) * s.inner;
            for (index_t e = 0; e < s.inner; ++e) {
                a += double(g[off + e]);
                b += double(g[off + e]) * double(xh[off + e]);
            }
        }
        sum_g[c] = a;
        sum_gx[c] = b;
    }
}

template <typename T>
void batchnorm_backward_data(const BatchNormShape& s, bool training, const T* g, const T* xh,
                             const T* gamma, const double* invstd, const double* sum_g,
                             const double* sum_gx, T* dx) {
    const double m = double(s.n * s.inner);
#pragma omp parallel for
    for (index_t c = 0; c < s.c; ++c) {
        const double k = double(gamma[c]) * invstd[c];
        const double mg = sum_g[c] / m;
        const double mgx = sum_gx[c] / m;
        for (index_t n = 0; n < s.n; ++n) {
            const index_t off = (n * s.c + c) * s.inner;
            for (index_t e = 0; e < s.inner; ++e) {
                dx[off + e] = training
                                  ? T(k * (double(g[off + e]) - mg - double(xh[off + e]) * mgx))
                                  : T(k * double(g[off + e]));
            }
        }
    }
}

#define MAGMADNN_INSTANTIATE(T)                                                                 \
    template void batchnorm_forward<T>(const BatchNormShape&, bool, double, double, const T*,   \
                                       const T*, const T*, T*, T*, T*, T*, double*);            \
    template void batchnorm_channel_sums<T>(const BatchNormShape&, const T*, const T*, double*, \
                                            double*);                                           \
    template void batchnorm_backward_data<T>(const BatchNormShape&, bool, const T*, const T*,   \
                                             const T*, const double*, const double*,            \
                                             const double*, T*);
MAGMADNN_INSTANTIATE(float)
MAGMADNN_INSTANTIATE(double)
#undef MAGMADNN_INSTANTIATE

}  // namespace magmadnn::batchnorm::cpu
