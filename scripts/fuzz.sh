#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang (library and targets under ASan and UBSan)
# in build-fuzz, runs each for SECONDS (default 30) over a copy of its seed corpus, and prints
# each target's executions and coverage. Exits non-zero when any target finds a crash, a leak, a
# timeout or an out-of-memory; the input is saved as build-fuzz/fuzz-run/<target>/findings/*.
#
#   bash scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
targets=(idx csv safetensors architecture checkpoint)

cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug \
  "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -gline-tables-only" -DMAGMADNN_FUZZ=ON -DMAGMADNN_CUDA=OFF \
  -DMAGMADNN_MPI=OFF >/dev/null
cmake --build build-fuzz -j2 --target "${targets[@]/#/fuzz_}"

# one thread for OpenMP, oneDNN and OpenBLAS: the readers need none, and the runs stay comparable
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
# An architecture may rightly describe a model too large for the fuzzer's memory (-rss_limit_mb):
# past 1 GB of HOST tensors the library refuses with its own Error, an expected outcome.
export MAGMADNN_HOST_MEMORY_LIMIT=1G
export UBSAN_OPTIONS=print_stacktrace=1

status=0
summary=()
for t in "${targets[@]}"; do
  run=build-fuzz/fuzz-run/$t
  rm -rf "$run"
  mkdir -p "$run/corpus" "$run/findings"
  cp tests/fuzz/corpus/"$t"/* "$run/corpus/"
  echo "== fuzz_$t: ${seconds} s"
  rc=0
  build-fuzz/bin/fuzz_"$t" "$run/corpus" -max_total_time="$seconds" -rss_limit_mb=2048 \
    -timeout=10 -print_final_stats=1 -artifact_prefix="$run/findings/" >"$run/log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$run/log")
  last=$(grep -E '^#[0-9]+' "$run/log" | tail -n 1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  if [ "$rc" -ne 0 ]; then
    status=1
    tail -n 60 "$run/log"
    summary+=("$(printf '%-14s FAILED (exit %s): %s' "$t" "$rc" "$(ls "$run/findings")")")
  else
    summary+=("$(printf '%-14s %10s %8s %8s' "$t" "${execs:-?}" "${cov:-?}" "${ft:-?}")")
  fi
done

printf '%-14s %10s %8s %8s\n' target executions cov ft
printf '%s\n' "${summary[@]}"
exit "$status"
