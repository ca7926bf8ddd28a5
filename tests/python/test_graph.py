"""The seed's graph workflow from Python: variables, ops, eval, gradients."""

from __future__ import annotations

import numpy as np

import magmadnn as mdnn
from magmadnn import op


def test_seed_graph_evaluates_as_numpy() -> None:
    mdnn.set_seed(3)
    A = op.var("A", [4, 5], mdnn.Filler(mdnn.GLOROT, [1.5, 2.0]), mdnn.HOST)
    X = op.var("X", [5, 4], (mdnn.UNIFORM, [0.0, 1.0]), mdnn.HOST)
    B = op.var("B", [4, 4], (mdnn.DIAGONAL, [1, 2, 3, 4]), mdnn.HOST)
    result = op.add(op.matmul(A, X), B)  # builds the graph, computes nothing
    r = result.eval()
    a, x, b = (np.asarray(op.value_of(v)) for v in (A, X, B))
    np.testing.assert_allclose(np.asarray(r), a @ x + b, rtol=1e-5)
    np.testing.assert_array_equal(np.diag(b), [1, 2, 3, 4])
    assert result.kind == "add" and result.shape == (4, 4)


def test_operators_build_nodes() -> None:
    x = op.var("x", np.array([[1.0, 2.0], [3.0, 4.0]]))
    assert x.dtype == "float64"
    y = (x @ x + x) * x - x
    xv = np.array([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_allclose(np.asarray(y.eval()), (xv @ xv + xv) * xv - xv)


def test_variables_share_numpy_memory() -> None:
    a = np.ones((2, 2), dtype=np.float32)
    v = op.var("v", a)
    s = op.reduce_sum(v)
    assert float(np.asarray(s.eval())) == 4.0
    a[:] = 2.0  # the variable reads the array's memory
    assert float(np.asarray(s.eval())) == 8.0


def test_gradients_match_the_analytic_ones() -> None:
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal((3, 2))
    x0 = rng.standard_normal((4, 3))
    w = op.var("w", w0.copy())
    x = op.var("x", x0.copy())
    loss = op.reduce_sum(op.tanh(op.matmul(x, w)))
    loss.eval()
    table = op.get_grad_table([w, x], loss)
    g = 1 - np.tanh(x0 @ w0) ** 2
    np.testing.assert_allclose(np.asarray(table[w]), x0.T @ g, rtol=1e-10)
    np.testing.assert_allclose(np.asarray(table.get(x)), g @ w0.T, rtol=1e-10)
