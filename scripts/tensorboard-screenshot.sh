#!/usr/bin/env bash
# Trains a small MLP on Fashion-MNIST with --logdir, serves the logs with TensorBoard (from the
# test virtual environment, scripts/test-venv.sh) on a free local port, and photographs its
# scalars dashboard with headless Chromium; docs/INTEROP.md shows the picture.
#   bash scripts/tensorboard-screenshot.sh [BUILD] [OUT.png]   # default build, docs/images/tensorboard.png
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
out="${2:-docs/images/tensorboard.png}"
cli="$build/bin/magmadnn"
[ -x "$cli" ] || { echo "no $cli: build first (cmake --build $build)" >&2; exit 1; }
python="$(bash scripts/test-venv.sh "$build/test-venv")"
tensorboard="$(dirname "$python")/tensorboard"
browser="$(command -v chromium || command -v chromium-browser || true)"
[ -n "$browser" ] || { echo "no chromium: apt-get install chromium" >&2; exit 1; }

work="$(mktemp -d)"
tb_pid=""
cleanup() {
  if [ -n "$tb_pid" ]; then kill "$tb_pid" 2>/dev/null || true; wait "$tb_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# 8 epochs on 6,000 rows (1,200 of them validating), batch scalars every 12 steps
"$cli" train --model mlp --hidden 128 --data fashion-mnist --train-rows 6000 \
  --validation-split 0.2 --epochs 8 --batch-size 50 --lr 0.1 --threads 2 --seed 1 \
  --logdir "$work/runs/fashion-mlp" --log-every 12 --log-histograms --json > "$work/train.json"

port="$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$tensorboard" --logdir "$work/runs/fashion-mlp" --host 127.0.0.1 --port "$port" > "$work/tensorboard.log" 2>&1 &
tb_pid=$!
# ready once it lists both runs
"$python" - "$port" <<'PY'
import json, sys, time, urllib.request
url = f"http://127.0.0.1:{sys.argv[1]}/data/runs"
for _ in range(120):
    try:
        if sorted(json.load(urllib.request.urlopen(url, timeout=2))) == ["train", "validation"]:
            sys.exit(0)
    except OSError:
        pass
    time.sleep(0.5)
sys.exit("tensorboard did not come up")
PY

mkdir -p "$(dirname "$out")"
"$browser" --headless=new --no-sandbox --disable-gpu --hide-scrollbars \
  --user-data-dir="$work/chromium" --window-size=1400,1000 --virtual-time-budget=10000 \
  --screenshot="$out" "http://127.0.0.1:$port/?darkMode=false#scalars&tagFilter=epoch_" \
  2> "$work/chromium.log" || { cat "$work/chromium.log" >&2; exit 1; }
echo "wrote $out"
