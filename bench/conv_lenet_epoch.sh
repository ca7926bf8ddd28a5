#!/usr/bin/env bash
# One epoch of LeNet-5 (SGD lr 0.05 momentum 0.9, batch 64) on Fashion-MNIST: magmadnn against
# PyTorch, measured in the same run (bench/epoch_vs_pytorch.sh).
#   bash bench/conv_lenet_epoch.sh     (BUILD=build EPOCHS=3 DEVICE=cpu|cuda)
set -euo pipefail
cd "$(dirname "$0")/.."
exec bash bench/epoch_vs_pytorch.sh bench/conv_lenet_pytorch.py --model lenet5 --batch-size 64 \
  --lr 0.05 --momentum 0.9
