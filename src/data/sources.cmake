list(APPEND MAGMADNN_SOURCES
  data/csv.cpp
  data/idx.cpp
  data/label_map.cpp
  data/loader.cpp
  data/mnist.cpp
  data/split.cpp
  data/transforms.cpp
)
