list(APPEND MAGMADNN_SOURCES
  layer/layers.cpp
)
