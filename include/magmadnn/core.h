#pragma once
// Tensors and their memory, shapes, element types, devices, errors, fillers, random numbers and the CPU target.
// One of the per-module headers that magmadnn.h includes.

#include "magmadnn/config.h"
#include "magmadnn/core/cpu_isa.h"
#include "magmadnn/core/device.h"
#include "magmadnn/core/error.h"
#include "magmadnn/core/half.h"
#include "magmadnn/core/init.h"
#include "magmadnn/core/memory.h"
#include "magmadnn/core/random.h"
#include "magmadnn/core/shape.h"
#include "magmadnn/core/tensor.h"
#include "magmadnn/core/types.h"
