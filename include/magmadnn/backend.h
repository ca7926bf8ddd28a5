#pragma once
// Tensor math on either backend (elementwise, reductions, GEMM) and the thread count.
// One of the per-module headers that magmadnn.h includes.

#include "magmadnn/backend/math.h"
#include "magmadnn/backend/threads.h"
