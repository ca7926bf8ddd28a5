# MAGMADNN_FUZZ: the library instrumented for libFuzzer (coverage feedback, ASan, UBSan) and the
# fuzz targets of tests/fuzz linked with libFuzzer's driver. Only clang ships libFuzzer.
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "MAGMADNN_FUZZ needs clang for libFuzzer, found ${CMAKE_CXX_COMPILER_ID}: "
    "configure with -DCMAKE_CXX_COMPILER=clang++ (scripts/fuzz.sh does)")
endif()
if(MAGMADNN_CUDA OR MAGMADNN_MPI OR MAGMADNN_SANITIZE)
  message(FATAL_ERROR "MAGMADNN_FUZZ builds the host library alone: configure with "
    "-DMAGMADNN_CUDA=OFF -DMAGMADNN_MPI=OFF -DMAGMADNN_SANITIZE=OFF")
endif()
# Every finding must stop the run, so UBSan does not recover either.
add_compile_options($<$<COMPILE_LANGUAGE:CXX>:-fsanitize=fuzzer-no-link,address,undefined>
                    $<$<COMPILE_LANGUAGE:CXX>:-fno-sanitize-recover=all>
                    $<$<COMPILE_LANGUAGE:CXX>:-fno-omit-frame-pointer>)
add_link_options(-fsanitize=address,undefined)
# instrumented loops often cannot be vectorised; `omp simd` would make that an error
list(APPEND MAGMADNN_WARNINGS -Wno-pass-failed)
