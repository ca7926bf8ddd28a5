# The linear-algebra layer: BLAS on tensors, batched GEMM, contractions, LAPACK/cuSOLVER solvers,
# mixed-precision refinement.
find_library(MAGMADNN_LAPACKE_LIBRARY lapacke REQUIRED)
find_path(MAGMADNN_LAPACKE_INCLUDE lapacke.h REQUIRED)
list(APPEND MAGMADNN_EXTRA_LIBRARIES ${MAGMADNN_LAPACKE_LIBRARY})

# libxsmm (Debian libxsmm-dev, a static PIC library): JIT small GEMMs that the batched GEMM picks
# where they beat its own kernels. Linked with its symbols hidden, so a program that links its
# own libxsmm keeps it.
find_library(MAGMADNN_XSMM_LIBRARY NAMES libxsmm.a xsmm PATHS /usr/lib)
find_path(MAGMADNN_XSMM_INCLUDE libxsmm.h)
if(MAGMADNN_XSMM_LIBRARY AND MAGMADNN_XSMM_INCLUDE)
  set(MAGMADNN_WITH_LIBXSMM ON)
  # the static archive calls into BLAS: BLAS again after it
  list(APPEND MAGMADNN_EXTRA_LIBRARIES ${MAGMADNN_XSMM_LIBRARY} ${BLAS_LIBRARIES})
else()
  message(STATUS "libxsmm not found (Debian libxsmm-dev): batched GEMM runs its own kernels only")
endif()

list(APPEND MAGMADNN_SOURCES
  linalg/batched_solve.cpp
  linalg/blas.cpp
  linalg/cholesky.cpp
  linalg/common.cpp
  linalg/contract.cpp
  linalg/eigh.cpp
  linalg/gemm_batched.cpp
  linalg/lstsq.cpp
  linalg/mixed.cpp
  linalg/randomized_svd.cpp
  linalg/solve.cpp
  linalg/svd.cpp
  linalg/cpu/fixed_gemm.cpp
  linalg/cpu/lu_transposed.cpp
  linalg/cpu/refine.cpp
  linalg/cpu/small_factor.cpp
  linalg/cpu/small_gemm.cpp
  linalg/cpu/xsmm.cpp
)
list(APPEND MAGMADNN_ISA_SOURCES
  linalg/cpu/fixed_gemm_kernels.cpp
  linalg/cpu/small_gemm_kernels.cpp
)
list(APPEND MAGMADNN_CUDA_SOURCES
  linalg/cuda/batched_solve.cpp
  linalg/cuda/blas.cpp
  linalg/cuda/gemm_batched.cpp
  linalg/cuda/handles.cpp
  linalg/cuda/kernels.cu
  linalg/cuda/mixed.cpp
  linalg/cuda/solvers.cpp
)
if(MAGMADNN_CUDA)
  list(APPEND MAGMADNN_EXTRA_CUDA_LIBRARIES CUDA::cusolver)
endif()
