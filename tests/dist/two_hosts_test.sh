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
awk 'BEGIN { srand(7); for (i = 0; i < 600; ++i) { a = rand() - 0.5; b = rand() - 0.5; c = rand() - 0.5;
  s = a + b - c; printf "%d,%.6f,%.6f,%.6f\n", (s < -0.2 ? 0 : (s < 0.2 ? 1 : 2)), a, b, c } }' \
  > "$work/t.csv"
common=(train --data "$work/t.csv" --epochs 3 --lr 0.2 --seed 5 --json --threads 1)
before=$(tx_bytes)
on_a "${mpi[@]}" "$cli" "${common[@]}" --batch-size 10 --dist ring > "$work/two.txt"
"$cli" "${common[@]}" --batch-size 20 --dist local > "$work/one.txt"
after=$(tx_bytes)
python3 - "$work" "$before" "$after" <<'PY'
import json, sys, os
work, before, after = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def summary(name):
    lines = [json.loads(l) for l in open(os.path.join(work, name)) if l.startswith("{")]
    tails = [l for l in lines if "test_accuracy" in l]
    assert len(tails) == 1, f"{name}: {len(tails)} summaries"
    return tails[0]
two, one = summary("two.txt"), summary("one.txt")
assert two["world_size"] == 2 and two["strategy"] == "ring", two
for a, b in zip(two["train_loss"], one["train_loss"]):
    assert abs(a - b) <= 2e-4 * abs(b), f"two hosts {two['train_loss']} vs one {one['train_loss']}"
crossed = after - before
sent = two["bytes_sent_per_step"] * two["steps"]  # rank 0's sends, A's side of the link
assert crossed >= sent, f"only {crossed} bytes crossed the veth link, the ring sent {sent:.0f}"
print("two hosts:", two["train_loss"], "| one process:", one["train_loss"],
      f"| {crossed} bytes over the link")
PY
echo "two_hosts_test: passed"
