list(APPEND MAGMADNN_SOURCES
  hpo/asha.cpp
  hpo/local_workers.cpp
  hpo/mpi_workers.cpp
  hpo/report.cpp
  hpo/report_charts.cpp
  hpo/sampler.cpp
  hpo/scheduler.cpp
  hpo/runner.cpp
  hpo/space.cpp
  hpo/storage.cpp
  hpo/study.cpp
  hpo/successive_halving.cpp
  hpo/svg_plot.cpp
  hpo/tpe.cpp
  hpo/trial_process.cpp
)
