#pragma once
// BLAS levels 1-3 on tensors (f32, f64). HOST tensors go to OpenBLAS, DEVICE / MANAGED /
// CUDA_MANAGED ones to cuBLAS; all operands of a call live on one side.
//
//     double d = linalg::dot(x, y);              // x, y: same number of elements
//     linalg::axpy(2.0, x, y);                   // y += 2 x
//     double r = linalg::nrm2(x);
//     linalg::gemv(1.0, A, false, x, 0.0, y);    // y = A x, A {m, n}
//     linalg::gemm(1.0, A, false, B, true, 0.0, C);  // C = A B^T

#include "magmadnn/core/tensor.h"

namespace magmadnn::linalg {

// Vectors are tensors of any shape, read as their flat elements.
template <typename T>
T dot(const Tensor<T>& x, const Tensor<T>& y);
// y += alpha x
template <typename T>
void axpy(T alpha, const Tensor<T>& x, Tensor<T>& y);
// Euclidean norm, overflow-safe.
template <typename T>
T nrm2(const Tensor<T>& x);

// y = alpha op(A) x + beta y for a 2-D A; op(A) = A^T when `trans`.
template <typename T>
void gemv(T alpha, const Tensor<T>& A, bool trans, const Tensor<T>& x, T beta, Tensor<T>& y);
template <typename T>
Tensor<T> gemv(const Tensor<T>& A, const Tensor<T>& x, bool trans = false);

// C = alpha op(A) op(B) + beta C for 2-D tensors (beta = 0 never reads C).
template <typename T>
void gemm(T alpha, const Tensor<T>& A, bool trans_a, const Tensor<T>& B, bool trans_b, T beta,
          Tensor<T>& C);
template <typename T>
Tensor<T> gemm(const Tensor<T>& A, const Tensor<T>& B, bool trans_a = false, bool trans_b = false);

// A @ B for 2-D operands, or 3-D ones with a leading batch ({b, m, k} x {b, k, n}; a 2-D
// operand is shared by every problem of the batch).
template <typename T>
Tensor<T> matmul(const Tensor<T>& A, const Tensor<T>& B);

}  // namespace magmadnn::linalg
