#!/usr/bin/env python3
"""The seed MLP (784 -> 528 ReLU -> 10, softmax cross-entropy) trained with PyTorch on the same
Fashion-MNIST files and settings as `magmadnn train`: plain SGD, batch 100, pixels scaled to
[0, 1], shuffled every epoch, nn.Linear's default initialisation. Prints one JSON object with the
test accuracy and the training seconds of each epoch.

Run with Debian's python3-torch: /usr/bin/python3 bench/mlp_pytorch.py --threads 1
(with OPENBLAS_NUM_THREADS and OPENBLAS_CORETYPE set as bench/mlp_epoch.sh does)."""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_epochs import parse_args, run  # noqa: E402


def main():
    nn = torch.nn
    run(parse_args(epochs=5, batch_size=100, lr=0.1, momentum=0.0),
        lambda: nn.Sequential(nn.Linear(784, 528), nn.ReLU(), nn.Linear(528, 10)))


if __name__ == "__main__":
    main()
