#!/usr/bin/env bash
# Kill -9 anywhere: `magmadnn train --resume DIR/` (an endless run) is started again and again
# and SIGKILLed at random moments (start-up, steps, checkpoint writes) KILLS times, then
# resumed to 2 epochs past its last checkpoint and allowed to finish. After every kill the
# checkpoint directory still holds a checkpoint once one was written, and every resume loads
# the newest one (one that failed to load would be skipped with a message). The weights at
# the end are the bits of a run of as many epochs never killed. At batch 7 the 480 training
# rows end each epoch in a partial batch of 4.
# usage: kill_resume_test.sh MAGMADNN_CLI [KILLS]
set -uo pipefail
cli=$1
kills_wanted=${2:-50}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'pkill -KILL -f "$work/t.csv" 2>/dev/null; rm -rf "$work"' EXIT
python3 "$here/../dist/train_runs.py" table "$work/t.csv"
common=(train --data "$work/t.csv" --batch-size 7 --lr 0.05 --momentum 0.9 --seed 3 --threads 1
        --json --checkpoint-every 6 --keep-checkpoints 2)

kills=0 in_write=0 runs=0 fail=0
seen_checkpoint=false
while true; do
  runs=$((runs + 1))
  epochs=100000
  if [ $kills -ge "$kills_wanted" ]; then
    total=$(($(python3 "$here/../dist/train_runs.py" epochs "$(ls -d "$work"/ck/ckpt-*.safetensors | sort | tail -1)") + 2))
    epochs=$total
  fi
  "$cli" "${common[@]}" --epochs "$epochs" --resume "$work/ck/" --save "$work/final.safetensors" \
    > "$work/run.txt" 2> "$work/err.txt" &
  job=$!
  if [ $kills -lt "$kills_wanted" ]; then
    sleep "$(python3 -c "import random; print(random.uniform(0.05, 0.4))")"
    if kill -KILL $job 2>/dev/null; then
      wait $job 2>/dev/null
      kills=$((kills + 1))
      ls "$work/ck" 2>/dev/null | grep -q '\.tmp\.' && in_write=$((in_write + 1))
      n=$(ls "$work/ck" 2>/dev/null | grep -c '^ckpt-.*\.safetensors$')
      [ "$n" -gt 0 ] && seen_checkpoint=true
      if $seen_checkpoint && [ "$n" -eq 0 ]; then
        echo "FAIL: kill $kills left no checkpoint"; fail=1; break
      fi
      if grep -q "skipping checkpoint" "$work/err.txt"; then
        echo "FAIL: a resume could not load the newest checkpoint:"; cat "$work/err.txt"; fail=1; break
      fi
      continue
    fi
  fi
  wait $job
  status=$?
  if [ $status -ne 0 ]; then cat "$work/err.txt"; echo "FAIL: the last run ended with $status"; fail=1; fi
  break
done
echo "$kills kills over $runs runs; $in_write left a checkpoint write unfinished; resumed to $total epochs"
[ $fail -eq 0 ] || exit 1
grep -q "skipping checkpoint" "$work/err.txt" && { cat "$work/err.txt"; echo "FAIL: skipped"; exit 1; }
"$cli" "${common[@]}" --epochs "$total" --checkpoint "$work/ref/" --save "$work/ref.safetensors" \
  > "$work/ref.txt" || { cat "$work/ref.txt"; echo "FAIL: the uninterrupted run"; exit 1; }

PYTHONPATH="$here/../dist" python3 - "$work" <<'PY'
import json, os, sys
from train_runs import tensor_bytes as tensors
work = sys.argv[1]

def summary(path):
    return [json.loads(l) for l in open(path) if '"test_accuracy"' in l][-1]

ref, got = tensors(os.path.join(work, "ref.safetensors")), tensors(os.path.join(work, "final.safetensors"))
assert ref.keys() == got.keys(), (sorted(ref), sorted(got))
differ = [k for k in ref if ref[k] != got[k]]
assert not differ, f"tensors that differ from the uninterrupted run's: {differ}"
a, b = summary(os.path.join(work, "ref.txt")), summary(os.path.join(work, "run.txt"))
assert a["test_loss"] == b["test_loss"], (a["test_loss"], b["test_loss"])
assert a["train_loss"][-1] == b["train_loss"][-1], (a["train_loss"][-1], b["train_loss"][-1])
print(f"the killed and resumed run ends with the uninterrupted run's bits: {len(ref)} tensors, "
      f"test loss {b['test_loss']}")
PY
