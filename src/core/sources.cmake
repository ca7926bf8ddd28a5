list(APPEND MAGMADNN_SOURCES
  core/cpu_isa.cpp
  core/device.cpp
  core/fill.cpp
  core/host_alloc.cpp
  core/memory.cpp
  core/random.cpp
  core/shape.cpp
  core/tensor.cpp
)
