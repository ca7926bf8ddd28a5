list(APPEND MAGMADNN_SOURCES
  dist/communicator.cpp
  dist/distributed_optimizer.cpp
  dist/gradient_reducer.cpp
  dist/strategy.cpp
)
