#!/usr/bin/env bash
# Installs the build into a temporary prefix and builds the examples against it with
# find_package(magmadnn), then runs the graph example.
set -euo pipefail
build=$1
src=$2
prefix=$(mktemp -d)
out=$(mktemp -d)
trap 'rm -rf "$prefix" "$out"' EXIT
cmake --install "$build" --prefix "$prefix" > /dev/null
cmake -S "$src/examples/standalone" -B "$out" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build "$out" -j2 > /dev/null
"$out/seed_graph" | grep -q "d sum / dX"
echo "find_package(magmadnn) build and run: ok"
# the installed command finds its library and reports the CPU kernels it runs
info=$(env -u LD_LIBRARY_PATH "$prefix/bin/magmadnn" info --json 2> /dev/null)
echo "$info" | grep -q '"target_active":"[a-z0-9]*"' || { echo "installed magmadnn info failed: $info"; exit 1; }
echo "installed magmadnn info: ok ($(echo "$info" | grep -o '"target_active":"[a-z0-9]*"'))"
