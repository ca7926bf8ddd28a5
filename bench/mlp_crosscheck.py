#!/usr/bin/env python3
"""Trains the seed MLP in PyTorch and in magmadnn from the same initial weights and the same
batch order (no shuffling), and prints both test accuracies: equal training should agree to a
few test samples. Reads and writes safetensors with the standard library only.

  /usr/bin/python3 bench/mlp_crosscheck.py --magmadnn build/bin/magmadnn [--epochs 5]"""
import argparse
import json
import struct
import subprocess
import sys
import tempfile

import numpy as np
import torch

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from torch_epochs import load  # noqa: E402


def read_safetensors(path):
    b = open(path, "rb").read()
    n = struct.unpack("<Q", b[:8])[0]
    header = json.loads(b[8:8 + n])
    meta = header.pop("__metadata__", {})
    out = {}
    for name, info in header.items():
        s, e = info["data_offsets"]
        out[name] = np.frombuffer(b[8 + n + s:8 + n + e], dtype=np.float32).reshape(info["shape"])
    return out, meta


def write_safetensors(path, tensors, meta):
    header, blobs, offset = {"__metadata__": meta}, [], 0
    for name, a in tensors.items():
        a = np.ascontiguousarray(a, dtype=np.float32)
        header[name] = {"dtype": "F32", "shape": list(a.shape),
                        "data_offsets": [offset, offset + a.nbytes]}
        blobs.append(a.tobytes())
        offset += a.nbytes
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--magmadnn", default="build/bin/magmadnn")
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp()
    # magmadnn writes a fresh model: it carries the architecture metadata; PyTorch starts from it.
    init = tmp + "/init.safetensors"
    subprocess.run([args.magmadnn, "train", "--epochs", "0", "--seed", str(args.seed), "--save",
                    init, "--json"], check=True, capture_output=True)
    w, meta = read_safetensors(init)
    torch.set_num_threads(1)
    xtr, ytr = load(args.data, "train")
    xte, yte = load(args.data, "t10k")
    model = torch.nn.Sequential(torch.nn.Linear(784, 528), torch.nn.ReLU(), torch.nn.Linear(528, 10))
    with torch.no_grad():
        model[0].weight.copy_(torch.from_numpy(w["layers.1.weight"].T.copy()))
        model[0].bias.copy_(torch.from_numpy(w["layers.1.bias"].copy()))
        model[2].weight.copy_(torch.from_numpy(w["layers.3.weight"].T.copy()))
        model[2].bias.copy_(torch.from_numpy(w["layers.3.bias"].copy()))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    loss_fn = torch.nn.CrossEntropyLoss()
    for _ in range(args.epochs):
        for i in range(0, 60000, 100):
            opt.zero_grad()
            loss_fn(model(xtr[i:i + 100]), ytr[i:i + 100]).backward()
            opt.step()
    with torch.no_grad():
        torch_acc = (model(xte).argmax(1) == yte).float().mean().item()
    r = subprocess.run([args.magmadnn, "train", "--load", init, "--epochs", str(args.epochs),
                        "--no-shuffle", "--lr", "0.1", "--json"], check=True,
                       capture_output=True, text=True)
    ours = json.loads(r.stdout.strip().splitlines()[-1])
    print(json.dumps({"pytorch_test_accuracy": torch_acc,
                      "magmadnn_test_accuracy": ours["test_accuracy"],
                      "difference": ours["test_accuracy"] - torch_acc}))


if __name__ == "__main__":
    main()
