#pragma once
// Tensor contractions lowered to (batched) GEMM.
//
//     // The FEM kernel: C[i1, i2, i3] = sum_k A[k, i1] B[k, i2, i3]; with B {E, K, n2, n3} the
//     // same contraction for every element e (A shared), C {E, n1, n2, n3}.
//     Tensor<double> C = linalg::contract_fem(A, B);
//     // Any two-operand contraction over named axes, einsum style (one letter per axis):
//     Tensor<double> D = linalg::contract("bik,bkj->bij", X, Y);
//
// contract() classifies the letters: in A, B and the output: batch; in one input and the
// output: free (rows or columns of the GEMM); in both inputs only: summed. Operands are used in
// place where their axes are already in GEMM order (possibly transposed); otherwise they are
// permuted once (on the host) before one batched GEMM.

#include <string>
#include <vector>

#include "magmadnn/core/tensor.h"

namespace magmadnn::linalg {

template <typename T>
Tensor<T> contract_fem(const Tensor<T>& A, const Tensor<T>& B);

template <typename T>
Tensor<T> contract(const std::string& spec, const Tensor<T>& A, const Tensor<T>& B);

// x with its axes reordered: result axis i is x's axis perm[i] (numpy.transpose).
template <typename T>
Tensor<T> permute(const Tensor<T>& x, const std::vector<int>& perm);

}  // namespace magmadnn::linalg
