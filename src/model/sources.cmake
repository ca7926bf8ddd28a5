list(APPEND MAGMADNN_SOURCES
  model/callbacks.cpp
  model/checkpoint.cpp
  model/fit_async.cpp
  model/model.cpp
  model/progress.cpp
  model/serialize.cpp
  model/tensorboard.cpp
  model/torch_import.cpp
)
if(MAGMADNN_ONNX)
  list(APPEND MAGMADNN_SOURCES model/onnx_export.cpp model/onnx_graph.cpp)
else()
  list(APPEND MAGMADNN_SOURCES model/onnx_disabled.cpp)
endif()
