#!/usr/bin/env bash
# `magmadnn bench linalg --device cuda --quick`: where `magmadnn info --json` lists a GPU it must
# print both GPU tables and exit 0; elsewhere it must exit 1 with the error that names the
# command and the missing device (or CUDA support), and print no table.
# usage: bench_gpu_check.sh MAGMADNN_CLI
set -uo pipefail
cli=$1
fail() {
  echo "FAIL: $*"
  echo "--- output (exit $rc) ---"
  echo "$out"
  exit 1
}
info=$("$cli" info --json 2>/dev/null) || { echo "FAIL: magmadnn info --json failed"; exit 1; }
out=$("$cli" bench linalg --device cuda --quick 2>&1)
rc=$?
if [[ $info == *'"gpus":[]'* ]]; then
  [[ $rc -eq 1 ]] || fail "no GPU: expected exit status 1"
  [[ $out == *'magmadnn: error: magmadnn bench linalg --device cuda needs'* ]] ||
    fail "no GPU: expected the error naming the command"
  [[ $out == *'needs a CUDA device, but none is present'* ||
     $out == *'needs CUDA, but this build of magmadnn has no CUDA support'* ]] ||
    fail "no GPU: expected the error to say that no device (or no CUDA) is present"
  [[ $out != *'# GPU '* ]] || fail "no GPU: a table header was printed"
else
  [[ $rc -eq 0 ]] || fail "a GPU is present: expected exit status 0"
  [[ $out == *'# GPU mixed-precision solve'* ]] || fail "expected the GPU solve table"
  [[ $out == *'# GPU 2-D complex FFT'* ]] || fail "expected the GPU FFT table"
  [[ $out != *'magmadnn: error'* ]] || fail "an error was printed"
fi
echo "ok (exit $rc)"
