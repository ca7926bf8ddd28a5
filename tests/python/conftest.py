"""Shared fixtures of the Python package's tests (run by scripts/python-package.sh)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import magmadnn as mdnn

REPO = Path(__file__).resolve().parents[2]


def fashion_mnist_present() -> bool:
    for root in (os.environ.get("MAGMADNN_DATA"), "data", "/usr/share/datasets"):
        if root and (Path(root) / "fashion-mnist").is_dir():
            return True
    return False


needs_fashion_mnist = pytest.mark.skipif(
    not fashion_mnist_present(),
    reason="Fashion-MNIST not found (Debian's dataset-fashion-mnist, scripts/install-deps.sh)")

needs_gpu = pytest.mark.skipif(
    mdnn.device_count() == 0,
    reason="no CUDA device" if mdnn.cuda_compiled() else "a CPU-only build of magmadnn")


@pytest.fixture(scope="session")
def cli() -> str:
    """The magmadnn command line of the same checkout ($MAGMADNN_CLI, else build/bin)."""
    path = os.environ.get("MAGMADNN_CLI") or str(REPO / "build" / "bin" / "magmadnn")
    if not (os.path.isfile(path) and os.access(path, os.X_OK)) and not shutil.which(path):
        pytest.skip(f"the magmadnn command line is not built ({path}); set MAGMADNN_CLI")
    return path
