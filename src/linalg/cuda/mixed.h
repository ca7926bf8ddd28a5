#pragma once
// Private (CUDA builds only): mixed-precision solve through cuSOLVER's IRS (cusolverDnIRSXgesv).
#ifdef MAGMADNN_WITH_CUDA
#include "magmadnn/linalg/mixed.h"

namespace magmadnn::linalg::cuda {

MixedSolveResult solve_mixed(const Tensor<double>& A, const Tensor<double>& b,
                             const MixedOptions& options, double tolerance);

}  // namespace magmadnn::linalg::cuda
#endif
