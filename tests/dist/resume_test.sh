#!/usr/bin/env bash
# Kill and resume under `mpirun -n 2 magmadnn train --checkpoint`: SIGKILL the rank that writes
# the checkpoint (rank 0) mid-training; the job ends non-zero and the launcher names the rank;
# the last checkpoint loads; `--resume` on 2 ranks ends bitwise where an uninterrupted 2-rank run
# ends (ring: a fixed summation order), and on 1 rank with the doubled batch (another number of
# ranks) follows it within 2e-4 (f32).
# usage: resume_test.sh MPIEXEC "OVERSUBSCRIBE_FLAG" MAGMADNN_CLI
set -uo pipefail
mpiexec=$1
oversubscribe=$2
cli=$3
work=$(mktemp -d)
trap 'pkill -KILL -f "$work/t.csv" 2>/dev/null; rm -rf "$work"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
here=$(cd "$(dirname "$0")" && pwd)
runs=$here/train_runs.py
python3 "$runs" table "$work/t.csv"
common=(train --data "$work/t.csv" --lr 0.05 --momentum 0.9 --seed 3 --json --threads 1)
two=("$mpiexec" -n 2 $oversubscribe "$cli" "${common[@]}" --batch-size 10 --dist ring)

# 1. a long job, checkpointing every epoch; rank 0 killed once the checkpoint holds 2 epochs
"${two[@]}" --epochs 100000 --checkpoint "$work/ck.safetensors" > "$work/killed.txt" 2>&1 &
job=$!
for _ in $(seq 1 600); do
  [ "$(python3 "$runs" epochs "$work/ck.safetensors")" -ge 2 ] && break
  sleep 0.05
done
source "$here/rank_pid.sh"
pid=$(rank_pid "$work/t.csv" 0) ||
  { echo "FAIL: no rank 0 to kill"; cat "$work/killed.txt"; kill -KILL $job; exit 1; }
kill -KILL "$pid"
start=$SECONDS
wait $job
status=$?
echo "rank 0 killed: the job ended with status $status after $((SECONDS - start)) s"
fail=0
if [ $status -eq 0 ]; then echo "FAIL: a killed rank left status 0"; fail=1; fi
if [ $((SECONDS - start)) -gt 40 ]; then echo "FAIL: the job took $((SECONDS - start)) s to end"; fail=1; fi
if ! grep -qiE "rank 0 .*(signal 9|killed)|process rank 0" "$work/killed.txt"; then
  echo "FAIL: the launcher did not name rank 0:"; cat "$work/killed.txt"; fail=1
fi

# 2. the checkpoint is whole: it loads and evaluates
done_epochs=$(python3 "$runs" epochs "$work/ck.safetensors")
total=$((done_epochs + 3))
echo "checkpoint: $done_epochs epochs; resuming to $total"
"$cli" evaluate --load "$work/ck.safetensors" --data "$work/t.csv" --seed 3 --json > "$work/eval.txt" ||
  { echo "FAIL: the checkpoint left by the killed job does not load"; fail=1; }
cp "$work/ck.safetensors" "$work/ck1.safetensors"

# 3. resumed on 2 ranks, on 1 rank, and the uninterrupted 2-rank run
"${two[@]}" --epochs "$total" --resume "$work/ck.safetensors" > "$work/resumed.txt" || fail=1
"$cli" "${common[@]}" --batch-size 20 --dist local --epochs "$total" \
  --resume "$work/ck1.safetensors" > "$work/resumed1.txt" || fail=1
"${two[@]}" --epochs "$total" > "$work/whole.txt" || fail=1

PYTHONPATH="$here" python3 - "$work" "$done_epochs" <<'PY' || fail=1
import os, sys
from train_runs import assert_follows, epochs_trained, summary
work, done = sys.argv[1], int(sys.argv[2])
resumed, lines = summary(os.path.join(work, "resumed.txt"))
one, _ = summary(os.path.join(work, "resumed1.txt"))
whole, _ = summary(os.path.join(work, "whole.txt"))
assert resumed["initial_epoch"] == done and one["initial_epoch"] == done, (resumed, one)
assert [l["epoch"] for l in lines] == [done + 1, done + 2, done + 3], lines
assert resumed["train_loss"] == whole["train_loss"][done:], (resumed["train_loss"], whole["train_loss"][done:])
assert resumed["test_loss"] == whole["test_loss"], (resumed["test_loss"], whole["test_loss"])
assert epochs_trained(os.path.join(work, "ck.safetensors")) == done + 3
assert one["world_size"] == 1
assert_follows(one, {"train_loss": whole["train_loss"][done:]})
print(f"resumed after epoch {done}: 2 ranks {resumed['train_loss']} (bitwise the uninterrupted run's),"
      f" 1 rank {one['train_loss']}")
PY
[ $fail -eq 0 ] && echo "kill and resume tests passed"
exit $fail
