# Convolution benchmarks (include from bench/CMakeLists.txt: include(conv.cmake)).
add_executable(bench_conv_layers conv_layers.cpp)
target_compile_options(bench_conv_layers PRIVATE ${MAGMADNN_WARNINGS})
target_link_libraries(bench_conv_layers PRIVATE magmadnn::magmadnn)

add_executable(bench_conv_passes conv_passes.cpp)
target_compile_options(bench_conv_passes PRIVATE ${MAGMADNN_WARNINGS})
target_link_libraries(bench_conv_passes PRIVATE magmadnn::magmadnn)
