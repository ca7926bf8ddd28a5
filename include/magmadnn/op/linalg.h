#pragma once
// Differentiable linear algebra: graph nodes over the linalg:: routines, so a network can embed
// a linear solve, a least-squares fit or a batch of matrix products and train through them.
//
//     auto X = op::solve(A, B);           // A {n, n}, B {n, k}; or batched {b, n, n}, {b, n, k}
//     auto W = op::lstsq(M, C);           // min ||M W - C||, M {m, n} tall, full column rank
//     auto Y = op::batched_matmul(P, Q);  // {b, m, k} x {b, k, n} -> {b, m, n}
//
// Shapes are checked when the node is built (ShapeError naming the op and the shapes). A
// singular A (or a rank-deficient M) throws the NumericError of the linalg routine, prefixed with
// the op's name. solve and lstsq run on HOST tensors (UnsupportedError otherwise);
// batched_matmul runs wherever linalg::gemm_batched does.

#include "magmadnn/op/operation.h"

namespace magmadnn::op {

// X with A X = B by LU with partial pivoting. A {n, n} with B {n} or {n, k}, or a batch:
// A {batch, n, n} with B {batch, n} or {batch, n, k}. X has B's shape.
// Gradients: G_B = A^-T G_X, G_A = -G_B X^T (per matrix of a batch).
template <typename T>
OpPtr<T> solve(const OpPtr<T>& A, const OpPtr<T>& B);

// The least-squares X minimising ||A X - B|| for a tall A {m, n} (m >= n) of full column rank,
// by Householder QR. B {m} or {m, k}; X {n} or {n, k}.
// Gradients through the normal equations with A's triangular QR factor R (A^T A = R^T R):
// Y = (A^T A)^-1 G_X, G_B = A Y, G_A = (B - A X) Y^T - A Y X^T.
template <typename T>
OpPtr<T> lstsq(const OpPtr<T>& A, const OpPtr<T>& B);

// Matrix products over one batch axis, as numpy.matmul: A {b, m, k} x B {b, k, n} -> {b, m, n}.
// A 2-D operand (or one with batch extent 1) is shared by every product of the batch; two 2-D
// operands give the plain product {m, n}.
template <typename T>
OpPtr<T> batched_matmul(const OpPtr<T>& A, const OpPtr<T>& B);

}  // namespace magmadnn::op
