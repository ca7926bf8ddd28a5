#pragma once
// Networks: the compute graph and its gradients, convolutions, layers, models, optimizers.
// One of the per-module headers that magmadnn.h includes.

#include "magmadnn/op/activation.h"
#include "magmadnn/op/conv.h"
#include "magmadnn/op/grad_table.h"
#include "magmadnn/op/linalg.h"
#include "magmadnn/op/operation.h"
#include "magmadnn/op/ops.h"
#include "magmadnn/op/profile.h"
#include "magmadnn/layer/layer.h"
#include "magmadnn/model/model.h"
#include "magmadnn/model/tensorboard.h"
#include "magmadnn/model/torch_import.h"
#include "magmadnn/optim/config.h"
#include "magmadnn/optim/optimizer.h"
