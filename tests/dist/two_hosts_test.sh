#!/usr/bin/env bash
# Two hosts for real: two network namespaces joined by a veth pair (10.213.N.1 and .2, inside
# this sandbox only), the link shaped to 200 Mbit/s by tc tbf, Open MPI over TCP between them
# (its launch agent starts the remote daemon in the other namespace, with a hostname of its
# own). Runs the dist tests across the two hosts, then `magmadnn train --dist ring` against a
# lone process with the doubled batch, and checks that the traffic crossed the veth link.
# Exit 77 (skipped) where namespaces cannot be made (not root, no iproute2).
# usage: two_hosts_test.sh MPIEXEC DIST_TEST MAGMADNN_CLI
set -uo pipefail
mpiexec=$1
dist_test=$2
cli=$3
id=$$
net=$((id % 200 + 20))
A=mdnnA$id B=mdnnB$id
work=$(mktemp -d)
cleanup() {
  ip netns pids "$A" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
  ip netns pids "$B" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
  ip netns del "$A" 2>/dev/null
  ip netns del "$B" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
if [ "$(id -u)" -ne 0 ] || ! command -v ip > /dev/null || ! ip netns add "$A" 2> /dev/null; then
  echo "two_hosts_test: needs root and iproute2 network namespaces; skipped"
  exit 77
fi
set -e
ip netns add "$B"
ip link add "va$id" type veth peer name "vb$id"
ip link set "va$id" netns "$A"
ip link set "vb$id" netns "$B"
ip -n "$A" addr add "10.213.$net.1/24" dev "va$id"
ip -n "$B" addr add "10.213.$net.2/24" dev "vb$id"
for ns in "$A" "$B"; do ip -n "$ns" link set lo up; done
ip -n "$A" link set "va$id" up
ip -n "$B" link set "vb$id" up
# a slow link (tbf: netem's delay needs the sch_netem kernel module, absent here)
ip netns exec "$A" tc qdisc add dev "va$id" root tbf rate 200mbit burst 64kb latency 50ms
ip netns exec "$B" tc qdisc add dev "vb$id" root tbf rate 200mbit burst 64kb latency 50ms

cat > "$work/agent.sh" <<AGENT
#!/usr/bin/env bash
# Open MPI's launch agent: [options] HOST COMMAND..., run in HOST's namespace
while [[ "\$1" == -* ]]; do shift; done
shift
exec ip netns exec "$B" unshare --uts bash -c "hostname $B; \$*"
AGENT
chmod +x "$work/agent.sh"
printf "10.213.%s.1 slots=1\n10.213.%s.2 slots=1\n" "$net" "$net" > "$work/hostfile"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=1
mpi=("$mpiexec" -n 2 --hostfile "$work/hostfile" --mca plm_rsh_agent "$work/agent.sh"
     --mca btl tcp,self --mca btl_tcp_if_include "10.213.$net.0/24"
     --mca oob_tcp_if_include "10.213.$net.0/24" -x OMP_NUM_THREADS -x "XDG_CACHE_HOME=$work"
     -x MAGMADNN_CONV_ALGO=im2col)
on_a() { ip netns exec "$A" unshare --uts bash -c "hostname $A; exec \"\$@\"" -- "$@"; }
tx_bytes() { ip -n "$A" -s link show "va$id" | awk '/TX:/ { getline; print $1 }'; }

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
