"""C++ errors arrive as Python exceptions of matching classes, with the C++ message."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import magmadnn as mdnn


def test_shape_error_is_a_value_error_with_the_message() -> None:
    a = mdnn.op.var("a", [2, 3])
    b = mdnn.op.var("b", [4, 5])
    with pytest.raises(mdnn.ShapeError, match=r"\{2, 3\}") as info:
        mdnn.op.matmul(a, b)
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, mdnn.Error)


def test_io_error_is_an_os_error(tmp_path: Path) -> None:
    missing = tmp_path / "none.safetensors"
    with pytest.raises(mdnn.IOError) as info:
        mdnn.Model.load(str(missing))
    assert isinstance(info.value, OSError)
    assert "none.safetensors" in str(info.value)


def test_format_error_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00not json at all!")
    with pytest.raises(mdnn.FormatError, match="bad.safetensors"):
        mdnn.Model.load(str(bad))


def test_numeric_and_value_errors() -> None:
    with pytest.raises(mdnn.NumericError, match="singular"):
        mdnn.linalg.solve(np.zeros((3, 3)), np.ones(3))
    with pytest.raises(mdnn.ShapeError, match="square"):
        mdnn.linalg.solve(np.ones((3, 4)), np.ones(3))
    with pytest.raises(mdnn.ValueError):
        mdnn.optimizer.sgd(-1.0)
    assert issubclass(mdnn.NumericError, ArithmeticError)
    assert issubclass(mdnn.UnsupportedError, NotImplementedError)


def test_type_mismatch_is_a_type_error() -> None:
    a = mdnn.Tensor([2], dtype="float32")
    b = mdnn.Tensor([2], dtype="float64")
    with pytest.raises(TypeError, match="float32"):
        mdnn.add(a, b)
    with pytest.raises(TypeError):
        mdnn.op.add(mdnn.op.var("x", [2]), mdnn.op.var("y", [2], dtype="float64"))
