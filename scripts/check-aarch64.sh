#!/usr/bin/env bash
# Compiles every C++ source of the library for aarch64 with Debian's cross compiler
# (g++-aarch64-linux-gnu), where only the scalar kernel target exists: a check that nothing in
# the tree assumes x86 (intrinsics outside the per-target kernels, x86-only builtins). Object code
# is produced and discarded; nothing is linked (the aarch64 libraries are not installed).
#   bash scripts/check-aarch64.sh [BUILD_DIR]   (BUILD_DIR: a configured tree, for config.h)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
cxx=aarch64-linux-gnu-g++
command -v "$cxx" > /dev/null || { echo "check-aarch64: $cxx not installed (scripts/install-deps.sh)"; exit 1; }
[ -f "$build/include/magmadnn/config.h" ] || { echo "check-aarch64: configure $build first"; exit 1; }
flags=(-std=c++20 -O1 -fopenmp -Wall -Wextra -Wpedantic -Wshadow -Werror -Wno-restrict -Wno-psabi
       -Iinclude -I"$build/include" -Isrc -idirafter /usr/include
       -DONNX_ML=1 -DONNX_NAMESPACE=onnx)  # what Debian's ONNX CMake targets define
for d in /usr/include/x86_64-linux-gnu/openblas-pthread /usr/include/openblas; do
  [ -d "$d" ] && flags+=(-idirafter "$d")
done
# TensorBoard's event schema, as the build generates it (src/io/event_writer.cpp includes it)
generated=$(mktemp -d)
trap 'rm -rf "$generated"' EXIT
protoc -Ithird_party/tensorboard --cpp_out="$generated" third_party/tensorboard/tensorboard/compat/proto/*.proto
flags+=(-isystem "$generated")
count=0
fail=0
while IFS= read -r src; do
  extra=()
  case "$src" in *_kernels.cpp) extra=(-DMAGMADNN_ISA_SCALAR=1) ;; esac
  if ! "$cxx" "${flags[@]}" "${extra[@]}" -c "$src" -o /dev/null; then
    echo "check-aarch64: $src does not compile for aarch64"
    fail=1
  fi
  count=$((count + 1))
done < <(find src -name '*.cpp' -not -path '*/cuda/*' | sort)
[ "$fail" = 0 ] || exit 1
echo "check-aarch64: all $count library sources compile for aarch64 (scalar kernels)"
