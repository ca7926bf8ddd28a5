#!/usr/bin/env bash
# bench_dist_allreduce between two "hosts" (network namespaces joined by a veth pair, Open MPI
# over TCP; tests/dist/netns_two_hosts.sh), the link unshaped and shaped to 1 Gbit/s: the
# latency and bandwidth of a real TCP path for the cost model (bench/dist_cost_model.py); then
# over a link that delays each packet by 2 ms, where the latency term dominates.
#   bash bench/dist_two_hosts.sh [BUILD_DIR] [MAX_MIB]      (as root)
set -uo pipefail
build=${1:-build}
max=${2:-4}
here=$(cd "$(dirname "$0")" && pwd)
bench=$(cd "$build" && pwd)/bin/bench_dist_allreduce
source "$here/../tests/dist/netns_two_hosts.sh"
for rate in "" 1gbit; do
  ( two_hosts_up mpiexec "$rate" || exit $?
    echo "== link: ${rate:-unshaped veth}"
    on_a "${mpi[@]}" "$bench" "$max" )
done
# a link of 2 ms each way (tests/dist/delay_link.py: a user-space relay, so modest bandwidth)
( two_hosts_up mpiexec "" 2 || exit $?
  echo "== link: 2 ms delay each way"
  on_a "${mpi[@]}" "$bench" 1 )
