"""Model from Python: fit on NumPy arrays, predict, evaluate, save / load, callbacks, progress,
and Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import threading
from pathlib import Path

import numpy as np
import pytest

import magmadnn as mdnn
from magmadnn import layer, op


def blobs(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Three well separated Gaussian blobs in 4-D, one-hot labels."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 3
    x = rng.normal(0.0, 0.5, (n, 4)).astype(np.float32)
    x[np.arange(n), labels] += 3.0
    return x, np.eye(3, dtype=np.float32)[labels]


def small_mlp(batch: int, lr: float = 0.1) -> mdnn.Model:
    data = op.var("data", [batch, 4])
    inp = layer.input(data)
    fc1 = layer.fullyconnected(inp.out(), 16)
    act = layer.activation(fc1.out(), layer.TANH)
    fc2 = layer.fullyconnected(act.out(), 3)
    out = layer.output(fc2.out())
    return mdnn.Model([inp, fc1, act, fc2, out], mdnn.optimizer.sgd(lr), batch)


def test_fit_predict_evaluate_on_numpy(capsys: pytest.CaptureFixture[str]) -> None:
    mdnn.set_seed(1)
    x, y = blobs(300, 0)
    model = small_mlp(20)
    history = model.fit(x, y, 5, verbose="json")
    lines = [json.loads(s) for s in capsys.readouterr().out.splitlines()]
    assert [e["epoch"] for e in lines] == [1, 2, 3, 4, 5]  # the command line's JSON lines
    assert set(lines[0]) >= {"loss", "accuracy", "seconds", "samples_per_second"}
    assert len(history.epochs) == 5 and history.epochs[-1].accuracy > 0.95
    p = model.predict(x)
    assert p.shape == (300, 3)
    np.testing.assert_allclose(np.asarray(p).sum(axis=1), 1.0, rtol=1e-5)
    assert (np.asarray(model.predict_class(x)) == y.argmax(1)).mean() > 0.95
    m = model.evaluate(x, y)
    assert m.accuracy > 0.95 and m.loss < 0.3


def test_float64_arrays_train_a_float32_model() -> None:
    x, y = blobs(60, 2)
    model = small_mlp(20)
    model.fit(x.astype(np.float64), y.astype(np.float64), 1, verbose=False)
    assert model.epochs_trained == 1


def test_save_load_gives_identical_predictions(tmp_path: Path) -> None:
    x, y = blobs(120, 3)
    model = small_mlp(20)
    model.fit(x, y, 2, verbose=False)
    path = tmp_path / "mlp.safetensors"
    model.save(str(path))
    loaded = mdnn.Model.load(str(path))
    np.testing.assert_array_equal(np.asarray(loaded.predict(x)), np.asarray(model.predict(x)))
    assert loaded.epochs_trained == 2 and "fullyconnected" in loaded.architecture_json()


def test_callbacks_stop_training() -> None:
    x, y = blobs(120, 4)
    model = small_mlp(20)
    seen: list[int] = []
    h = model.fit(x, y, 50, validation_split=0.25, verbose=False,
                  callbacks=[lambda m, s: seen.append(s.epoch) or s.epoch == 3])
    assert seen == [1, 2, 3] and h.stopped_early
    early = mdnn.EarlyStopping("val_loss", patience=0, min_delta=10.0)
    h = small_mlp(20).fit(x, y, 50, validation_split=0.25, verbose=False, callbacks=[early])
    assert len(h.epochs) == 2


def test_ctrl_c_stops_training_cleanly() -> None:
    x, y = blobs(30000, 5)
    model = small_mlp(10, lr=0.01)
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            model.fit(x, y, 1000, verbose=False)
    finally:
        timer.cancel()
    pos = model.position
    assert pos.epoch < 1000 and (pos.step > 0 or pos.epoch > 0)
    # the model is intact: it predicts, and training continues from where it stopped
    assert np.isfinite(np.asarray(model.predict(x[:10]))).all()
    h = model.fit(x[:100], y[:100], pos.epoch + 1, resume=True, verbose=False)
    assert model.epochs_trained == pos.epoch + 1 or h.epochs == []


def test_sequential_from_json() -> None:
    arch = json.dumps({"input_shape": [4], "layers": [
        {"type": "fullyconnected", "units": 8}, {"type": "activation", "activation": "relu"},
        {"type": "fullyconnected", "units": 3}]})
    model = mdnn.model.sequential(arch, 10, mdnn.optimizer.adam(0.01), dtype="float64")
    assert model.dtype == "float64"
    x, y = blobs(50, 6)
    model.fit(x, y, 2, verbose=False)
    assert model.predict(x).dtype == "float64"
