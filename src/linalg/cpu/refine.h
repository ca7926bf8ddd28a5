#pragma once
// Private: the host pieces of mixed-precision refinement, on raw row-major buffers.
#include <cstdlib>
#include <memory>
#include <vector>

#include "magmadnn/core/types.h"

namespace magmadnn::linalg::cpu {

// A factorization of A in f32 (the column-major transpose trick of lu_transposed.h), applied to
// f64 vectors: d = (LU)^-1 r, computed as ||r|| (LU)^-1 (r / ||r||) in f32 so that small
// residuals do not underflow.
class F32Factors {
  public:
    // One parallel pass over A: its f32 copy, its infinity norm and whether it is finite (every
    // O(n^2) pass costs a noticeable share of the solve next to a 2x faster factorization).
    struct Scan {
        double norm_inf = 0;
        index_t first_nonfinite = -1;  // flat index of A's first NaN / inf, or -1
    };
    Scan load(index_t n, const double* A);
    // Factors the loaded copy; false when it is singular or overflowed f32.
    bool factor();
    void apply(const double* r, double* d) const;  // one vector of n
    index_t n() const { return n_; }
    struct Free {
        void operator()(float* p) const { std::free(p); }
    };
    using Buffer = std::unique_ptr<float[], Free>;

    F32Factors() = default;
    F32Factors(const F32Factors&) = delete;
    F32Factors& operator=(const F32Factors&) = delete;
    // Hands the f32 buffer back to this thread's workspace for the next solve.
    ~F32Factors();

  private:
    index_t n_ = 0;
    bool f32_finite_ = false;
    // n^2 floats, not zero-filled (load writes them all), on 2 MiB pages where the kernel
    // offers them, and kept per thread between solves (release_workspace): first touches of fresh
    // memory can cost more than the conversion itself
    Buffer lu_;
    std::size_t lu_capacity_ = 0;  // floats
    std::vector<int> ipiv_;
    mutable std::vector<float> work_;
};

// Frees the f32 workspace this thread keeps between mixed-precision solves.
void release_workspace();

// Left-preconditioned GMRES for A d = r (A row-major f64, preconditioner M^-1 = the f32 LU),
// from d = 0, at most `max_iter` steps, stopping when the preconditioned residual falls by
// `rel_tol`. Returns the number of steps taken.
int gmres(index_t n, const double* A, const F32Factors& M, const double* r, double* d, int max_iter,
          double rel_tol);

}  // namespace magmadnn::linalg::cpu
