#pragma once
// Files: safetensors, CSV writing, atomic replacement, TensorBoard event files.
// One of the per-module headers that magmadnn.h includes.

#include "magmadnn/io/atomic_file.h"
#include "magmadnn/io/csv.h"
#include "magmadnn/io/event_writer.h"
#include "magmadnn/io/safetensors.h"
