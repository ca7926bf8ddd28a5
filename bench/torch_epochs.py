"""What the PyTorch side of the epoch benchmarks shares: the Fashion-MNIST IDX reader, the
command line, and the timed training loop (the same data, shuffling every epoch, batches that
drop the last partial one, and the JSON summary that `magmadnn train --json` prints)."""
import argparse
import gzip
import json
import os
import struct
import time

import numpy as np
import torch


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load(directory, prefix):
    def pick(name):
        for suffix in (".gz", ""):
            p = os.path.join(directory, name + suffix)
            if os.path.exists(p):
                return p
        raise FileNotFoundError(os.path.join(directory, name))
    x = read_idx(pick(prefix + "-images-idx3-ubyte")).reshape(-1, 784).astype(np.float32) / 255.0
    y = read_idx(pick(prefix + "-labels-idx1-ubyte")).astype(np.int64)
    return torch.from_numpy(x), torch.from_numpy(y)


def parse_args(epochs, batch_size, lr, momentum):
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--epochs", type=int, default=epochs)
    ap.add_argument("--batch-size", type=int, default=batch_size)
    ap.add_argument("--lr", type=float, default=lr)
    ap.add_argument("--momentum", type=float, default=momentum)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--device", default="cpu")
    return ap.parse_args()


def run(args, make_model, image_shape=(784,)):
    """Trains make_model() with SGD (args.lr, args.momentum) and prints the JSON summary."""
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    dev = torch.device(args.device)
    xtr, ytr = load(args.data, "train")
    xte, yte = load(args.data, "t10k")
    xtr, xte = xtr.reshape(-1, *image_shape), xte.reshape(-1, *image_shape)
    xtr, ytr, xte, yte = xtr.to(dev), ytr.to(dev), xte.to(dev), yte.to(dev)
    model = make_model().to(dev)
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
