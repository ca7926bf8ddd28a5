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
