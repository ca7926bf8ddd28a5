#pragma once
// Hyperparameter search: search spaces, samplers, schedulers, study files, their SQLite storage
// and the coordinator that runs a study in worker processes.
// One of the per-module headers that magmadnn.h includes.

#include "magmadnn/hpo/report.h"
#include "magmadnn/hpo/runner.h"
#include "magmadnn/hpo/sampler.h"
#include "magmadnn/hpo/scheduler.h"
#include "magmadnn/hpo/space.h"
#include "magmadnn/hpo/storage.h"
#include "magmadnn/hpo/study.h"
