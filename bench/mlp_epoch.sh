#!/usr/bin/env bash
# One epoch of the seed MLP (784 -> 528 ReLU -> 10, SGD lr 0.1, batch 100) on Fashion-MNIST:
# magmadnn against PyTorch, measured in the same run (bench/epoch_vs_pytorch.sh).
#   bash bench/mlp_epoch.sh            (BUILD=build EPOCHS=3 DEVICE=cpu|cuda)
set -euo pipefail
cd "$(dirname "$0")/.."
exec bash bench/epoch_vs_pytorch.sh bench/mlp_pytorch.py --model mlp --batch-size 100 --lr 0.1
