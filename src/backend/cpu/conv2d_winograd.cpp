// Winograd F(m x m, 3 x 3) for 3x3, stride-1 convolutions (Lavin & Gray 2015), m = 2 or 4.
// Filters become U = G g G^T and input tiles V = B^T d B (alpha x alpha, alpha = m + 2); the
// convolution is then alpha^2 independent GEMMs M[xi] = U[xi] {k, c} x V[xi] {c, tiles}, run as a
// batch (one problem per thread), and each output tile is A^T M A. F(2x2) does 16 multiplies per
// 4 outputs instead of 36; F(4x4) 36 per 16 instead of 144, at the cost of larger transform
// constants (about two more digits of rounding error, see tests/backend/conv2d_algos_test.cpp).
#include <vector>

#include "../kernels.h"
#include "conv2d.h"

namespace magmadnn::conv::cpu {

namespace {

// The transform matrices, stored row-major in double and rounded once to T.
struct F2 {
    static constexpr int m = 2, a = 4;
    static constexpr double BT[a][a] = {{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}};
    static constexpr double G[a][3] = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
    static constexpr double AT[m][a] = {{1, 1, 1, 0}, {0, 1, -1, -1}};
};
struct F4 {
    static constexpr int m = 4, a = 6;
    static constexpr double BT[a][a] = {{4, 0, -5, 0, 1, 0},  {0, -4, -4, 1, 1, 0},
                                        {0, 4, -4, -1, 1, 0}, {0, -2, -1, 2, 1, 0},
                                        {0, 2, -1, -2, 1, 0}, {0, 4, 0, -5, 0, 1}};
    static constexpr double G[a][3] = {{1.0 / 4, 0, 0},
                                       {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                                       {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                                       {1.0 / 24, 1.0 / 12, 1.0 / 6},
                                       {1.0 / 24, -1.0 / 12, 1.0 / 6},
                                       {0, 0, 1}};
    static constexpr double AT[m][a] = {
        {1, 1, 1, 1, 1, 0}, {0, 1, -1, 2, -2, 0}, {0, 1, 1, 4, 4, 0}, {0, 1, -1, 8, -8, 1}};
};

template <typename F, typename T>
void run(const Shape2d& p, const T* x, const T* w, T* y) {
    constexpr int m = F::m, a = F::a, aa = a * a;
    const index_t oh = p.out_h(), ow = p.out_w();
    const index_t th = (oh + m - 1) / m, tw = (ow + m - 1) / m, tiles = th * tw;
    const index_t P = p.n * tiles, C = p.c, K = p.k;
    std::vector<T> U(static_cast<std::size_t>(aa * K * C));
    std::vector<T> V(static_cast<std::size_t>(aa * C * P));
    std::vector<T> M(static_cast<std::size_t>(aa * K * P));

    // U[xi][k][c] = (G g G^T)[xi]
#pragma omp parallel for
    for (index_t kc = 0; kc < K * C; ++kc) {
        const T* g = w + kc * 9;
        T tmp[a][3];
        for (int i = 0; i < a; ++i)
            for (int j = 0; j < 3; ++j)
                tmp[i][j] =
                    T(F::G[i][0]) * g[j] + T(F::G[i][1]) * g[3 + j] + T(F::G[i][2]) * g[6 + j];
        for (int i = 0; i < a; ++i)
            for (int j = 0; j < a; ++j)
                U[(i * a + j) * K * C + kc] = tmp[i][0] * T(F::G[j][0]) +
                                              tmp[i][1] * T(F::G[j][1]) + tmp[i][2] * T(F::G[j][2]);
    }

    // V[xi][c][tile] = (B^T d B)[xi]
#pragma omp parallel for collapse(2)
    for (index_t n = 0; n < p.n; ++n) {
        for (index_t c = 0; c < C; ++c) {
            const T* xc = x + (n * C + c) * p.h * p.w;
            for (index_t ti = 0; ti < th; ++ti) {
                for (index_t tj = 0; tj < tw; ++tj) {
                    T d[a][a], tmp[a][a];
                    const index_t h0 = ti * m - p.pad_h, w0 = tj * m - p.pad_w;
                    for (int i = 0; i < a; ++i) {
                        const index_t hi = h0 + i;
                        for (int j = 0; j < a; ++j) {
                            const index_t wi = w0 + j;
                            d[i][j] = hi >= 0 && hi < p.h && wi >= 0 && wi < p.w ? xc[hi * p.w + wi]
                                                                                 : T(0);
                        }
                    }
                    for (int i = 0; i < a; ++i)
                        for (int j = 0; j < a; ++j) {
                            T s = T(0);
                            for (int l = 0; l < a; ++l)
                                if (F::BT[i][l] != 0) s += T(F::BT[i][l]) * d[l][j];
                            tmp[i][j] = s;
                        }
                    const index_t col = n * tiles + ti * tw + tj;
                    for (int i = 0; i < a; ++i)
                        for (int j = 0; j < a; ++j) {
                            T s = T(0);
                            for (int l = 0; l < a; ++l)
                                if (F::BT[j][l] != 0) s += tmp[i][l] * T(F::BT[j][l]);
                            V[((i * a + j) * C + c) * P + col] = s;
                        }
                }
            }
        }
    }

    // The batch of alpha^2 GEMMs, one problem per thread.
#pragma omp parallel for schedule(dynamic)
    for (int xi = 0; xi < aa; ++xi) {
        math::cpu::gemm(false, false, K, P, C, T(1), U.data() + xi * K * C, C,
                        V.data() + xi * C * P, P, T(0), M.data() + xi * K * P, P);
    }

    // y tile = A^T M A
#pragma omp parallel for collapse(2)
    for (index_t n = 0; n < p.n; ++n) {
        for (index_t k = 0; k < K; ++k) {
            T* yk = y + (n * K + k) * oh * ow;
            for (index_t ti = 0; ti < th; ++ti) {
                for (index_t tj = 0; tj < tw; ++tj) {
                    const index_t col = n * tiles + ti * tw + tj;
                    T mt[a][a], tmp[m][a];
                    for (int i = 0; i < a; ++i)
                        for (int j = 0; j < a; ++j) mt[i][j] = M[((i * a + j) * K + k) * P + col];
                    for (int i = 0; i < m; ++i)
                        for (int j = 0; j < a; ++j) {
                            T s = T(0);
                            for (int l = 0; l < a; ++l)
                                if (F::AT[i][l] != 0) s += T(F::AT[i][l]) * mt[l][j];
                            tmp[i][j] = s;
                        }
                    for (int i = 0; i < m; ++i) {
                        const index_t hi = ti * m + i;
                        if (hi >= oh) break;
                        for (int j = 0; j < m; ++j) {
                            const index_t wi = tj * m + j;
                            if (wi >= ow) break;
                            T s = T(0);
                            for (int l = 0; l < a; ++l)
                                if (F::AT[j][l] != 0) s += tmp[i][l] * T(F::AT[j][l]);
                            yk[hi * ow + wi] = s;
                        }
                    }
                }
            }
        }
    }
}

}  // namespace

template <typename T>
void winograd_forward(int m, const Shape2d& p, const T* x, const T* w, T* y) {
    if (m == 2) {
        run<F2>(p, x, w, y);
    } else {
        run<F4>(p, x, w, y);
    }
}

template <typename T>
void winograd_backward_data(int m, const Shape2d& p, const T* dy, const T* w, T* dx) {
    // dx = dy (padded by 2 - pad) correlated with the filter rotated by 180 degrees, in and out
    // channels swapped.
    Shape2d q = p;
    q.c = p.k;
    q.k = p.c;
    q.h = p.out_h();
    q.w = p.out_w();
    q.pad_h = 2 - p.pad_h;
    q.pad_w = 2 - p.pad_w;
    std::vector<T> wr(static_cast<std::size_t>(p.k * p.c * 9));
    for (index_t k = 0; k < p.k; ++k)
        for (index_t c = 0; c < p.c; ++c)
            for (int e = 0; e < 9; ++e) wr[(c * p.k + k) * 9 + e] = w[(k * p.c + c) * 9 + 8 - e];
    winograd_forward(m, q, dy, wr.data(), dx);
}

#define MAGMADNN_INSTANTIATE(T)                                                     \
    template void winograd_forward<T>(int, const Shape2d&, const T*, const T*, T*); \
    template void winograd_backward_data<T>(int, const Shape2d&, const T*, const T*, T*);
MAGMADNN_INSTANTIATE(float)
MAGMADNN_INSTANTIATE(double)
#undef MAGMADNN_INSTANTIATE

}  // namespace magmadnn::conv::cpu
