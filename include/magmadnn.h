#pragma once
// The umbrella header: everything a magmadnn program uses, one module header each
// (magmadnn/core.h, backend.h, data.h, io.h, linalg.h, fft.h, nn.h, dist.h, hpo.h).

#include "magmadnn/core.h"
#include "magmadnn/backend.h"
#include "magmadnn/data.h"
#include "magmadnn/io.h"
#include "magmadnn/linalg.h"
#include "magmadnn/fft.h"
#include "magmadnn/nn.h"
#include "magmadnn/dist.h"
#include "magmadnn/hpo.h"
