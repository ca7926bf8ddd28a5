# The FFT layer: FFTW / cuFFT transforms and the FP16-split mixed-precision FFT.
find_library(MAGMADNN_FFTW_LIBRARY fftw3 REQUIRED)
find_library(MAGMADNN_FFTWF_LIBRARY fftw3f REQUIRED)
list(APPEND MAGMADNN_EXTRA_LIBRARIES ${MAGMADNN_FFTW_LIBRARY} ${MAGMADNN_FFTWF_LIBRARY})

list(APPEND MAGMADNN_SOURCES
  fft/common.cpp
  fft/fft.cpp
  fft/fp16split.cpp
  fft/cpu/fftw_plans.cpp
  fft/cpu/fp16split_stages.cpp
)
list(APPEND MAGMADNN_ISA_SOURCES
  fft/cpu/fp16split_stages_kernels.cpp
)
# rounded alike on every target: no FMA contraction (the GPU kernel rounds each product too)
list(APPEND MAGMADNN_ISA_EXACT_SOURCES
  fft/cpu/fp16split_stages_kernels.cpp
)
list(APPEND MAGMADNN_CUDA_SOURCES
  fft/cuda/cufft.cpp
  fft/cuda/fp16split_gpu.cpp
  fft/cuda/fp16split_kernels.cu
  fft/cuda/kernels.cu
)
if(MAGMADNN_CUDA)
  list(APPEND MAGMADNN_EXTRA_CUDA_LIBRARIES CUDA::cufft)
endif()
