"""Model: a sequential network with its loss and optimizer; fit / predict / evaluate / save / load.

    model = Model([input, fc1, act1, fc2, out], optimizer.sgd(0.05), batch_size=100)
    model.fit(x, y_onehot, epochs=5)      # NumPy arrays or Tensors; float32 ones are not copied
    p = model.predict(x)                  # Tensor {n, classes}; numpy.asarray(p) views it

fit shows progress as the command line does: a bar on a terminal (stderr), one JSON line per
epoch otherwise (stdout, so a notebook shows them). Ctrl-C stops training after the step in
progress and raises KeyboardInterrupt; the model keeps that step's weights and its position
inside the epoch, so ``save`` and ``fit(..., resume=True)`` continue from there.
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any, Callable, Iterable, Optional, Sequence, Union

from ._magmadnn import HOST, Tensor, memory_t
from ._magmadnn import model as _m
from ._magmadnn.layer import LayerF32, LayerF64
from ._magmadnn.model import (
    EpochStats,
    FitOptions,
    History,
    Loss,
    Metrics,
    ModelF32,
    ModelF64,
    TrainingPosition,
    Verbosity,
)
from ._magmadnn.optimizer import Config

__all__ = [
    "Callback", "EarlyStopping", "EpochStats", "FitOptions", "History", "Loss", "Metrics",
    "Model", "ModelCheckpoint", "TrainingPosition", "Verbosity", "load", "sequential",
]

ArrayLike = Any  # a Tensor, a NumPy array, a PyTorch tensor, ...
_Native = Union[ModelF32, ModelF64]


class Callback:
    """Called after each epoch; return True from ``on_epoch_end`` to stop training."""

    def on_epoch_end(self, model: "Model", stats: EpochStats) -> Optional[bool]:
        return None


def _monitored(monitor: str, stats: EpochStats) -> float:
    if monitor not in ("loss", "val_loss", "accuracy", "val_accuracy"):
        raise ValueError(
            f"callback: unknown monitor '{monitor}'; expected loss, val_loss, accuracy or "
            "val_accuracy")
    value = float(getattr(stats, monitor))
    if math.isnan(value):
        raise ValueError(f"callback: '{monitor}' is not available (no validation split?)")
    return value


def _improved(monitor: str, value: float, best: Optional[float], min_delta: float) -> bool:
    if best is None:
        return True
    if "accuracy" in monitor:
        return value > best + min_delta
    return value < best - min_delta


class EarlyStopping(Callback):
    """Stops when ``monitor`` has not improved by ``min_delta`` for ``patience`` epochs."""

    def __init__(self, monitor: str = "val_loss", patience: int = 3, min_delta: float = 0.0):
        if patience < 0:
            raise ValueError(f"EarlyStopping: patience {patience} < 0")
        self.monitor, self.patience, self.min_delta = monitor, patience, min_delta
        self.best: Optional[float] = None
        self.waited = 0

    def on_epoch_end(self, model: "Model", stats: EpochStats) -> Optional[bool]:
        value = _monitored(self.monitor, stats)
        if _improved(self.monitor, value, self.best, self.min_delta):
            self.best, self.waited = value, 0
            return False
        self.waited += 1
        return self.waited > self.patience


class ModelCheckpoint(Callback):
    """Saves the model after each epoch, or only when ``monitor`` improved."""

    def __init__(self, path: str, monitor: str = "val_loss", save_best_only: bool = True):
        self.path, self.monitor, self.save_best_only = path, monitor, save_best_only
        self.best: Optional[float] = None

    def on_epoch_end(self, model: "Model", stats: EpochStats) -> Optional[bool]:
        if self.save_best_only:
            value = _monitored(self.monitor, stats)
            if not _improved(self.monitor, value, self.best, 0.0):
                return False
            self.best = value
        model.save(self.path)
        return False


def epoch_json(stats: EpochStats) -> str:
    """One epoch as the command line's JSON line (NaN as null)."""

    def num(v: float) -> Optional[float]:
        return None if math.isnan(v) else v

    return json.dumps({
        "epoch": stats.epoch, "loss": num(stats.loss), "accuracy": num(stats.accuracy),
        "val_loss": num(stats.val_loss), "val_accuracy": num(stats.val_accuracy),
        "seconds": stats.seconds, "samples_per_second": stats.samples_per_second,
        "learning_rate": stats.learning_rate,
    }, separators=(",", ":"))


def _loss(loss: Union[str, Loss]) -> Loss:
    return getattr(Loss, loss) if isinstance(loss, str) else loss


class Model:
    """A sequential network with its loss and optimizer (the seed's ``Model<T>``).

    ``layers`` run from ``layer.input(placeholder)`` to ``layer.output(...)``; their element
    type (float32 or float64) is the model's.
    """

    def __init__(self, layers: Sequence[Union[LayerF32, LayerF64]], optimizer: Config,
                 batch_size: int, loss: Union[str, Loss] = "softmax_crossentropy"):
        layers = list(layers)
        if not layers:
            raise ValueError("Model: no layers")
        native = ModelF64 if isinstance(layers[0], LayerF64) else ModelF32
        self._m: _Native = native(layers, optimizer, batch_size, _loss(loss))

    @classmethod
    def _wrap(cls, native: _Native) -> "Model":
        model = cls.__new__(cls)
        model._m = native
        return model

    def fit(self, x: ArrayLike, y: ArrayLike, epochs: int, *,
            callbacks: Iterable[Union[Callback, Callable[["Model", EpochStats], Any]]] = (),
            validation_split: float = 0.0, shuffle: bool = True, seed: int = 0,
            verbose: Union[str, bool] = "auto", initial_epoch: int = 0, resume: bool = False,
            checkpoint: str = "", checkpoint_every: int = 0, keep_checkpoints: int = 3,
            detect_anomaly: bool = False, drop_last: bool = False) -> History:
        """Trains for ``epochs`` passes over x {n, features...} with one-hot y {n, classes}.

        ``verbose``: "auto" (a bar on a terminal, JSON lines otherwise, as the command line),
        "bar", "json", or False / "silent". ``callbacks``: Callback objects or callables
        ``f(model, stats)``; a true result stops training. The other options are FitOptions'
        (include/magmadnn/model/model.h). Returns the History of the epochs trained.
        """
        options = FitOptions()
        options.validation_split = validation_split
        options.shuffle = shuffle
        options.seed = seed
        options.initial_epoch = initial_epoch
        options.resume = resume
        options.checkpoint = checkpoint
        options.checkpoint_every = checkpoint_every
        options.keep_checkpoints = keep_checkpoints
        options.detect_anomaly = detect_anomaly
        options.drop_last = drop_last
        native_callbacks = []
        mode = _verbosity(verbose)
        if mode == "json":  # printed here, so that sys.stdout (a notebook) shows them
            options.verbosity = Verbosity.silent
            native_callbacks.append(_print_json)
        else:
            options.verbosity = {"bar": Verbosity.bar, "silent": Verbosity.silent}[mode]
        for cb in callbacks:
            native_callbacks.append(self._bind(cb))
        return self._m.fit(x, y, epochs, options, native_callbacks)

    def _bind(self, cb: Union[Callback, Callable[["Model", EpochStats], Any]]
              ) -> Callable[[EpochStats], bool]:
        call = cb.on_epoch_end if isinstance(cb, Callback) else cb
        return lambda stats: bool(call(self, stats))

    def predict(self, x: ArrayLike) -> Tensor:
        """{n, outputs}: class probabilities for softmax cross-entropy, raw outputs for mse."""
        return self._m.predict(x)

    def predict_class(self, x: ArrayLike) -> Tensor:
        """{n} int32: the most probable class of each row."""
        return self._m.predict_class(x)

    def evaluate(self, x: ArrayLike, y: ArrayLike) -> Metrics:
        """Loss and accuracy over (x, y), in double precision."""
        return self._m.evaluate(x, y)

    def save(self, path: str) -> None:
        """Weights as safetensors with the architecture in its metadata, written atomically."""
        self._m.save(str(path))

    @staticmethod
    def load(path: str, batch_size: int = 0, memory: memory_t = HOST,
             optimizer: Optional[Config] = None, dtype: str = "float32") -> "Model":
        """Rebuilds a saved network (batch_size 0 keeps the saved one)."""
        native = ModelF64 if dtype == "float64" else ModelF32
        return Model._wrap(native.load(str(path), batch_size, memory, optimizer))

    def summary(self) -> str:
        return self._m.summary()

    def __repr__(self) -> str:
        return f"Model({self.dtype}, batch_size={self.batch_size})\n{self.summary()}"

    @property
    def layers(self) -> list:
        return self._m.layers

    @property
    def weights(self) -> list:
        return self._m.weights

    @property
    def batch_size(self) -> int:
        return self._m.batch_size

    @property
    def dtype(self) -> str:
        return self._m.dtype

    @property
    def memory(self) -> memory_t:
        return self._m.memory

    @property
    def optimizer(self) -> Config:
        return self._m.optimizer

    @property
    def epochs_trained(self) -> int:
        return self._m.epochs_trained

    @property
    def position(self) -> TrainingPosition:
        return self._m.position

    @property
    def metadata(self) -> dict:
        return self._m.metadata

    def set_metadata(self, key: str, value: str) -> None:
        self._m.set_metadata(key, value)

    def architecture_json(self) -> str:
        return self._m.architecture_json()


def _verbosity(verbose: Union[str, bool]) -> str:
    if verbose is False or verbose == "silent":
        return "silent"
    if verbose is True or verbose == "auto":
        return "bar" if sys.stderr.isatty() else "json"
    if verbose in ("bar", "json"):
        return str(verbose)
    raise ValueError(f"Model.fit: verbose {verbose!r}: expected 'auto', 'bar', 'json' or False")


def _print_json(stats: EpochStats) -> bool:
    print(epoch_json(stats), flush=True)
    return False


def sequential(architecture_json: str, batch_size: int, optimizer: Config,
               memory: memory_t = HOST, dtype: str = "float32") -> Model:
    """A model from an architecture JSON: {"input_shape": [784], "layers": [...]}."""
    return Model._wrap(_m.sequential(architecture_json, batch_size, optimizer, memory, dtype))


def load(path: str, batch_size: int = 0, memory: memory_t = HOST,
         optimizer: Optional[Config] = None, dtype: str = "float32") -> Model:
    """Model.load."""
    return Model.load(path, batch_size, memory, optimizer, dtype)
