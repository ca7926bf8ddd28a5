# The linear-algebra and FFT benchmark tables as a static library, shared by the bench_linalg_* /
# bench_fft_* executables (bench/linalg.cmake) and `magmadnn bench linalg` (tools/), so it is
# included from tools/CMakeLists.txt as well: the command line is built without MAGMADNN_BENCH.
# libxsmm is optional: without it the GEMM table's libxsmm columns say n/a. BLIS (Debian libblis4)
# is opened at run time, not linked (its CBLAS symbols would replace OpenBLAS's): without it the
# BLIS column says n/a.
include_guard(GLOBAL)
find_library(MAGMADNN_BENCH_LAPACKE lapacke REQUIRED)
find_library(MAGMADNN_BENCH_FFTWF fftw3f REQUIRED)
find_library(MAGMADNN_BENCH_XSMM NAMES libxsmm.a xsmm PATHS /usr/lib)
find_path(MAGMADNN_BENCH_XSMM_INCLUDE libxsmm.h)
find_package(OpenMP REQUIRED COMPONENTS CXX)

add_library(magmadnn_linalg_tables STATIC ${CMAKE_CURRENT_LIST_DIR}/linalg_tables.cpp)
target_compile_options(magmadnn_linalg_tables PRIVATE ${MAGMADNN_WARNINGS})
target_include_directories(magmadnn_linalg_tables PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_include_directories(magmadnn_linalg_tables SYSTEM PRIVATE ${MAGMADNN_CBLAS_INCLUDE})
target_link_libraries(magmadnn_linalg_tables PUBLIC magmadnn::magmadnn PRIVATE fmt::fmt
  magmadnn_dnnl ${CMAKE_DL_LIBS})
if(MAGMADNN_BENCH_XSMM AND MAGMADNN_BENCH_XSMM_INCLUDE)
  target_compile_definitions(magmadnn_linalg_tables PRIVATE MAGMADNN_BENCH_LIBXSMM)
  target_include_directories(magmadnn_linalg_tables SYSTEM PRIVATE ${MAGMADNN_BENCH_XSMM_INCLUDE})
  # the static libxsmm calls into BLAS and the system libraries, so it goes before them
  target_link_libraries(magmadnn_linalg_tables PRIVATE ${MAGMADNN_BENCH_XSMM} ${BLAS_LIBRARIES}
    pthread rt ${CMAKE_DL_LIBS} m)
else()
  message(STATUS "libxsmm not found (Debian libxsmm-dev): the batched GEMM table shows n/a for it")
endif()
target_link_libraries(magmadnn_linalg_tables PRIVATE ${MAGMADNN_BENCH_LAPACKE}
  ${MAGMADNN_BENCH_FFTWF} ${BLAS_LIBRARIES} OpenMP::OpenMP_CXX)
