list(APPEND MAGMADNN_SOURCES
  dist/communicator.cpp
  dist/device_collectives.cpp
  dist/distributed_optimizer.cpp
  dist/gradient_reducer.cpp
  dist/strategy.cpp
)
