list(APPEND MAGMADNN_SOURCES
  model/callbacks.cpp
  model/model.cpp
  model/progress.cpp
  model/serialize.cpp
)
