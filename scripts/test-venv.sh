#!/usr/bin/env bash
# The Python packages some tests check against (reference implementations from PyPI: onnxruntime,
# tensorboard, ...), in a virtual environment of their own, never in the build or the main job.
#   bash scripts/test-venv.sh [DIR]      # default build/test-venv; prints DIR/bin/python
# Installs tests/python-requirements.txt; does nothing when the environment already holds it.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-build/test-venv}"
req="tests/python-requirements.txt"
stamp="$dir/.requirements"
if ! { [ -x "$dir/bin/python" ] && [ -f "$stamp" ] && cmp -s "$req" "$stamp"; }; then
  python3 -m venv "$dir" >&2
  "$dir/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req" >&2
  cp "$req" "$stamp"
fi
echo "$(cd "$dir" && pwd)/bin/python"  # absolute: tests run from other directories
