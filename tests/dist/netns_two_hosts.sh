# Sourced: two_hosts_up MPIEXEC [RATE] [DELAY_MS] makes two "hosts", network namespaces
# joined by a link (10.213.N.1 and .2, inside this sandbox only): a veth pair, shaped to RATE
# when given (tc tbf, e.g. 200mbit); or, with DELAY_MS, a pair of TUN devices whose packets a
# relay (delay_link.py) carries DELAY_MS later each way, since netem's delay needs the sch_netem
# kernel module, absent here. Defines `mpi` (an mpiexec command line for 2 ranks, one per host,
# Open MPI over TCP, its launch agent starting the remote daemon in the other namespace with a
# hostname of its own), `on_a` (runs a command in the first host), `on_b` (in the second) and
# `tx_bytes` (bytes the first host has sent on the link). Everything is removed at exit.
# Returns 77 where namespaces cannot be made (not root, no iproute2). Used by
# tests/dist/two_hosts_test.sh and bench/dist_two_hosts.sh.
two_hosts_up() {
  local mpiexec=$1 rate=${2:-} delay=${3:-}
  id=$$
  net=$((id % 200 + 20))
  A=mdnnA$id B=mdnnB$id
  work=$(mktemp -d)
  trap two_hosts_down EXIT
  if [ "$(id -u)" -ne 0 ] || ! command -v ip > /dev/null || ! ip netns add "$A" 2> /dev/null; then
    echo "two hosts: needs root and iproute2 network namespaces"
    return 77
  fi
  ip netns add "$B"
  for ns in "$A" "$B"; do ip -n "$ns" link set lo up; done
  if [ -n "$delay" ]; then
    python3 "$(dirname "${BASH_SOURCE[0]}")/delay_link.py" link "$A" "va$id" "10.213.$net.1" \
      "$B" "vb$id" "10.213.$net.2" "$delay" "$work/link_up" &
    relay=$!
    for _ in $(seq 1 100); do [ -e "$work/link_up" ] && break; sleep 0.05; done
    [ -e "$work/link_up" ] || { echo "two hosts: the delayed link did not come up"; return 1; }
  else
    ip link add "va$id" type veth peer name "vb$id"
    ip link set "va$id" netns "$A"
    ip link set "vb$id" netns "$B"
    ip -n "$A" addr add "10.213.$net.1/24" dev "va$id"
    ip -n "$B" addr add "10.213.$net.2/24" dev "vb$id"
    ip -n "$A" link set "va$id" up
    ip -n "$B" link set "vb$id" up
  fi
  if [ -n "$rate" ]; then
    ip netns exec "$A" tc qdisc add dev "va$id" root tbf rate "$rate" burst 64kb latency 50ms
    ip netns exec "$B" tc qdisc add dev "vb$id" root tbf rate "$rate" burst 64kb latency 50ms
  fi
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
  # --bind-to none: each "host" would pin its rank to core 0, the same core of this machine
  mpi=("$mpiexec" -n 2 --hostfile "$work/hostfile" --bind-to none --mca plm_rsh_agent "$work/agent.sh"
       --mca btl tcp,self --mca btl_tcp_if_include "10.213.$net.0/24"
       --mca oob_tcp_if_include "10.213.$net.0/24" -x OMP_NUM_THREADS -x "XDG_CACHE_HOME=$work"
       -x MAGMADNN_CONV_ALGO=im2col)
}
two_hosts_down() {
  [ -n "${relay:-}" ] && kill -KILL "$relay" 2>/dev/null
  ip netns pids "$A" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
  ip netns pids "$B" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
  ip netns del "$A" 2>/dev/null
  ip netns del "$B" 2>/dev/null
  rm -rf "$work"
}
on_a() { ip netns exec "$A" unshare --uts bash -c "hostname $A; exec \"\$@\"" -- "$@"; }
on_b() { ip netns exec "$B" "$@"; }
tx_bytes() { ip -n "$A" -s link show "va$id" | awk '/TX:/ { getline; print $1 }'; }
