#!/usr/bin/env bash
# Builds the library and the data-parallel tests against MPICH (Debian's libmpich-dev, installed
# next to Open MPI, which stays the default) and runs them under MPICH's launcher (Hydra): the
# dist tests on 2 and 4 ranks, a 2-rank `magmadnn train --dist ring` and a `magmadnn tune` study on
# 2 worker ranks. A lean build: no CUDA,
# benches or examples.
#   bash scripts/check-mpich.sh [BUILD_DIR]        (default build-mpich)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-mpich}
for tool in mpicc.mpich mpiexec.mpich; do
  command -v "$tool" > /dev/null || { echo "check-mpich: $tool not installed (scripts/install-deps.sh)"; exit 1; }
done
mkdir -p "$build"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DMAGMADNN_CUDA=OFF -DMAGMADNN_BENCH=OFF \
  -DMAGMADNN_EXAMPLES=OFF -DMPI_C_COMPILER="$(command -v mpicc.mpich)" \
  -DMPIEXEC_EXECUTABLE="$(command -v mpiexec.mpich)" > "$build/configure.log"
grep -q "MPICH" "$build/CMakeCache.txt" || { echo "check-mpich: CMake did not find MPICH"; exit 1; }
cmake --build "$build" -j2 --target dist_test magmadnn_cli hpo_synthetic_trial
export OMP_NUM_THREADS=1
for n in 2 4; do
  mpiexec.mpich -n "$n" "$build/bin/dist_test" --gtest_brief=1 > "$build/dist_$n.txt" 2>&1 ||
    { cat "$build/dist_$n.txt"; echo "check-mpich: the dist tests failed on $n ranks"; exit 1; }
done
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
python3 tests/dist/train_runs.py table "$data/t.csv"
mpiexec.mpich -n 2 "$build/bin/magmadnn" train --data "$data/t.csv" --epochs 3 --lr 0.2 --seed 5 \
  --json --threads 1 --batch-size 10 --dist ring > "$data/two.txt"
python3 - "$data/two.txt" <<'PY'
import json, sys
summary = [json.loads(l) for l in open(sys.argv[1]) if '"test_accuracy"' in l]
assert len(summary) == 1 and summary[0]["world_size"] == 2, summary
assert summary[0]["test_accuracy"] > 0.6, summary[0]
print("check-mpich: 2-rank ring training, test accuracy", summary[0]["test_accuracy"])
PY
# a tuning study on 2 worker ranks: rank 0 coordinates, the trials run as their own processes
python3 tests/tools/tune_cli_test.py "$build/bin/magmadnn" "$build/bin/hpo_synthetic_trial" \
  mpiexec.mpich test_mpi_ranks_as_workers
echo "check-mpich: $(mpichversion 2>/dev/null | head -1 | tr -s ' '); dist tests passed on 2 and 4 ranks"
