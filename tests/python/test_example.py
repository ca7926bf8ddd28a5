"""The notebook-style example in examples/python runs as a script."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import REPO, needs_fashion_mnist


@needs_fashion_mnist
def test_fashion_mnist_example_runs() -> None:
    env = dict(os.environ, MAGMADNN_EXAMPLE_ROWS="3000", MAGMADNN_EXAMPLE_EPOCHS="2")
    run = subprocess.run([sys.executable, str(REPO / "examples/python/fashion_mnist_mlp.py")],
                         env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "test accuracy" in run.stdout
    assert '"epoch":2' in run.stdout  # progress as the command line prints it
