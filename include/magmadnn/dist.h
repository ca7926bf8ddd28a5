#pragma once
// Data-parallel training across processes: the communicator over MPI, gradient averaging and
// the seed's distributed optimizer. One of the per-module headers that magmadnn.h includes.

#include "magmadnn/dist/communicator.h"
#include "magmadnn/dist/device_collectives.h"
#include "magmadnn/dist/distributed_optimizer.h"
#include "magmadnn/dist/gradient_reducer.h"
#include "magmadnn/dist/strategy.h"
