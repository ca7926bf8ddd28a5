// FFT convolution: the zero-padded input planes and filters go through real 2-D FFTs (FFTW) of
// the padded input's size; cross-correlation is then a sum over channels of X * conj(W) per
// frequency, and one inverse FFT per output plane. Worth it for large filters, where the work per
// output no longer grows with r * s. Forward only (stride 1, dilation 1, one group).
#include <complex>

#include "conv2d.h"
#include "magmadnn/fft/fft.h"

namespace magmadnn::conv::cpu {

template <typename T>
void fft_forward(const Shape2d& p, const T* x, const T* w, T* y) {
    using C = std::complex<T>;
    const index_t hf = p.h + 2 * p.pad_h, wf = p.w + 2 * p.pad_w, oh = p.out_h(), ow = p.out_w();
    Tensor<T> xp({p.n * p.c, hf, wf}, HOST);
    Tensor<T> wp({p.k * p.c, hf, wf}, HOST);
    T* xd = xp.data();
    T* wd = wp.data();
#pragma omp parallel for
    for (index_t nc = 0; nc < p.n * p.c; ++nc) {
        for (index_t i = 0; i < p.h; ++i)
            for (index_t j = 0; j < p.w; ++j)
                xd[(nc * hf + i + p.pad_h) * wf + j + p.pad_w] = x[(nc * p.h + i) * p.w + j];
    }
    for (index_t kc = 0; kc < p.k * p.c; ++kc)
        for (index_t u = 0; u < p.r; ++u)
            for (index_t v = 0; v < p.s; ++v)
                wd[(kc * hf + u) * wf + v] = w[(kc * p.r + u) * p.s + v];
    const Tensor<C> X = fft::rfft2(xp);
    const Tensor<C> W = fft::rfft2(wp);
    const index_t nf = hf * (wf / 2 + 1);
    Tensor<C> Y({p.n * p.k, hf, wf / 2 + 1}, HOST);
    const C* Xd = X.cdata();
    const C* Wd = W.cdata();
    C* Yd = Y.data();
#pragma omp parallel for collapse(2)
    for (index_t n = 0; n < p.n; ++n) {
        for (index_t k = 0; k < p.k; ++k) {
            C* yo = Yd + (n * p.k + k) * nf;
            for (index_t f = 0; f < nf; ++f) yo[f] = C(0);
            for (index_t c = 0; c < p.c; ++c) {
                const C* xs = Xd + (n * p.c + c) * nf;
                const C* ws = Wd + (k * p.c + c) * nf;
                for (index_t f = 0; f < nf; ++f) yo[f] += xs[f] * std::conj(ws[f]);
            }
        }
    }
    const Tensor<T> yc = fft::irfft2(Y, wf);
    const T* yd = yc.cdata();
#pragma omp parallel for
    for (index_t nk = 0; nk < p.n * p.k; ++nk)
        for (index_t i = 0; i < oh; ++i)
            for (index_t j = 0; j < ow; ++j) y[(nk * oh + i) * ow + j] = yd[(nk * hf + i) * wf + j];
}

template void fft_forward<float>(const Shape2d&, const float*, const float*, float*);
template void fft_forward<double>(const Shape2d&, const double*, const double*, double*);

}  // namespace magmadnn::conv::cpu
