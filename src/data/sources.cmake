list(APPEND MAGMADNN_SOURCES
  data/csv.cpp
  data/idx.cpp
  data/loader.cpp
  data/mnist.cpp
  data/split.cpp
  data/transforms.cpp
)
