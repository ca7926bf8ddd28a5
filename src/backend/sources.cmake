list(APPEND MAGMADNN_SOURCES
  backend/broadcast.cpp
  backend/batchnorm.cpp
  backend/conv2d_dispatch.cpp
  backend/conv2d_plan.cpp
  backend/dropout.cpp
  backend/math.cpp
  backend/pool2d.cpp
  backend/cpu/elementwise.cpp
  backend/cpu/gemm.cpp
  backend/cpu/reduce.cpp
  backend/cpu/threads.cpp
)
list(APPEND MAGMADNN_CUDA_SOURCES
  backend/cuda/dropout.cu
  backend/cuda/elementwise.cu
  backend/cuda/gemm.cpp
  backend/cuda/reduce.cu
)
if(MAGMADNN_CUDNN)
  list(APPEND MAGMADNN_CUDA_SOURCES
    backend/cuda/batchnorm_cudnn.cpp
    backend/cuda/batchnorm_cudnn_kernels.cu
    backend/cuda/conv2d_cudnn.cpp
    backend/cuda/conv2d_cudnn_kernels.cu
    backend/cuda/pool2d_cudnn.cpp
    backend/cuda/pool2d_cudnn_kernels.cu
  )
endif()
list(APPEND MAGMADNN_SOURCES
  backend/cpu/batchnorm.cpp
  backend/cpu/conv2d_bias.cpp
  backend/cpu/conv2d_direct.cpp
  backend/cpu/conv2d_fft.cpp
  backend/cpu/conv2d_fft_filters.cpp
  backend/cpu/conv2d_im2col.cpp
  backend/cpu/conv2d_names.cpp
  backend/cpu/conv2d_onednn.cpp
  backend/cpu/conv2d_select.cpp
  backend/cpu/conv2d_winograd.cpp
  backend/cpu/dropout.cpp
  backend/cpu/pool2d.cpp
)
list(APPEND MAGMADNN_ISA_SOURCES
  backend/cpu/conv2d_im2col_kernels.cpp
  backend/cpu/conv2d_winograd_kernels.cpp
  backend/cpu/pool2d_kernels.cpp
)
