list(APPEND MAGMADNN_SOURCES
  model/callbacks.cpp
  model/checkpoint.cpp
  model/fit_async.cpp
  model/model.cpp
  model/progress.cpp
  model/serialize.cpp
  model/tensorboard.cpp
)
