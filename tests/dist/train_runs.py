"""Shared by the dist shell tests: the table they train on and how their runs are compared.

  python3 train_runs.py table FILE    writes 600 rows, 3 classes from a linear rule, label first
  python3 train_runs.py epochs FILE   prints the epochs a saved model has trained (0 if unreadable)
"""
import json
import os
import random
import struct
import sys


def write_table(path, rows=600, seed=7):
    rng = random.Random(seed)
    with open(path, "w") as out:
        for _ in range(rows):
            a, b, c = (rng.random() - 0.5 for _ in range(3))
            s = a + b - c
            out.write(f"{0 if s < -0.2 else 1 if s < 0.2 else 2},{a:.6f},{b:.6f},{c:.6f}\n")


def summary(path):
    """The one summary line of a `magmadnn train --json` run, and its epoch lines."""
    lines = [json.loads(l) for l in open(path) if l.startswith("{")]
    tails = [l for l in lines if "test_accuracy" in l]
    assert len(tails) == 1, f"{path}: {len(tails)} summaries (only rank 0 may print one)"
    return tails[0], [l for l in lines if "epoch" in l and "test_accuracy" not in l]


def assert_follows(ranks, lone, rel=2e-4):
    """Epoch losses of the data-parallel run within `rel` of the lone run's (f32)."""
    for a, b in zip(ranks["train_loss"], lone["train_loss"]):
        assert abs(a - b) <= rel * abs(b), f"ranks {ranks['train_loss']} vs lone {lone['train_loss']}"


def read_safetensors(path):
    """(header, data) of a safetensors file: its first 8 bytes give the JSON header's length."""
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        return json.loads(f.read(length)), f.read()


def tensor_bytes(path):
    """name -> raw bytes of every tensor of a safetensors file."""
    header, data = read_safetensors(path)
    return {k: data[v["data_offsets"][0]:v["data_offsets"][1]]
            for k, v in header.items() if k != "__metadata__"}


def epochs_trained(path):
    """magmadnn.epochs_trained from a saved model's header."""
    header, _ = read_safetensors(path)
    return int(header["__metadata__"]["magmadnn.epochs_trained"])


if __name__ == "__main__" and sys.argv[1:2] == ["table"]:
    write_table(sys.argv[2])
elif __name__ == "__main__" and sys.argv[1:2] == ["epochs"]:
    try:
        print(epochs_trained(sys.argv[2]))
    except (OSError, ValueError, KeyError, struct.error):
        print(0)
