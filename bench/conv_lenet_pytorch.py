#!/usr/bin/env python3
"""LeNet-5 (conv 5x5 6 pad 2, ReLU, max-pool 2, conv 5x5 16, ReLU, max-pool 2, fc 120, ReLU,
fc 84, ReLU, fc 10) trained with PyTorch on the same Fashion-MNIST files and settings as
`magmadnn train --model lenet5`: SGD lr 0.05 momentum 0.9, batch 64, pixels scaled to [0, 1],
shuffled every epoch, default initialisation. Prints one JSON object with the test accuracy and
the training seconds of each epoch.

Run with Debian's python3-torch: /usr/bin/python3 bench/conv_lenet_pytorch.py --threads 1
(with OPENBLAS_NUM_THREADS and OPENBLAS_CORETYPE set as bench/conv_lenet_epoch.sh does)."""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_epochs import parse_args, run  # noqa: E402


def main():
    nn = torch.nn
    run(parse_args(epochs=2, batch_size=64, lr=0.05, momentum=0.9),
        lambda: nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                              nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                              nn.Linear(84, 10)),
        image_shape=(1, 28, 28))


if __name__ == "__main__":
    main()
