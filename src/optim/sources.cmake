list(APPEND MAGMADNN_SOURCES
  optim/config.cpp
  optim/cpu_update.cpp
  optim/optimizer.cpp
)
list(APPEND MAGMADNN_CUDA_SOURCES
  optim/cuda_update.cu
)
