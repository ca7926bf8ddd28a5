#!/usr/bin/env bash
# Two hosts for real (netns_two_hosts.sh: network namespaces, Open MPI over TCP between them).
# Without DELAY_MS: a veth pair shaped to 200 Mbit/s; runs the dist tests across the two hosts.
# With DELAY_MS: a link that delays every packet by DELAY_MS each way (delay_link.py); checks
# the round trip is at least twice that. Then, on either, `magmadnn train --dist ring` against a
# lone process with the doubled batch, and that the traffic crossed the link.
# Exit 77 (skipped) where namespaces cannot be made (not root, no iproute2).
# usage: two_hosts_test.sh MPIEXEC DIST_TEST MAGMADNN_CLI [DELAY_MS]
set -uo pipefail
mpiexec=$1
dist_test=$2
cli=$3
delay=${4:-}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/netns_two_hosts.sh"
if [ -n "$delay" ]; then
  two_hosts_up "$mpiexec" "" "$delay"
else
  two_hosts_up "$mpiexec" 200mbit
fi
status=$?
if [ $status -ne 0 ]; then echo "two_hosts_test: skipped"; exit $status; fi
set -e

if [ -n "$delay" ]; then
  echo "== the link's round trip, $delay ms each way"
  on_a python3 "$here/delay_link.py" echo "10.213.$net.1" 7007 &
  rtt=$(on_b python3 "$here/delay_link.py" rtt "10.213.$net.1" 7007 20)
  echo "median TCP round trip: $rtt ms"
  python3 -c "import sys; sys.exit(0 if float('$rtt') >= 2 * float('$delay') else 1)" ||
    { echo "FAIL: a round trip of $rtt ms on a link of $delay ms each way"; exit 1; }
else
  echo "== the dist tests on two hosts"
  on_a "${mpi[@]}" bash -c 'echo "rank $OMPI_COMM_WORLD_RANK on $(hostname)"' | sort
  on_a "${mpi[@]}" "$dist_test" > "$work/tests.txt" 2>&1 || { cat "$work/tests.txt"; exit 1; }
  grep -E "PASSED|FAILED" "$work/tests.txt" | sort | uniq -c
fi

echo "== magmadnn train --dist ring on two hosts against one process with the doubled batch"
python3 "$here/train_runs.py" table "$work/t.csv"
common=(train --data "$work/t.csv" --epochs 3 --lr 0.2 --seed 5 --json --threads 1)
before=$(tx_bytes)
on_a "${mpi[@]}" "$cli" "${common[@]}" --batch-size 10 --dist ring > "$work/two.txt"
"$cli" "${common[@]}" --batch-size 20 --dist local > "$work/one.txt"
after=$(tx_bytes)
PYTHONPATH="$here" python3 - "$work" "$before" "$after" <<'PY'
import os, sys
from train_runs import assert_follows, summary
work, before, after = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
two, one = summary(os.path.join(work, "two.txt"))[0], summary(os.path.join(work, "one.txt"))[0]
assert two["world_size"] == 2 and two["strategy"] == "ring", two
assert_follows(two, one)
crossed = after - before
sent = two["bytes_sent_per_step"] * two["steps"]  # rank 0's sends, A's side of the link
assert crossed >= sent, f"only {crossed} bytes crossed the link, the ring sent {sent:.0f}"
print("two hosts:", two["train_loss"], "| one process:", one["train_loss"],
      f"| {crossed} bytes over the link")
PY
echo "two_hosts_test: passed"
