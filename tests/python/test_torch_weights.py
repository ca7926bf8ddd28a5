"""Weights out: a model saved by magmadnn loads with the safetensors package into the same network
in PyTorch, through tools/torch_weights.py's key map (docs/INTEROP.md), and predicts what
magmadnn predicts."""

from __future__ import annotations

import importlib.util
import subprocess
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

import magmadnn as mdnn
from conftest import REPO, needs_fashion_mnist

torch = pytest.importorskip("torch")
pytest.importorskip("safetensors")


def key_map() -> ModuleType:
    spec = importlib.util.spec_from_file_location("torch_weights", REPO / "tools" / "torch_weights.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@needs_fashion_mnist
@pytest.mark.parametrize("model,shape", [("mlp", (100, 784)), ("lenet5", (100, 1, 28, 28))])
def test_pytorch_predicts_what_magmadnn_predicts(
    tmp_path: Path, cli: str, model: str, shape: tuple[int, ...]
) -> None:
    saved = tmp_path / f"{model}.safetensors"
    subprocess.run([cli, "train", "--model", model, "--data", "fashion-mnist", "--train-rows",
                    "600", "--epochs", "1", "--threads", "1", "--save", str(saved)],
                   check=True, capture_output=True)
    x = np.random.default_rng(3).random(shape, dtype=np.float32)
    ours = np.asarray(mdnn.Model.load(str(saved)).predict(x))

    tw = key_map()
    arch, weights = tw.state_dict(str(saved))
    net = tw.torch_network(arch, weights)  # load_state_dict(strict=True) inside
    with torch.no_grad():
        theirs = torch.softmax(net(torch.from_numpy(x)), dim=-1).numpy()
    assert theirs.shape == ours.shape
    np.testing.assert_allclose(theirs, ours, rtol=1e-4, atol=1e-5)
