#!/usr/bin/env python3
"""PyTorch's forward time for the VGG-16 3x3 layer shapes of bench/conv_layers.cpp (f32, batch
given, best of a few repetitions), for the same table. Run with Debian's python3-torch:
OPENBLAS_NUM_THREADS=1 OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 bench/conv_layers_pytorch.py"""
import argparse
import time

import torch


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    print("| layer | pytorch %s threads=%d (ms) |" % (torch.__version__, args.threads))
    print("| --- | ---: |")
    with torch.no_grad():
        for c, hw in ((64, 56), (64, 112), (128, 56), (128, 112)):
            x = torch.rand(args.batch, c, hw, hw) * 2 - 1
            w = (torch.rand(c, c, 3, 3) * 2 - 1) * 0.1
            torch.nn.functional.conv2d(x, w, padding=1)
            best = 1e300
            for _ in range(args.reps):
                t0 = time.perf_counter()
                torch.nn.functional.conv2d(x, w, padding=1)
                best = min(best, time.perf_counter() - t0)
            print("| %d->%d %dx%d | %.2f |" % (c, c, hw, hw, best * 1e3))


if __name__ == "__main__":
    main()
