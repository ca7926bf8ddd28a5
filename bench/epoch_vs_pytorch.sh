#!/usr/bin/env bash
# The epoch benchmark both models share: magmadnn against PyTorch at its best configuration
# here, measured in the same run.
#   bash bench/epoch_vs_pytorch.sh PYTORCH_SCRIPT MAGMADNN_TRAIN_ARGS...
# (BUILD=build EPOCHS=3 DEVICE=cpu|cuda). PyTorch (Debian's python3-torch, run as
# /usr/bin/python3) is tried with 1 and 2 threads, with OPENBLAS_NUM_THREADS=1 and, on AVX-512
# CPUs, OPENBLAS_CORETYPE=SkylakeX; its best is the reference. Each side's figure is the median
# epoch after the first (warm-up) epoch. AS_AVX2=1 on an AVX-512 CPU runs both sides as on an
# AVX2 one: magmadnn's AVX2 kernels (MAGMADNN_CPU_ISA=avx2), oneDNN, ATen and PyTorch's oneDNN
# limited to AVX2, OpenBLAS's Haswell kernels (the caches and clocks stay this CPU's).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
EPOCHS=${EPOCHS:-3}
DEVICE=${DEVICE:-cpu}
PY=${PY:-/usr/bin/python3}
torch_script=$1
shift

coretype=Haswell
if grep -q avx512f /proc/cpuinfo; then coretype=SkylakeX; fi
if [ "${AS_AVX2:-0}" = 1 ]; then
  coretype=Haswell
  export MAGMADNN_CPU_ISA=avx2 ONEDNN_MAX_CPU_ISA=AVX2 DNNL_MAX_CPU_ISA=AVX2 \
    ATEN_CPU_CAPABILITY=avx2 LIBXSMM_TARGET=hsw
  echo "as on an AVX2 CPU: $(env | grep -E '^(MAGMADNN_CPU_ISA|ONEDNN_MAX_CPU_ISA|ATEN_CPU_CAPABILITY)=' | sort | xargs)"
fi
median_tail() {  # median of the epochs after the first, from a JSON line on stdin
  "$PY" -c 'import json,statistics,sys; d=json.loads(sys.stdin.read().strip().splitlines()[-1]); s=d["seconds_per_epoch"]; s=s[1:] or s; print("%.4f %.4f" % (statistics.median(s), d["test_accuracy"]))'
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); date: $(date -u +%F)"
best_torch=""
best_label=""
threads_list="1 2"
[ "$DEVICE" = cuda ] && threads_list="1"
for t in $threads_list; do
  r=$(OPENBLAS_NUM_THREADS=1 OPENBLAS_CORETYPE=$coretype "$PY" "$torch_script" \
      --epochs "$EPOCHS" --threads "$t" --device "$DEVICE" | median_tail)
  echo "pytorch threads=$t coretype=$coretype: epoch ${r% *} s, test accuracy ${r#* }"
  if [ -z "$best_torch" ] || awk "BEGIN{exit !(${r% *} < ${best_torch% *})}"; then
    best_torch=$r; best_label="pytorch threads=$t"
  fi
done
ours=$("$BUILD/bin/magmadnn" train "$@" --data fashion-mnist --epochs "$EPOCHS" \
       --device "$DEVICE" --json | median_tail)
echo "magmadnn ($DEVICE, $(nproc) threads): epoch ${ours% *} s, test accuracy ${ours#* }"
echo
printf '| %-34s | %10s | %13s |\n' "framework" "epoch (s)" "vs best torch"
printf '| %-34s | %10s | %13s |\n' "---" "---:" "---:"
printf '| %-34s | %10s | %13s |\n' "$best_label (best)" "${best_torch% *}" "1.00"
ratio=$(awk "BEGIN{printf \"%.2f\", ${ours% *} / ${best_torch% *}}")
printf '| %-34s | %10s | %13s |\n' "magmadnn" "${ours% *}" "$ratio"
