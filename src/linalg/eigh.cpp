// The symmetric eigenproblem by divide and conquer (LAPACK syevd, cuSOLVER syevd on the GPU).
#include <fmt/format.h>

#include "common.h"
#include "cpu/lapack.h"
#include "cuda/solvers.h"
#include "magmadnn/core/error.h"
#include "magmadnn/linalg/decomp.h"

namespace magmadnn::linalg {

template <typename T>
EighResult<T> eigh(const Tensor<T>& S) {
    detail::require_ndim("eigh", "S", S.shape(), 2);
    detail::require_square("eigh", "S", S.shape());
    detail::require_finite("eigh", "S", S);
    if (detail::on_device("eigh", S)) {
#ifdef MAGMADNN_WITH_CUDA
        return cuda::eigh(S);
#endif
    }
    const index_t n = S.shape(0);
    EighResult<T> out{Tensor<T>({n}, HOST), S.clone()};
    if (n == 0) return out;
    const lapack_int info =
        lapack::syevd(static_cast<lapack_int>(n), out.eigenvectors.data(), out.eigenvalues.data());
    if (info < 0) detail::lapack_failed("eigh", "syevd", info);
    if (info > 0) {
        throw NumericError(
            fmt::format("linalg::eigh: syevd did not converge for S {} (info {}); "
                        "the matrix may be badly scaled",
                        to_string(S.shape()), info));
    }
    return out;
}

template EighResult<float> eigh<float>(const Tensor<float>&);
template EighResult<double> eigh<double>(const Tensor<double>&);

}  // namespace magmadnn::linalg
