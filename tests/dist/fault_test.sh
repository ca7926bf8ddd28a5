#!/usr/bin/env bash
# Faults under `mpirun -n 2 magmadnn train`: a rank that stalls (SIGSTOP) makes the other abort
# the job within --dist-timeout, naming the collective and the stalled rank; a rank that dies
# (SIGKILL) ends the job with a non-zero status and the launcher names it. Neither hangs.
# usage: fault_test.sh MPIEXEC "OVERSUBSCRIBE_FLAG" MAGMADNN_CLI
set -uo pipefail
mpiexec=$1
oversubscribe=$2
cli=$3
work=$(mktemp -d)
trap 'pkill -KILL -f "$work/t.csv" 2>/dev/null; rm -rf "$work"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

python3 "$(dirname "$0")/train_runs.py" table "$work/t.csv"

source "$(dirname "$0")/rank_pid.sh"

# run SIGNAL TIMEOUT: starts a long training, signals rank 1 after it has run a while, and
# returns the job's status; the job's output is in $work/out.txt
run() {
  "$mpiexec" -n 2 $oversubscribe "$cli" train --data "$work/t.csv" --epochs 100000 \
    --batch-size 10 --threads 1 --json --dist ring --dist-timeout "$2" > "$work/out.txt" 2>&1 &
  local job=$!
  local pid
  pid=$(rank_pid "$work/t.csv" 1) || { echo "FAIL: rank 1 never started"; kill -KILL $job; return 99; }
  sleep 1.5
  kill "-$1" "$pid"
  local start=$SECONDS
  wait $job
  local status=$?
  echo "SIG$1: job ended with status $status after $((SECONDS - start)) s"
  return $status
}

fail=0
start=$SECONDS
run STOP 3
status=$?
if [ $status -eq 0 ]; then echo "FAIL: a stalled rank left status 0"; fail=1; fi
if [ $((SECONDS - start)) -gt 30 ]; then echo "FAIL: the job took $((SECONDS - start)) s to end"; fail=1; fi
# (the stall mostly lands in a gradient bucket's ring allreduce, sometimes in the epoch's metrics)
if ! grep -qE "magmadnn dist: rank 0 of 2: [a-z ]+ of [0-9]+ elements \(collective #[0-9]+\) waited 3 s for rank 1, which died or stalled" "$work/out.txt"; then
  echo "FAIL: no message naming the collective and rank 1:"; cat "$work/out.txt"; fail=1
fi

start=$SECONDS
run KILL 60
status=$?
if [ $status -eq 0 ]; then echo "FAIL: a killed rank left status 0"; fail=1; fi
if [ $((SECONDS - start)) -gt 40 ]; then echo "FAIL: the job took $((SECONDS - start)) s to end"; fail=1; fi
if ! grep -qiE "rank 1 .*(signal 9|killed)|process rank 1" "$work/out.txt"; then
  echo "FAIL: the launcher did not name rank 1:"; cat "$work/out.txt"; fail=1
fi
[ $fail -eq 0 ] && echo "fault tests passed"
exit $fail
