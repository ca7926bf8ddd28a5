#!/usr/bin/env python3
"""Writes the reference training trajectories that tests/model/trajectory_test.cpp follows: from
the initial weights magmadnn draws for a model (seed 1), PyTorch trains the same network on the
first Fashion-MNIST training images in file order with the same recipe, and records the loss of
every step, once in f32 (one thread) and once in f64. The f64 run is the exact trajectory; the
f32 run shows how far float rounding alone moves a correct implementation from it, which is what
the test's tolerance is scaled against.

  /usr/bin/python3 bench/trajectory_fixture.py --magmadnn build/bin/magmadnn --model lenet5
  /usr/bin/python3 bench/trajectory_fixture.py --magmadnn build/bin/magmadnn --model mlp

Writes tests/model/data/<model>_init.safetensors and tests/model/data/<model>_trajectory.json."""
import argparse
import json
import os
import subprocess
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mlp_crosscheck import read_safetensors  # noqa: E402
from torch_epochs import load  # noqa: E402

RECIPES = {
    # the README's and the tests' settings for each model
    "mlp": {"batch_size": 100, "lr": 0.1, "momentum": 0.0, "steps": 300},
    "lenet5": {"batch_size": 64, "lr": 0.05, "momentum": 0.9, "steps": 200},
}


def build(model, w, dtype):
    nn = torch.nn
    if model == "mlp":
        net = nn.Sequential(nn.Linear(784, 528), nn.ReLU(), nn.Linear(528, 10))
        pairs = [(net[0], "layers.1"), (net[2], "layers.3")]
    else:
        net = nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                            nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                            nn.Linear(84, 10))
        pairs = [(net[0], "layers.1"), (net[3], "layers.4"), (net[7], "layers.7"),
                 (net[9], "layers.9"), (net[11], "layers.11")]
    net = net.to(dtype)
    with torch.no_grad():
        for module, key in pairs:
            weight = w[key + ".weight"]
            if isinstance(module, nn.Linear):
                weight = weight.T  # magmadnn keeps {in, out}
            module.weight.copy_(torch.from_numpy(np.ascontiguousarray(weight)).to(dtype))
            module.bias.copy_(torch.from_numpy(w[key + ".bias"].copy()).to(dtype))
    return net


def trajectory(model, w, recipe, x, y, dtype):
    net = build(model, w, dtype)
    opt = torch.optim.SGD(net.parameters(), lr=recipe["lr"], momentum=recipe["momentum"])
    loss_fn = torch.nn.CrossEntropyLoss()
    b = recipe["batch_size"]
    losses = []
    for s in range(recipe["steps"]):
        opt.zero_grad()
        loss = loss_fn(net(x[s * b:(s + 1) * b].to(dtype)), y[s * b:(s + 1) * b])
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--magmadnn", default="build/bin/magmadnn")
    ap.add_argument("--model", choices=sorted(RECIPES), required=True)
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                  "..", "tests", "model", "data"))
    args = ap.parse_args()
    recipe = RECIPES[args.model]
    os.makedirs(args.out, exist_ok=True)
    init = os.path.join(args.out, f"{args.model}_init.safetensors")
    subprocess.run([args.magmadnn, "train", "--model", args.model, "--epochs", "0", "--seed", "1",
                    "--data", args.data, "--save", init, "--json"], check=True,
                   capture_output=True)
    w, _ = read_safetensors(init)
    torch.set_num_threads(1)
    x, y = load(args.data, "train")
    if args.model == "lenet5":
        x = x.reshape(-1, 1, 28, 28)
    f32 = trajectory(args.model, w, recipe, x, y, torch.float32)
    f64 = trajectory(args.model, w, recipe, x, y, torch.float64)
    dev = np.abs(np.array(f32) - np.array(f64)) / np.array(f64)
    out = dict(recipe, model=args.model, init=os.path.basename(init),
               torch_version=torch.__version__, loss_f32=f32, loss_f64=f64)
    with open(os.path.join(args.out, f"{args.model}_trajectory.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(json.dumps({"model": args.model, "steps": recipe["steps"],
                      "f32_vs_f64_max_relative": float(dev.max()),
                      "f32_vs_f64_mean_relative": float(dev.mean())}))


if __name__ == "__main__":
    main()
