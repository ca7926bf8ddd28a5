list(APPEND MAGMADNN_SOURCES
  op/activation.cpp
  op/dropout.cpp
  op/elementwise.cpp
  op/linalg_ops.cpp
  op/linear.cpp
  op/loss_ops.cpp
  op/operation.cpp
  op/profile.cpp
  op/reduce_ops.cpp
  op/shape_ops.cpp
  op/variable.cpp
)
list(APPEND MAGMADNN_SOURCES
  op/batchnorm.cpp
  op/conv2d.cpp
  op/pool.cpp
)
