#!/usr/bin/env bash
# The Python package: `pip install .` into a fresh virtual environment, then its tests
# (tests/python) under pytest.
#   bash scripts/python-package.sh [BUILD]
# BUILD, a configured and built magmadnn tree (default: build), is linked by the extension, so
# only the bindings compile; BUILD="" makes pip build the library as well (as a user's
# `pip install .` does). The environment sees Debian's numpy, scipy, pytest and torch
# (python3-*: ABI-matched with each other, and torch without a 2 GB PyPI download); pip fetches
# only the build requirements (scikit-build-core, nanobind) and safetensors.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1-build}"
python=/usr/bin/python3
venv="$PWD/build-python/venv"
packages=(python3-dev python3-venv python3-numpy python3-scipy python3-pytest python3-torch)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get install -y --no-install-recommends "${missing[@]}" 2>/dev/null ||
    { $SUDO apt-get update && $SUDO apt-get install -y --no-install-recommends "${missing[@]}"; }
fi

rm -rf "$venv"
"$python" -m venv --system-site-packages "$venv"
args=(--disable-pip-version-check --quiet)
if [ -n "$build" ]; then
  args+=(--config-settings=cmake.source-dir=python
            "--config-settings=cmake.define.magmadnn_DIR=$PWD/$build")
  cli="$PWD/$build/bin/magmadnn"
else
  cli="${MAGMADNN_CLI:-$PWD/build/bin/magmadnn}"
fi
# two compile jobs, as the C++ build; ccache as the C++ build
CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-2}" \
  "$venv/bin/python" -m pip install "${args[@]}" .
# safetensors (PyPI; Debian has none): tests/python/test_torch_weights.py reads saved models
# into PyTorch with it, as docs/INTEROP.md's key map tells users to
"$venv/bin/python" -m pip install --disable-pip-version-check --quiet safetensors
# from outside the checkout, so that `import magmadnn` is the installed package
cd build-python
MAGMADNN_CLI="$cli" "$venv/bin/python" -m pytest -q -p no:cacheprovider ../tests/python
