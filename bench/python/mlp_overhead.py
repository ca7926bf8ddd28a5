"""Python's overhead on the seed MLP's epoch: Model.fit from Python against `magmadnn train`
(the C++ command line) on the same data, network, seed and threads, in the same run.

    python bench/python/mlp_overhead.py build/bin/magmadnn [--epochs 3] [--rows 60000]

Both train 784 -> 528 -> ReLU -> 10 on Fashion-MNIST (batch 100, SGD lr 0.1); the epoch time is
fit's own (EpochStats.seconds, training only) and, for Python, also the wall time of the whole
fit call divided by the epochs (argument conversion, the per-step signal check, callbacks).
Rounds alternate CLI / Python (3 by default) and keep each side's best epoch. Goal: <= 3 % over the CLI.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import time

import magmadnn as mdnn
from magmadnn import layer, op


def cli_epoch(cli: str, epochs: int, rows: int, threads: int) -> float:
    out = subprocess.run(
        [cli, "train", "--model", "mlp", "--data", "fashion-mnist", "--epochs", str(epochs),
         "--train-rows", str(rows), "--seed", "42", "--threads", str(threads), "--json"],
        check=True, capture_output=True, text=True).stdout
    return min(json.loads(out.strip().splitlines()[-1])["seconds_per_epoch"])


def python_epoch(epochs: int, rows: int, threads: int) -> tuple[float, float]:
    mdnn.set_num_threads(threads)
    mdnn.set_seed(42)
    train = mdnn.data.load_mnist_like("fashion-mnist", "train")
    x = train.x.slice(0, rows)
    y = mdnn.data.one_hot(train.labels.slice(0, rows), 10)
    data = op.var("data", [100, 784])
    inp = layer.input(data)
    fc1 = layer.fullyconnected(inp.out(), 528)
    act1 = layer.activation(fc1.out(), layer.RELU)
    fc2 = layer.fullyconnected(act1.out(), 10)
    out = layer.output(fc2.out())
    model = mdnn.Model([inp, fc1, act1, fc2, out], mdnn.optimizer.sgd(0.1), 100)
    t0 = time.perf_counter()
    history = model.fit(x, y, epochs, seed=42, verbose=False)
    wall = (time.perf_counter() - t0) / epochs
    return min(e.seconds for e in history.epochs), wall


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("cli")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--rows", type=int, default=60000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    cli, py, wall = [], [], []
    for _ in range(args.rounds):
        cli.append(cli_epoch(args.cli, args.epochs, args.rows, args.threads))
        p, w = python_epoch(args.epochs, args.rows, args.threads)
        py.append(p)
        wall.append(w)
    c, p, w = min(cli), min(py), min(wall)
    print("| seed MLP epoch | seconds | over the CLI |")
    print("| --- | --- | --- |")
    print(f"| `magmadnn train` (C++) | {c:.3f} | |")
    print(f"| Model.fit from Python (fit's epoch time) | {p:.3f} | {100 * (p / c - 1):+.1f} % |")
    print(f"| Model.fit from Python (wall time / epochs) | {w:.3f} | {100 * (w / c - 1):+.1f} % |")


if __name__ == "__main__":
    main()
