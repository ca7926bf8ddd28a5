"""Tensors to and from NumPy without copies, for every element type, and their lifetimes."""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest

import magmadnn as mdnn

DTYPES = ["float32", "float64", "float16", "int32", "uint8", "complex64", "complex128"]


def pointer(a: np.ndarray) -> int:
    return a.__array_interface__["data"][0]


@pytest.mark.parametrize("dtype", DTYPES)
def test_numpy_array_is_shared_not_copied(dtype: str) -> None:
    a = np.arange(12).reshape(3, 4).astype(dtype)
    t = mdnn.Tensor(a)
    assert t.dtype == dtype
    assert t.shape == (3, 4)
    assert t.is_borrowed
    assert t.data_ptr == pointer(a)
    a[1, 2] = 7  # one memory: writes show on both sides
    assert t.get((1, 2)) == 7
    t.set((2, 3), 5)
    assert a[2, 3] == 5


@pytest.mark.parametrize("dtype", DTYPES)
def test_tensor_is_viewed_by_numpy_without_a_copy(dtype: str) -> None:
    t = mdnn.Tensor([2, 5], dtype=dtype)
    view = np.asarray(t)
    assert view.dtype == np.dtype(dtype)
    assert view.shape == (2, 5)
    assert pointer(view) == t.data_ptr
    assert pointer(t.numpy()) == t.data_ptr
    view[1, 4] = 3
    assert t.get((1, 4)) == 3


def test_round_trip_keeps_the_pointer() -> None:
    a = np.random.default_rng(0).standard_normal((64, 32)).astype(np.float32)
    back = np.asarray(mdnn.Tensor(a))
    assert pointer(back) == pointer(a)
    np.testing.assert_array_equal(back, a)


def test_strided_readonly_and_foreign_arrays_are_copied() -> None:
    a = np.arange(20, dtype=np.float64).reshape(4, 5)
    strided = mdnn.Tensor(a[:, ::2])
    assert strided.data_ptr != pointer(a) and strided.shape == (4, 3)
    np.testing.assert_array_equal(np.asarray(strided), a[:, ::2])
    ro = a.copy()
    ro.flags.writeable = False
    t = mdnn.Tensor(ro)
    assert t.data_ptr != pointer(ro)  # never write through a read-only array
    np.testing.assert_array_equal(np.asarray(t), ro)
    assert mdnn.as_tensor([[1.0, 2.0]], dtype="float32").shape == (1, 2)
    assert mdnn.as_tensor(np.arange(3), dtype="float64").dtype == "float64"
    with pytest.raises(TypeError, match="int64"):
        mdnn.Tensor(np.arange(3, dtype=np.int64))


def test_a_view_outlives_its_tensor() -> None:
    t = mdnn.Tensor([1000], filler=mdnn.Filler(mdnn.CONSTANT, [2.5]))
    view = t.numpy()
    del t
    gc.collect()
    np.testing.assert_array_equal(view, 2.5)  # the view holds the storage
    view += 1.0
    assert float(view.sum()) == 3500.0


def test_a_tensor_keeps_its_numpy_array_alive() -> None:
    a = np.ones(100, dtype=np.float32)
    watch = weakref.ref(a)
    t = mdnn.Tensor(a)
    del a
    gc.collect()
    assert watch() is not None  # the tensor holds the array
    assert float(np.asarray(t).sum()) == 100.0
    del t
    gc.collect()
    assert watch() is None  # and lets it go with the tensor


def test_a_slice_of_a_shared_array_is_a_view() -> None:
    a = np.zeros((6, 3), dtype=np.float32)
    rows = mdnn.Tensor(a).slice(2, 4)
    rows.fill(1.0)
    assert a[2:4].sum() == 6 and a.sum() == 6
    assert rows[1].shape == (3,)


def test_memory_and_dtype_are_visible() -> None:
    t = mdnn.Tensor([3], dtype="float64")
    assert t.memory == mdnn.HOST
    assert t.device == -1
    assert {m.name for m in mdnn.memory_t} == {"HOST", "DEVICE", "MANAGED", "CUDA_MANAGED"}
    assert t.__dlpack_device__() == (1, 0)
    assert "float64" in repr(t) and "HOST" in repr(t)


def test_bfloat16_goes_over_dlpack_not_numpy() -> None:
    t = mdnn.Tensor(np.array([1.5, -2.0], dtype=np.float32)).astype("bfloat16")
    assert t.dtype == "bfloat16"
    with pytest.raises(TypeError, match="bfloat16"):
        np.asarray(t)
    assert t.astype("float32").tolist() == [1.5, -2.0]


def test_eager_math_matches_numpy() -> None:
    rng = np.random.default_rng(1)
    a = rng.standard_normal((4, 3)).astype(np.float32)
    b = rng.standard_normal((3,)).astype(np.float32)
    ta, tb = mdnn.Tensor(a), mdnn.Tensor(b)
    np.testing.assert_allclose(np.asarray(mdnn.add(ta, tb)), a + b, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(ta * 2.0 - tb), a * 2 - b, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(mdnn.exp(ta)), np.exp(a), rtol=1e-5)
    np.testing.assert_allclose(np.asarray(ta @ mdnn.Tensor(a.T.copy())), a @ a.T, rtol=1e-5)
    np.testing.assert_allclose(float(np.asarray(mdnn.sum(ta))), a.sum(), rtol=1e-5)
    np.testing.assert_array_equal(np.asarray(mdnn.argmax(ta, 1)), a.argmax(1))
