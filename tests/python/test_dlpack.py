"""DLPack both ways: PyTorch and NumPy consume magmadnn tensors and the reverse, same memory."""

from __future__ import annotations

import gc

import numpy as np
import pytest

import magmadnn as mdnn
from conftest import needs_gpu

torch = pytest.importorskip("torch")


def test_torch_views_a_tensor() -> None:
    t = mdnn.Tensor(np.arange(6, dtype=np.float32).reshape(2, 3))
    pt = torch.from_dlpack(t)
    assert pt.data_ptr() == t.data_ptr
    assert pt.dtype == torch.float32 and tuple(pt.shape) == (2, 3)
    pt[0, 1] = 42.0
    assert t.get((0, 1)) == 42.0


def test_a_torch_tensor_is_shared() -> None:
    pt = torch.arange(12, dtype=torch.float64).reshape(3, 4)
    t = mdnn.from_dlpack(pt)
    assert t.data_ptr == pt.data_ptr()
    assert t.dtype == "float64" and t.shape == (3, 4)
    t.set((2, 3), -1.0)
    assert pt[2, 3].item() == -1.0
    # any array-like constructor takes the same path
    assert mdnn.Tensor(pt).data_ptr == pt.data_ptr()


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16", "int32", "uint8"])
def test_every_dtype_round_trips_through_torch(dtype: str) -> None:
    src = mdnn.Tensor(np.arange(8, dtype=np.float32)).astype(dtype)
    back = mdnn.from_dlpack(torch.from_dlpack(src))
    assert back.dtype == dtype
    assert back.data_ptr == src.data_ptr
    assert back.astype("float32").tolist() == list(range(8))


def test_numpy_from_dlpack() -> None:
    t = mdnn.Tensor(np.linspace(0, 1, 5))
    a = np.from_dlpack(t)
    assert a.__array_interface__["data"][0] == t.data_ptr
    np.testing.assert_array_equal(a, np.linspace(0, 1, 5))
    w = np.arange(4.0)  # NumPy exports writable arrays; it views ours read-only (NumPy < 2)
    back = mdnn.from_dlpack(w)
    assert back.data_ptr == w.__array_interface__["data"][0]


def test_torch_view_outlives_the_tensor() -> None:
    t = mdnn.Tensor([256], filler=(mdnn.CONSTANT, [3.0]))
    pt = torch.from_dlpack(t)
    del t
    gc.collect()
    assert pt.sum().item() == 768.0


def test_a_tensor_outlives_the_torch_tensor() -> None:
    pt = torch.full((128,), 2.0)
    t = mdnn.from_dlpack(pt)
    del pt
    gc.collect()
    assert float(np.asarray(t).sum()) == 256.0


def test_from_dlpack_refuses_objects_without_it() -> None:
    with pytest.raises(TypeError, match="__dlpack__"):
        mdnn.from_dlpack([1.0, 2.0])


@needs_gpu
def test_device_tensors_cross_with_their_device() -> None:
    t = mdnn.Tensor(np.arange(4, dtype=np.float32)).to(mdnn.DEVICE)
    assert t.__dlpack_device__()[0] == 2  # kDLCUDA
    pt = torch.from_dlpack(t)
    assert pt.is_cuda and pt.data_ptr() == t.data_ptr
    assert pt.cpu().tolist() == [0.0, 1.0, 2.0, 3.0]
    back = mdnn.from_dlpack(pt * 2)
    assert back.memory == mdnn.DEVICE
    assert back.to(mdnn.HOST).tolist() == [0.0, 2.0, 4.0, 6.0]
    with pytest.raises(mdnn.DeviceError, match="HOST"):
        np.asarray(t)
    managed = mdnn.Tensor(np.ones(3, dtype=np.float32)).to(mdnn.CUDA_MANAGED)
    assert managed.__dlpack_device__()[0] == 13  # kDLCUDAManaged
