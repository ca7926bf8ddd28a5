#!/usr/bin/env python3
"""LeNet-5 (conv 5x5 6 pad 2, ReLU, max-pool 2, conv 5x5 16, ReLU, max-pool 2, fc 120, ReLU,
fc 84, ReLU, fc 10) trained with PyTorch on the same Fashion-MNIST files and settings as
`magmadnn train --model lenet5`: SGD lr 0.05 momentum 0.9, batch 64, pixels scaled to [0, 1],
shuffled every epoch, default initialisation. Prints one JSON object with the test accuracy and
the training seconds of each epoch.

Run with Debian's python3-torch: /usr/bin/python3 bench/conv_lenet_pytorch.py --threads 1
(with OPENBLAS_NUM_THREADS and OPENBLAS_CORETYPE set as bench/conv_lenet_epoch.sh does)."""
import argparse
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mlp_pytorch import load  # noqa: E402  (the same IDX reader)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--momentum", type=float, default=0.9)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--device", default="cpu")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    dev = torch.device(args.device)
    xtr, ytr = load(args.data, "train")
    xte, yte = load(args.data, "t10k")
    xtr, ytr, xte, yte = xtr.to(dev), ytr.to(dev), xte.to(dev), yte.to(dev)
    nn = torch.nn
    xtr, xte = xtr.reshape(-1, 1, 28, 28), xte.reshape(-1, 1, 28, 28)
    model = nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                          nn.Linear(84, 10)).to(dev)
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum)
    loss_fn = torch.nn.CrossEntropyLoss()
    n = xtr.shape[0]
    seconds, train_loss = [], []
    for _ in range(args.epochs):
        total = torch.zeros((), device=dev)
        perm = torch.randperm(n, device=dev)
        if dev.type == "cuda":
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        for i in range(0, n - args.batch_size + 1, args.batch_size):
            idx = perm[i:i + args.batch_size]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xtr[idx]), ytr[idx])
            loss.backward()
            opt.step()
            total += loss.detach()
        if dev.type == "cuda":
            torch.cuda.synchronize()
        seconds.append(time.perf_counter() - t0)
        train_loss.append(total.item() / (n // args.batch_size))
    with torch.no_grad():
        logits = model(xte)
        acc = (logits.argmax(1) == yte).float().mean().item()
        test_loss = loss_fn(logits, yte).item()
    print(json.dumps({"framework": "pytorch " + torch.__version__, "test_accuracy": acc,
                      "test_loss": test_loss, "seconds_per_epoch": seconds, "train_loss": train_loss,
                      "threads": args.threads}))


if __name__ == "__main__":
    main()
