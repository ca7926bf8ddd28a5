#pragma once
// Datasets and loaders: IDX (MNIST, Fashion-MNIST), CSV tables, batching and transforms.
// One of the per-module headers that magmadnn.h includes.

#include "magmadnn/data/csv.h"
#include "magmadnn/data/dataset.h"
#include "magmadnn/data/idx.h"
#include "magmadnn/data/label_map.h"
#include "magmadnn/data/loader.h"
#include "magmadnn/data/split.h"
#include "magmadnn/data/transforms.h"
