#!/usr/bin/env bash
# bench_dist_allreduce between two "hosts" (network namespaces joined by a veth pair, Open MPI
# over TCP; tests/dist/netns_two_hosts.sh), the link unshaped and shaped to 1 Gbit/s: the
# latency and bandwidth of a real TCP path for the cost model (bench/dist_cost_model.py).
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
