# Linear-algebra and FFT benchmarks (included from bench/CMakeLists.txt).
find_library(MAGMADNN_BENCH_LAPACKE lapacke REQUIRED)
find_library(MAGMADNN_BENCH_FFTWF fftw3f REQUIRED)
find_library(MAGMADNN_BENCH_XSMM NAMES libxsmm.a xsmm PATHS /usr/lib)
find_path(MAGMADNN_BENCH_XSMM_INCLUDE libxsmm.h)
find_package(OpenMP REQUIRED COMPONENTS CXX)

if(MAGMADNN_BENCH_XSMM AND MAGMADNN_BENCH_XSMM_INCLUDE)
  add_executable(bench_linalg_batched_gemm ${CMAKE_CURRENT_LIST_DIR}/linalg_batched_gemm.cpp)
  target_compile_options(bench_linalg_batched_gemm PRIVATE ${MAGMADNN_WARNINGS})
  target_include_directories(bench_linalg_batched_gemm PRIVATE ${MAGMADNN_CBLAS_INCLUDE})
  target_include_directories(bench_linalg_batched_gemm SYSTEM PRIVATE ${MAGMADNN_BENCH_XSMM_INCLUDE})
  target_link_libraries(bench_linalg_batched_gemm PRIVATE magmadnn::magmadnn ${MAGMADNN_BENCH_XSMM}
    ${BLAS_LIBRARIES} fmt::fmt OpenMP::OpenMP_CXX pthread rt dl m)
else()
  message(STATUS "libxsmm not found (Debian libxsmm-dev): bench_linalg_batched_gemm not built")
endif()

add_executable(bench_linalg_mixed_solve ${CMAKE_CURRENT_LIST_DIR}/linalg_mixed_solve.cpp)
target_compile_options(bench_linalg_mixed_solve PRIVATE ${MAGMADNN_WARNINGS})
target_include_directories(bench_linalg_mixed_solve PRIVATE ${MAGMADNN_CBLAS_INCLUDE})
target_link_libraries(bench_linalg_mixed_solve PRIVATE magmadnn::magmadnn ${MAGMADNN_BENCH_LAPACKE}
  ${BLAS_LIBRARIES} fmt::fmt)

add_executable(bench_fft_fp16split ${CMAKE_CURRENT_LIST_DIR}/fft_fp16split.cpp)
target_compile_options(bench_fft_fp16split PRIVATE ${MAGMADNN_WARNINGS})
target_link_libraries(bench_fft_fp16split PRIVATE magmadnn::magmadnn ${MAGMADNN_BENCH_FFTWF}
  fmt::fmt OpenMP::OpenMP_CXX)
