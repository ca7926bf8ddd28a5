#!/usr/bin/env bash
# `mpirun -n 2 magmadnn train --dist ring`: one summary (rank 0's) naming the world and the
# strategy, one saved model, and per-epoch losses that follow a lone process training with the
# doubled batch on the same data order (f32: within 2e-4 relative); --logdir's event files
# written by rank 0 alone.
# usage: cli_train_test.sh MPIEXEC "OVERSUBSCRIBE_FLAG" MAGMADNN_CLI
set -euo pipefail
mpiexec=$1
oversubscribe=$2
cli=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

here=$(cd "$(dirname "$0")" && pwd)
python3 "$here/train_runs.py" table "$work/t.csv"
common=(train --data "$work/t.csv" --epochs 3 --lr 0.2 --seed 5 --json --threads 1)

"$mpiexec" -n 2 $oversubscribe "$cli" "${common[@]}" --batch-size 10 --dist ring \
  --save "$work/m.safetensors" --logdir "$work/logs" --log-every 8 > "$work/two.txt"
"$cli" "${common[@]}" --batch-size 20 --dist local > "$work/one.txt"

PYTHONPATH="$here" python3 - "$work" <<'PY'
import os, sys
from train_runs import assert_follows, summary
work = sys.argv[1]
two, two_epochs = summary(os.path.join(work, "two.txt"))
one, _ = summary(os.path.join(work, "one.txt"))
assert two["world_size"] == 2 and two["strategy"] == "ring", two
assert one["world_size"] == 1 and one["strategy"] == "local", one
assert len(two_epochs) == 3, f"{len(two_epochs)} epoch lines from 2 ranks, expected 3 (rank 0's)"
assert two["bytes_sent_per_step"] > 0 and two["comm_seconds"] >= 0, two
assert two["steps"] == 3 * 480 // 20 and one["steps"] == two["steps"], (two["steps"], one["steps"])
assert os.path.getsize(os.path.join(work, "m.safetensors")) > 0
# TensorBoard logs: rank 0 alone writes, one event file
logs = sorted(os.listdir(os.path.join(work, "logs")))
files = os.listdir(os.path.join(work, "logs", "train"))
assert logs == ["train"] and len(files) == 1, (logs, files)
assert os.path.getsize(os.path.join(work, "logs", "train", files[0])) > 500, files
assert_follows(two, one)
assert abs(two["test_accuracy"] - one["test_accuracy"]) <= 0.02, (two["test_accuracy"], one["test_accuracy"])
assert two["test_accuracy"] > 0.6, two["test_accuracy"]
print("2 ranks:", two["train_loss"], two["test_accuracy"], "| 1 rank:", one["train_loss"], one["test_accuracy"])
PY
