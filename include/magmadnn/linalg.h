#pragma once
// Dense linear algebra: BLAS, batched GEMM, solves, decompositions, mixed precision, contractions.
// One of the per-module headers that magmadnn.h includes.

#include "magmadnn/linalg/batched.h"
#include "magmadnn/linalg/batched_solve.h"
#include "magmadnn/linalg/blas.h"
#include "magmadnn/linalg/contract.h"
#include "magmadnn/linalg/decomp.h"
#include "magmadnn/linalg/mixed.h"
#include "magmadnn/linalg/solve.h"
