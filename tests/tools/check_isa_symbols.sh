#!/usr/bin/env bash
# The library's baseline code must run on any x86-64-v2 CPU: every function that uses AVX
# (ymm) or AVX-512 (zmm, mask registers) registers must sit in a per-target namespace (avx2::,
# avx512::), chosen at run time, and the avx2 copies must not use AVX-512. A violation means a
# kernel escaped backend/cpu/isa/begin.h, or an inline function or template compiled for a
# target was shared with baseline code.
set -euo pipefail
lib=$1
listing=$(mktemp)
trap 'rm -f "$listing"' EXIT
objdump -d --no-show-raw-insn -C "$lib" > "$listing"
# name<TAB>kind for each function with wide registers (kind: ymm or zmm)
uses=$(awk '/^[0-9a-f]+ <.*>:$/ { name = $0; next }
            /%zmm|%k[1-7]/ { if (!((name, "zmm") in seen)) { seen[name, "zmm"] = 1; print name "\tzmm" } }
            /%ymm/ { if (!((name, "ymm") in seen)) { seen[name, "ymm"] = 1; print name "\tymm" } }' "$listing")
total=$(printf '%s\n' "$uses" | grep -c . || true)
# libxsmm (linked statically, symbols hidden) dispatches a few helpers of its own at run time
bad_baseline=$(printf '%s\n' "$uses" | grep -v -e '::avx512::' -e '::avx2::' |
  grep -v -E '<internal_(diff|memcmp)_avx(2|512)>' | grep . || true)
bad_avx2=$(printf '%s\n' "$uses" | grep '::avx2::' | grep "$(printf '\tzmm')" || true)
if [ -n "$bad_baseline" ] || [ -n "$bad_avx2" ]; then
  echo "functions using registers beyond their target:"
  printf '%s\n' "$bad_baseline" "$bad_avx2" | grep . | head -20
  exit 1
fi
echo "ok: $total function/register pairs, all inside avx2:: or avx512:: (avx2 without zmm)"
