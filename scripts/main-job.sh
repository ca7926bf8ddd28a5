#!/usr/bin/env bash
# Sets up a fresh machine, builds, and runs the main job.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j2
# The seed's MLP on Fashion-MNIST: 5 epochs, batch 100, SGD lr 0.1; prints the test accuracy.
./build/bin/magmadnn train --model mlp --data fashion-mnist --epochs 5 --batch-size 100 --lr 0.1
