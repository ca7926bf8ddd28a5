// Direct convolution: the plain reference loops every other algorithm is checked against.
#include "conv2d.h"

namespace magmadnn::conv::cpu {

template <typename T>
void direct_forward(const Shape2d& p, const T* x, const T* w, T* y) {
    const index_t oh = p.out_h(), ow = p.out_w(), cg = p.c / p.groups, kg = p.k / p.groups;
#pragma omp parallel for collapse(2)
    for (index_t n = 0; n < p.n; ++n) {
        for (index_t k = 0; k < p.k; ++k) {
            const index_t g = k / kg;
            T* yo = y + (n * p.k + k) * oh * ow;
            for (index_t i = 0; i < oh; ++i) {
                for (index_t j = 0; j < ow; ++j) {
                    T acc = T(0);
                    for (index_t c = 0; c < cg; ++c) {
                        const T* xc = x + (n * p.c + g * cg + c) * p.h * p.w;
                        const T* wc = w + (k * cg + c) * p.r * p.s;
                        for (index_t u = 0; u < p.r; ++u) {
                            const index_t hi = i * p.stride_h - p.pad_h + u * p.dil_h;
                            if (hi < 0 || hi >= p.h) continue;
                            for (index_t v = 0; v < p.s; ++v) {
                                const index_t wi = j * p.stride_w - p.pad_w + v * p.dil_w;
                                if (wi < 0 || wi >= p.w) continue;
                                acc += xc[hi * p.w + wi] * wc[u * p.s + v];
                            }
                        }
                    }
                    yo[i * ow + j] = acc;
                }
            }
        }
    }
}

template <typename T>
void direct_backward_data(const Shape2d& p, const T* dy, const T* w, T* dx) {
    const index_t oh = p.out_h(), ow = p.out_w(), cg = p.c / p.groups, kg = p.k / p.groups;
#pragma omp parallel for collapse(2)
    for (index_t n = 0; n < p.n; ++n) {
        for (index_t ci = 0; ci < p.c; ++ci) {  // each thread owns one input plane
            const index_t g = ci / cg, c = ci % cg;
            T* dxc = dx + (n * p.c + ci) * p.h * p.w;
            for (index_t e = 0; e < p.h * p.w; ++e) dxc[e] = T(0);
            for (index_t k = g * kg; k < (g + 1) * kg; ++k) {
                const T* dyo = dy + (n * p.k + k) * oh * ow;
                const T* wc = w + (k * cg + c) * p.r * p.s;
                for (index_t i = 0; i < oh; ++i) {
                    for (index_t j = 0; j < ow; ++j) {
                        const T g0 = dyo[i * ow + j];
                        for (index_t u = 0; u < p.r; ++u) {
                            const index_t hi = i * p.stride_h - p.pad_h + u * p.dil_h;
                            if (hi < 0 || hi >= p.h) continue;
                            for (index_t v = 0; v < p.s; ++v) {
                                const index_t wi = j * p.stride_w - p.pad_w + v * p.dil_w;
                                if (wi < 0 || wi >= p.w) continue;
                                dxc[hi * p.w + wi] += g0 * wc[u * p.s + v];
                            }
                        }
                    }
                }
            }
        }
    }
}

template <typename T>
void direct_backward_weights(const Shape2d& p, const T* x, const T* dy, T* dw) {
    const index_t oh = p.out_h(), ow = p.out_w(), cg = p.c / p.groups, kg = p.k / p.groups;
#pragma omp parallel for collapse(2)
    for (index_t k = 0; k < p.k; ++k) {
        for (index_t c = 0; c < cg; ++c) {
            const index_t g = k / kg;
            for (index_t u = 0; u < p.r; ++u) {
                for (index_t v = 0; v < p.s; ++v) {
                    T acc = T(0);
                    for (index_t n = 0; n < p.n; ++n) {
                        const T* xc = x + (n * p.c + g * cg + c) * p.h * p.w;
                        const T* dyo = dy + (n * p.k + k) * oh * ow;
                        for (index_t i = 0; i < oh; ++i) {
                            const index_t hi = i * p.stride_h - p.pad_h + u * p.dil_h;
                            if (hi < 0 || hi >= p.h) continue;
                            for (index_t j = 0; j < ow; ++j) {
                                const index_t wi = j * p.stride_w - p.pad_w + v * p.dil_w;
                                if (wi < 0 || wi >= p.w) continue;
                                acc += xc[hi * p.w + wi] * dyo[i * ow + j];
                            }
                        }
                    }
                    dw[((k * cg + c) * p.r + u) * p.s + v] = acc;
                }
            }
        }
    }
}

#define MAGMADNN_INSTANTIATE(T)                                                    \
    template void direct_forward<T>(const Shape2d&, const T*, const T*, T*);       \
    template void direct_backward_data<T>(const Shape2d&, const T*, const T*, T*); \
    template void direct_backward_weights<T>(const Shape2d&, const T*, const T*, T*);
MAGMADNN_INSTANTIATE(float)
MAGMADNN_INSTANTIATE(double)
#undef MAGMADNN_INSTANTIATE

}  // namespace magmadnn::conv::cpu
