#pragma once
// Hyperparameter search: search spaces, samplers and the schedulers a tuning coordinator drives.
// One of the per-module headers that magmadnn.h includes.

#include "magmadnn/hpo/sampler.h"
#include "magmadnn/hpo/scheduler.h"
#include "magmadnn/hpo/space.h"
