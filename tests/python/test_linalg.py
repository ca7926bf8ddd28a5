"""magmadnn.linalg and magmadnn.fft on NumPy arrays, against NumPy and SciPy."""

from __future__ import annotations

import numpy as np
import pytest

import magmadnn as mdnn
from magmadnn import fft, linalg

scipy_linalg = pytest.importorskip("scipy.linalg")
RNG = np.random.default_rng(7)


def well_conditioned(n: int) -> np.ndarray:
    return RNG.standard_normal((n, n)) + n * np.eye(n)


def test_solve_and_solve_mixed() -> None:
    A, b = well_conditioned(50), RNG.standard_normal((50, 3))
    np.testing.assert_allclose(np.asarray(linalg.solve(A, b)), np.linalg.solve(A, b), rtol=1e-10)
    x, iterations = linalg.solve_mixed(A, b)
    np.testing.assert_allclose(np.asarray(x), np.linalg.solve(A, b), rtol=1e-12, atol=1e-14)
    assert iterations >= 1
    r = linalg.solve_mixed(A, b[:, 0])
    assert r.method == linalg.MixedMethod.refinement and r.backward_error < 1e-15
    A32 = A.astype(np.float32)
    x32 = linalg.solve(A32, b.astype(np.float32))
    assert x32.dtype == "float32"
    np.testing.assert_allclose(np.asarray(x32), np.linalg.solve(A, b), rtol=1e-4, atol=1e-5)


def test_lstsq_qr_cholesky() -> None:
    M, c = RNG.standard_normal((40, 6)), RNG.standard_normal(40)
    np.testing.assert_allclose(np.asarray(linalg.lstsq(M, c)),
                               np.linalg.lstsq(M, c, rcond=None)[0], rtol=1e-10)
    Q, R = linalg.qr(M)
    np.testing.assert_allclose(np.asarray(Q) @ np.asarray(R), M, atol=1e-12)
    S = M.T @ M
    np.testing.assert_allclose(np.asarray(linalg.cholesky(S)),
                               scipy_linalg.cholesky(S, lower=True), rtol=1e-10)


def test_eigh_and_svd() -> None:
    M = RNG.standard_normal((30, 30))
    S = M + M.T
    w, V = linalg.eigh(S)
    np.testing.assert_allclose(np.asarray(w), np.linalg.eigvalsh(S), rtol=1e-10, atol=1e-12)
    Vn = np.asarray(V)
    np.testing.assert_allclose(S @ Vn, Vn * np.asarray(w), atol=1e-10)
    A = RNG.standard_normal((20, 12))
    U, s, Vt = linalg.svd(A)
    np.testing.assert_allclose(np.asarray(s), scipy_linalg.svdvals(A), rtol=1e-10)
    np.testing.assert_allclose(np.asarray(U) * np.asarray(s) @ np.asarray(Vt), A, atol=1e-12)


def test_gemm_batched_and_contract() -> None:
    A = RNG.standard_normal((100, 8, 5)).astype(np.float32)
    B = RNG.standard_normal((100, 5, 7)).astype(np.float32)
    np.testing.assert_allclose(np.asarray(linalg.gemm_batched(A, B)), A @ B, rtol=1e-5, atol=1e-5)
    C = np.ones((100, 8, 7), dtype=np.float32)
    linalg.gemm_batched(2.0, A, B, 1.0, mdnn.as_tensor(C))  # in place, into the array
    np.testing.assert_allclose(C, 2 * (A @ B) + 1, rtol=1e-5, atol=1e-5)
    X, Y = RNG.standard_normal((3, 4, 5)), RNG.standard_normal((3, 5, 6))
    np.testing.assert_allclose(np.asarray(linalg.contract("bik,bkj->jbi", X, Y)),
                               np.einsum("bik,bkj->jbi", X, Y), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(linalg.permute(X, [2, 0, 1])), X.transpose(2, 0, 1))


def test_fft_against_numpy() -> None:
    x = RNG.standard_normal((4, 64))
    np.testing.assert_allclose(np.asarray(fft.fft(x)), np.fft.fft(x), atol=1e-10)
    np.testing.assert_allclose(np.asarray(fft.rfft(x)), np.fft.rfft(x), atol=1e-10)
    X = np.fft.fft(x)
    np.testing.assert_allclose(np.asarray(fft.ifft(X)), x, atol=1e-12)
    img = RNG.standard_normal((2, 32, 16)).astype(np.float32)
    np.testing.assert_allclose(np.asarray(fft.fft2(img)), np.fft.fft2(img), rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(np.asarray(fft.irfft2(fft.rfft2(img), 16)), img, atol=1e-5)
    split = np.asarray(fft.fft2_fp16split(img))
    assert np.abs(split - np.fft.fft2(img)).max() / np.abs(np.fft.fft2(img)).max() < 1e-3
