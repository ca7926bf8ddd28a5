"""The seed MLP trained from Python reaches the command line's accuracy for the same seed."""

from __future__ import annotations

import json
import subprocess

import magmadnn as mdnn
from conftest import needs_fashion_mnist
from magmadnn import layer, op

ROWS, EPOCHS, SEED, BATCH, LR = 6000, 2, 42, 100, 0.1


def python_mlp_accuracy() -> float:
    mdnn.set_seed(SEED)
    train = mdnn.data.load_mnist_like("fashion-mnist", "train")
    test = mdnn.data.load_mnist_like("fashion-mnist", "test")
    x = train.x.slice(0, ROWS)
    y = mdnn.data.one_hot(train.labels.slice(0, ROWS), 10)
    # the seed's network: 784 -> 528 -> ReLU -> 10 (train --model mlp)
    data = op.var("data", [BATCH, 784], mdnn.Filler(mdnn.NONE), mdnn.HOST)
    inp = layer.input(data)
    fc1 = layer.fullyconnected(inp.out(), 528)
    act1 = layer.activation(fc1.out(), layer.RELU)
    fc2 = layer.fullyconnected(act1.out(), 10)
    out = layer.output(fc2.out())
    model = mdnn.Model([inp, fc1, act1, fc2, out], mdnn.optimizer.sgd(LR), BATCH)
    model.fit(x, y, EPOCHS, seed=SEED, verbose=False)
    return model.evaluate(test.x, mdnn.data.one_hot(test.labels, 10)).accuracy


@needs_fashion_mnist
def test_python_mlp_matches_the_cli(cli: str) -> None:
    run = subprocess.run(
        [cli, "train", "--model", "mlp", "--data", "fashion-mnist", "--epochs", str(EPOCHS),
         "--train-rows", str(ROWS), "--seed", str(SEED), "--batch-size", str(BATCH),
         "--lr", str(LR), "--json"],
        check=True, capture_output=True, text=True)
    cli_accuracy = json.loads(run.stdout.strip().splitlines()[-1])["test_accuracy"]
    accuracy = python_mlp_accuracy()
    assert accuracy > 0.7
    # the same library, seed, data order and arithmetic: the same model
    assert abs(accuracy - cli_accuracy) < 1e-9, (accuracy, cli_accuracy)
