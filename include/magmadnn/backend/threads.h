#pragma once
// One thread count for the whole process: OpenMP loops, oneDNN and OpenBLAS use the same
// number, so library threads never run inside parallel loops with more threads than cores.

namespace magmadnn {

// Threads used by the CPU backend (default: the cores available to the process).
int num_threads();
void set_num_threads(int n);

// "OpenBLAS 0.3.21 (pthreads, core Haswell)", "oneDNN 2.6.3", ...
const char* openblas_config();
const char* onednn_version();

}  // namespace magmadnn
