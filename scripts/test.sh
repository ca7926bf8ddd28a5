#!/usr/bin/env bash
# Sets up a fresh machine, builds everything (CUDA too where nvcc exists) and runs the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
test_python="$(bash scripts/test-venv.sh build/test-venv)"  # PyPI references for some tests
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DMAGMADNN_TEST_PYTHON="$test_python"
cmake --build build -j2
ctest --test-dir build -j2 --output-on-failure
