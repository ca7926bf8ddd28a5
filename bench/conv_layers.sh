#!/usr/bin/env bash
# The per-layer convolution table: every magmadnn algorithm and oneDNN (bench_conv_layers), then
# PyTorch on the same shapes, one after the other (never at the same time).
#   bash bench/conv_layers.sh            (BUILD=build BATCH=1)
#   DEVICE=cuda bash bench/conv_layers.sh  (cuDNN's passes on the GPU, 20 repetitions)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
BATCH=${BATCH:-1}
PY=${PY:-/usr/bin/python3}
if [ "${DEVICE:-cpu}" = cuda ]; then
  exec "$BUILD/bin/bench_conv_layers" "$BATCH" 20 --device cuda
fi
coretype=Haswell
if grep -q avx512f /proc/cpuinfo; then coretype=SkylakeX; fi
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); date: $(date -u +%F)"
"$BUILD/bin/bench_conv_layers" "$BATCH" 3
for t in 1 2; do
  OPENBLAS_NUM_THREADS=1 OPENBLAS_CORETYPE=$coretype "$PY" bench/conv_layers_pytorch.py \
    --batch "$BATCH" --threads "$t"
done
