#pragma once
// Private: the host pieces of mixed-precision refinement, on raw row-major buffers.
#include <vector>

#include "magmadnn/core/types.h"

namespace magmadnn::linalg::cpu {

// A factorization of A in f32 (the column-major transpose trick of lu_transposed.h), applied to
// f64 vectors: d = (LU)^-1 r, computed as ||r|| (LU)^-1 (r / ||r||) in f32 so that small
// residuals do not underflow.
class F32Factors {
  public:
    // Returns false when A's f32 copy is singular or overflows.
    bool factor(index_t n, const double* A);
    void apply(const double* r, double* d) const;  // one vector of n
    index_t n() const { return n_; }

  private:
    index_t n_ = 0;
    std::vector<float> lu_;
    std::vector<int> ipiv_;
    mutable std::vector<float> work_;
};

// Left-preconditioned GMRES for A d = r (A row-major f64, preconditioner M^-1 = the f32 LU),
// from d = 0, at most `max_iter` steps, stopping when the preconditioned residual falls by
// `rel_tol`. Returns the number of steps taken.
int gmres(index_t n, const double* A, const F32Factors& M, const double* r, double* d, int max_iter,
          double rel_tol);

}  // namespace magmadnn::linalg::cpu
