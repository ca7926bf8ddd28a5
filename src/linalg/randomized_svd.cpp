// Randomized SVD (Halko, Martinsson, Tropp 2011, algorithms 4.4 and 5.1): the range of A is
// sampled with Gaussian vectors, sharpened by power iterations with re-orthonormalization, and
// the SVD of the small projection Q^T A gives the leading triplets. Built from gemm, qr and svd,
// so it runs wherever those do.
#include <fmt/format.h>

#include <algorithm>

#include "common.h"
#include "magmadnn/core/error.h"
#include "magmadnn/linalg/blas.h"
#include "magmadnn/linalg/decomp.h"

namespace magmadnn::linalg {

template <typename T>
SVDResult<T> randomized_svd(const Tensor<T>& A, index_t rank, index_t oversample,
                            int power_iterations, std::uint64_t seed) {
    detail::require_ndim("randomized_svd", "A", A.shape(), 2);
    const index_t m = A.shape(0);
    const index_t n = A.shape(1);
    if (rank <= 0 || rank > std::min(m, n) || oversample < 0 || power_iterations < 0) {
        throw ValueError(fmt::format(
            "linalg::randomized_svd: rank {} (oversample {}, power_iterations {}) for A {}: need "
            "1 <= rank <= min(m, n) = {}, oversample >= 0 and power_iterations >= 0",
            rank, oversample, power_iterations, to_string(A.shape()), std::min(m, n)));
    }
    const index_t l = std::min(rank + oversample, std::min(m, n));
    const Tensor<T> omega({n, l}, Filler(NORMAL, {0.0, 1.0}, seed), A.memory());
    Tensor<T> Q = qr(gemm(A, omega)).Q;  // {m, l}
    for (int it = 0; it < power_iterations; ++it) {
        const Tensor<T> Z = qr(gemm(A, Q, true, false)).Q;  // {n, l}
        Q = qr(gemm(A, Z)).Q;
    }
    const Tensor<T> B = gemm(Q, A, true, false);  // {l, n}
    const SVDResult<T> small = svd(B);
    const Tensor<T> U = gemm(Q, small.U);  // {m, l}
    // Keep the leading `rank` triplets.
    SVDResult<T> out{Tensor<T>({m, rank}, A.memory()), small.S.slice(0, rank).clone(),
                     small.Vt.slice(0, rank).clone()};
    const Tensor<T> Uh = U.to(HOST);
    Tensor<T> Uk({m, rank}, HOST);
    for (index_t i = 0; i < m; ++i) {
        std::copy_n(Uh.cdata() + i * l, rank, Uk.data() + i * rank);
    }
    out.U.copy_from(Uk);
    return out;
}

template SVDResult<float> randomized_svd<float>(const Tensor<float>&, index_t, index_t, int,
                                                std::uint64_t);
template SVDResult<double> randomized_svd<double>(const Tensor<double>&, index_t, index_t, int,
                                                  std::uint64_t);

}  // namespace magmadnn::linalg
