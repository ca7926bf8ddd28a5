#!/usr/bin/env bash
# Two hosts for real (netns_two_hosts.sh: network namespaces joined by a veth pair shaped to
# 200 Mbit/s, Open MPI over TCP between them). Runs the dist tests across the two hosts, then
# `magmadnn train --dist ring` against a lone process with the doubled batch, and checks that
# the traffic crossed the veth link.
# Exit 77 (skipped) where namespaces cannot be made (not root, no iproute2).
# usage: two_hosts_test.sh MPIEXEC DIST_TEST MAGMADNN_CLI
set -uo pipefail
mpiexec=$1
dist_test=$2
cli=$3
source "$(dirname "$0")/netns_two_hosts.sh"
two_hosts_up "$mpiexec" 200mbit
status=$?
if [ $status -ne 0 ]; then echo "two_hosts_test: skipped"; exit $status; fi
set -e

echo "== the dist tests on two hosts"
on_a "${mpi[@]}" bash -c 'echo "rank $OMPI_COMM_WORLD_RANK on $(hostname)"' | sort
on_a "${mpi[@]}" "$dist_test" > "$work/tests.txt" 2>&1 || { cat "$work/tests.txt"; exit 1; }
grep -E "PASSED|FAILED" "$work/tests.txt" | sort | uniq -c

echo "== magmadnn train --dist ring on two hosts against one process with the doubled batch"
python3 "$(dirname "$0")/train_runs.py" table "$work/t.csv"
common=(train --data "$work/t.csv" --epochs 3 --lr 0.2 --seed 5 --json --threads 1)
before=$(tx_bytes)
on_a "${mpi[@]}" "$cli" "${common[@]}" --batch-size 10 --dist ring > "$work/two.txt"
"$cli" "${common[@]}" --batch-size 20 --dist local > "$work/one.txt"
after=$(tx_bytes)
PYTHONPATH="$(cd "$(dirname "$0")" && pwd)" python3 - "$work" "$before" "$after" <<'PY'
import os, sys
from train_runs import assert_follows, summary
work, before, after = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
two, one = summary(os.path.join(work, "two.txt"))[0], summary(os.path.join(work, "one.txt"))[0]
assert two["world_size"] == 2 and two["strategy"] == "ring", two
assert_follows(two, one)
crossed = after - before
sent = two["bytes_sent_per_step"] * two["steps"]  # rank 0's sends, A's side of the link
assert crossed >= sent, f"only {crossed} bytes crossed the veth link, the ring sent {sent:.0f}"
print("two hosts:", two["train_loss"], "| one process:", one["train_loss"],
      f"| {crossed} bytes over the link")
PY
echo "two_hosts_test: passed"
