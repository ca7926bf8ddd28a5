#pragma once
// The umbrella header: everything a magmadnn program uses.

#include "magmadnn/config.h"
#include "magmadnn/core/device.h"
#include "magmadnn/core/error.h"
#include "magmadnn/core/half.h"
#include "magmadnn/core/init.h"
#include "magmadnn/core/memory.h"
#include "magmadnn/core/random.h"
#include "magmadnn/core/shape.h"
#include "magmadnn/core/tensor.h"
#include "magmadnn/core/types.h"
#include "magmadnn/backend/math.h"
#include "magmadnn/backend/threads.h"
