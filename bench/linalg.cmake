# Linear-algebra and FFT benchmarks (included from bench/CMakeLists.txt). What they measure and
# print lives in linalg_tables.cpp, shared with `magmadnn bench linalg`.
include(${CMAKE_CURRENT_LIST_DIR}/linalg_tables.cmake)
foreach(name linalg_batched_gemm linalg_mixed_solve fft_fp16split)
  add_executable(bench_${name} ${CMAKE_CURRENT_LIST_DIR}/${name}.cpp)
  target_compile_options(bench_${name} PRIVATE ${MAGMADNN_WARNINGS})
  target_link_libraries(bench_${name} PRIVATE magmadnn_linalg_tables fmt::fmt)
endforeach()
