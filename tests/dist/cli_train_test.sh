#!/usr/bin/env bash
# `mpirun -n 2 magmadnn train --dist ring`: one summary (rank 0's) naming the world and the
# strategy, one saved model, and per-epoch losses that follow a lone process training with the
# doubled batch on the same data order (f32: within 2e-4 relative).
# usage: cli_train_test.sh MPIEXEC "OVERSUBSCRIBE_FLAG" MAGMADNN_CLI
set -euo pipefail
mpiexec=$1
oversubscribe=$2
cli=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

# 600 rows, 3 classes from a linear rule, label first: a learnable table
awk 'BEGIN { srand(7); for (i = 0; i < 600; ++i) { a = rand() - 0.5; b = rand() - 0.5; c = rand() - 0.5;
  s = a + b - c; printf "%d,%.6f,%.6f,%.6f\n", (s < -0.2 ? 0 : (s < 0.2 ? 1 : 2)), a, b, c } }' \
  > "$work/t.csv"
common=(train --data "$work/t.csv" --epochs 3 --lr 0.2 --seed 5 --json --threads 1)

"$mpiexec" -n 2 $oversubscribe "$cli" "${common[@]}" --batch-size 10 --dist ring \
  --save "$work/m.safetensors" > "$work/two.txt"
"$cli" "${common[@]}" --batch-size 20 --dist local > "$work/one.txt"

python3 - "$work" <<'PY'
import json, sys, os
work = sys.argv[1]
def summary(name):
    lines = [json.loads(l) for l in open(os.path.join(work, name)) if l.startswith("{")]
    tails = [l for l in lines if "test_accuracy" in l]
    assert len(tails) == 1, f"{name}: {len(tails)} summaries (only rank 0 may print one)"
    return tails[0], [l for l in lines if "epoch" in l and "test_accuracy" not in l]
two, two_epochs = summary("two.txt")
one, _ = summary("one.txt")
assert two["world_size"] == 2 and two["strategy"] == "ring", two
assert one["world_size"] == 1 and one["strategy"] == "local", one
assert len(two_epochs) == 3, f"{len(two_epochs)} epoch lines from 2 ranks, expected 3 (rank 0's)"
assert two["bytes_sent_per_step"] > 0 and two["comm_seconds"] >= 0, two
assert two["steps"] == 3 * 480 // 20 and one["steps"] == two["steps"], (two["steps"], one["steps"])
assert os.path.getsize(os.path.join(work, "m.safetensors")) > 0
for a, b in zip(two["train_loss"], one["train_loss"]):
    assert abs(a - b) <= 2e-4 * abs(b), f"2 ranks x 10 rows {two['train_loss']} vs 1 x 20 {one['train_loss']}"
assert abs(two["test_accuracy"] - one["test_accuracy"]) <= 0.02, (two["test_accuracy"], one["test_accuracy"])
assert two["test_accuracy"] > 0.6, two["test_accuracy"]
print("2 ranks:", two["train_loss"], two["test_accuracy"], "| 1 rank:", one["train_loss"], one["test_accuracy"])
PY
