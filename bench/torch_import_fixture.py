#!/usr/bin/env python3
"""Writes the PyTorch fixtures of `magmadnn import --from-torch` (tests/model/torch_import_test.cpp,
tests/tools/interop_cli_test.py, tests/model/onnx_export_test.py): three small networks trained
briefly on Fashion-MNIST, each saved as a state dict in safetensors with its logits on the first
8 test images.

  mlp     a named-module nn.Module (fc1, fc2): 784 -> 32 -> ReLU -> 10
  lenet5  an nn.Sequential (keys 0., 3., 7., 9., 11.), the layers of `--model lenet5`
  small_bn  nn.Module with `features` (an nn.Sequential holding Conv2d and BatchNorm2d) and
          `classifier`, whose names sort before `features`: the import needs --modules; its
          architecture JSON is written beside it

  /usr/bin/python3 bench/torch_import_fixture.py        # Debian's python3-torch

Writes tests/model/data/torch_<name>.safetensors (the state dict),
tests/model/data/torch_<name>_logits.safetensors (x: the inputs as the magmadnn model takes them,
logits: PyTorch's f32 outputs) and tests/model/data/torch_small_bn.json."""
import argparse
import json
import os
import struct
import sys

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mlp_crosscheck import write_safetensors  # noqa: E402
from torch_epochs import load  # noqa: E402


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


class SmallBN(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(4, 8, 3, stride=2, padding=1, groups=2), nn.BatchNorm2d(8), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.classifier = nn.Linear(8, 10)

    def forward(self, x):
        return self.classifier(self.features(x))


SMALL_BN_ARCH = {
    "input_shape": [1, 28, 28], "loss": "softmax_crossentropy",
    "layers": [
        {"type": "conv2d", "out_channels": 4, "kernel": 3, "padding": 1},
        {"type": "batchnorm"}, {"type": "activation", "activation": "relu"},
        {"type": "pooling2d", "kernel": 2, "mode": "max"},
        {"type": "conv2d", "out_channels": 8, "kernel": 3, "stride": 2, "padding": 1, "groups": 2},
        {"type": "batchnorm"}, {"type": "activation", "activation": "relu"},
        {"type": "globalavgpool"}, {"type": "fullyconnected", "units": 10}, {"type": "output"}]}


def lenet5():
    return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                         nn.Linear(84, 10))


def write_state_dict(path, tensors):
    """safetensors as safetensors.torch.save_file writes a state dict: F32 weights and batch
    norm's I64 num_batches_tracked (the bench's writer knows F32 only)."""
    header, blobs, offset = {}, [], 0
    for name, a in sorted(tensors.items()):
        a = np.array(a, order="C")  # (ascontiguousarray would make a 0-d counter 1-d)
        dtype = {np.dtype(np.float32): "F32", np.dtype(np.int64): "I64"}[a.dtype]
        header[name] = {"dtype": dtype, "shape": list(a.shape),
                        "data_offsets": [offset, offset + a.nbytes]}
        blobs.append(a.tobytes())
        offset += a.nbytes
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def save_state_dict(path, state):
    try:  # as users write them, where the safetensors package is installed
        from safetensors.torch import save_file
        save_file({k: v.contiguous() for k, v in state.items()}, path)
    except ImportError:
        write_state_dict(path, {k: v.detach().numpy() for k, v in state.items()})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                  "..", "tests", "model", "data"))
    ap.add_argument("--steps", type=int, default=100)
    args = ap.parse_args()
    torch.set_num_threads(1)
    x_train, y_train = load(args.data, "train")
    x_test, _ = load(args.data, "t10k")
    nets = {"mlp": (MLP, (784,)), "lenet5": (lenet5, (1, 28, 28)),
            "small_bn": (SmallBN, (1, 28, 28))}
    for name, (make, shape) in nets.items():
        torch.manual_seed(0)
        net = make()
        opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
        net.train()
        for step in range(args.steps):  # a short training, so the logits mean something
            xb = x_train[step * 64:(step + 1) * 64].reshape(-1, *shape)
            loss = nn.functional.cross_entropy(net(xb), y_train[step * 64:(step + 1) * 64])
            opt.zero_grad()
            loss.backward()
            opt.step()
        net.eval()
        x = x_test[:8].reshape(-1, *shape)
        with torch.no_grad():
            logits = net(x)
        save_state_dict(os.path.join(args.out, f"torch_{name}.safetensors"), net.state_dict())
        write_safetensors(os.path.join(args.out, f"torch_{name}_logits.safetensors"),
                          {"x": x.numpy(), "logits": logits.numpy()},
                          {"torch": torch.__version__})
        print(f"{name}: {sum(p.numel() for p in net.parameters())} parameters, logits "
              f"{logits.abs().max().item():.3f} max |.|, loss {loss.item():.3f}")
    with open(os.path.join(args.out, "torch_small_bn.json"), "w") as f:
        json.dump(SMALL_BN_ARCH, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
