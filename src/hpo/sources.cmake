list(APPEND MAGMADNN_SOURCES
  hpo/asha.cpp
  hpo/sampler.cpp
  hpo/scheduler.cpp
  hpo/space.cpp
  hpo/successive_halving.cpp
)
