list(APPEND MAGMADNN_SOURCES
  io/atomic_file.cpp
  io/csv.cpp
  io/event_writer.cpp
  io/safetensors_dtype.cpp
  io/safetensors_read.cpp
  io/safetensors_write.cpp
  io/tfrecord.cpp
)
