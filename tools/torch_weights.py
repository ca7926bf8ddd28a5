#!/usr/bin/env python3
"""magmadnn models in PyTorch: the key map from a file Model::save (or `magmadnn train --save`,
`magmadnn import`) wrote to the state dict of the same network in PyTorch (docs/INTEROP.md).

The PyTorch network is a module whose `layers` is an nn.Sequential with one entry per magmadnn
layer, named by the layer's index (the input layer, 0, has none), so the keys are magmadnn's own:

  magmadnn                      PyTorch (net.layers[<i>])          tensor
  layers.<i>.weight {in, out}   nn.Linear  layers.<i>.weight      transposed: {out, in}
  layers.<i>.bias               nn.Linear  layers.<i>.bias        as is
  layers.<i>.weight / .bias     nn.Conv2d  layers.<i>.weight ...  as is, {out, in/groups, kh, kw}
  layers.<i>.weight / .bias /   nn.BatchNorm1d/2d  the same keys  as is; num_batches_tracked = 0
    .running_mean / .running_var

A fullyconnected layer flattens its input as magmadnn's does (Linear over x.flatten(1)). For a
classifier, magmadnn's predict() is softmax(net(x)) unless the network ends in a softmax itself.

  python3 tools/torch_weights.py MODEL.safetensors                # print the key map
  python3 tools/torch_weights.py MODEL.safetensors -o torch.safetensors   # the state dict
  python3 tools/torch_weights.py MODEL.safetensors --compare IO.safetensors
      # with PyTorch: build the network, load_state_dict(strict=True), run IO's `x` and report
      # max |difference| against its `predictions` (magmadnn's predict() on x)

Needs numpy and the safetensors package; --compare needs torch. The key map (state_dict) and
the architecture (read_model) use numpy only."""
import argparse
import json
import sys
from collections import OrderedDict

import numpy as np
from safetensors import safe_open


def read_model(path):
    """(architecture dict, {name: numpy array}) of a magmadnn model file."""
    with safe_open(path, framework="np") as f:
        meta = f.metadata() or {}
        if "magmadnn.architecture" not in meta:
            sys.exit(f"{path}: no magmadnn.architecture metadata; not a magmadnn model file")
        tensors = {k: f.get_tensor(k) for k in f.keys()}
    return json.loads(meta["magmadnn.architecture"]), tensors


def state_dict(path):
    """The architecture and the PyTorch state dict (numpy arrays) of a magmadnn model file."""
    arch, tensors = read_model(path)
    out = OrderedDict()
    for i, layer in enumerate(arch["layers"], start=1):
        prefix = f"layers.{i}."
        mine = {k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix)}
        if layer["type"] == "fullyconnected":
            out[prefix + "weight"] = np.ascontiguousarray(mine["weight"].T)
            if "bias" in mine:
                out[prefix + "bias"] = mine["bias"]
        elif layer["type"] == "conv2d":
            for k in ("weight", "bias"):
                if k in mine:
                    out[prefix + k] = mine[k]
        elif layer["type"] == "batchnorm":
            for k in ("weight", "bias", "running_mean", "running_var"):
                out[prefix + k] = mine[k]
            out[prefix + "num_batches_tracked"] = np.array(0, dtype=np.int64)
    return arch, out


def torch_network(arch, weights):
    """The PyTorch module of an architecture; `weights` (state_dict()'s) gives the extents."""
    import torch
    from torch import nn

    class Linear(nn.Linear):
        def forward(self, x):
            return super().forward(x.flatten(1))

    class Reshape(nn.Module):
        def __init__(self, shape):
            super().__init__()
            self.shape = shape

        def forward(self, x):
            return x.reshape(x.shape[0], *self.shape)

    def pair(v):
        if isinstance(v, str):
            v = [int(p) for p in v.strip("[]").split(",")]
        return (v, v) if isinstance(v, int) else tuple(v)

    acts = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "gelu": nn.GELU,
            "linear": nn.Identity, "leaky_relu": lambda: nn.LeakyReLU(0.01),
            "softmax": lambda: nn.Softmax(-1), "log_softmax": lambda: nn.LogSoftmax(-1)}
    spatial = len(arch["input_shape"]) == 3
    modules = OrderedDict()
    for i, layer in enumerate(arch["layers"], start=1):
        t, key = layer["type"], f"layers.{i}."
        if t == "fullyconnected":
            w = weights[key + "weight"]
            m = Linear(w.shape[1], w.shape[0], bias=key + "bias" in weights)
            spatial = False
        elif t == "conv2d":
            w = weights[key + "weight"]
            groups = int(layer.get("groups", 1))
            m = nn.Conv2d(w.shape[1] * groups, w.shape[0], pair(layer["kernel"]),
                          pair(layer.get("stride", 1)), pair(layer.get("padding", 0)),
                          pair(layer.get("dilation", 1)), groups, bias=key + "bias" in weights)
            spatial = True
        elif t == "batchnorm":
            c = weights[key + "weight"].shape[0]
            bn = nn.BatchNorm2d if spatial else nn.BatchNorm1d
            m = bn(c, eps=float(layer.get("epsilon", 1e-5)),
                   momentum=float(layer.get("momentum", 0.1)))
        elif t == "activation":
            m = acts[layer["activation"]]()
        elif t == "pooling2d":
            k = pair(layer["kernel"])
            s, p = pair(layer.get("stride", k)), pair(layer.get("padding", 0))
            m = (nn.MaxPool2d(k, s, p) if layer.get("mode", "max") == "max"
                 else nn.AvgPool2d(k, s, p, count_include_pad=True))
        elif t == "globalavgpool":
            m = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten())
            spatial = False
        elif t == "dropout":
            m = nn.Dropout(float(layer["rate"]))
        elif t == "flatten":
            m = nn.Flatten()
            spatial = False
        elif t == "reshape":
            shape = [int(p) for p in str(layer["shape"]).strip("[]").split(",")]
            m = Reshape(shape)
            spatial = len(shape) == 3
        elif t == "output":
            m = nn.Identity()
        else:
            sys.exit(f"layer {i}: type {t} has no PyTorch module here")
        modules[str(i)] = m

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.Sequential(modules)

        def forward(self, x):
            return self.layers(x)

    net = Net()
    if arch.get("dtype") == "f64":
        net = net.double()
    net.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in weights.items()},
                        strict=True)
    return net.eval()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model", help="a magmadnn model file (safetensors)")
    ap.add_argument("-o", "--output", help="write the PyTorch state dict here (safetensors)")
    ap.add_argument("--compare", help="safetensors with x and magmadnn's predictions on it")
    args = ap.parse_args()
    arch, weights = state_dict(args.model)
    for k, v in weights.items():
        print(f"{k:32} {list(v.shape)}")
    if args.output:
        from safetensors.numpy import save_file
        save_file(dict(weights), args.output)
        print(f"wrote {args.output}")
    if args.compare:
        import torch
        with safe_open(args.compare, framework="np") as f:
            x, want = f.get_tensor("x"), f.get_tensor("predictions")
        net = torch_network(arch, weights)
        with torch.no_grad():
            out = net(torch.from_numpy(x))
        ends_in_softmax = arch["layers"][-1].get("activation") == "softmax" or (
            arch["layers"][-1]["type"] == "output"
            and arch["layers"][-2].get("activation") == "softmax")
        if arch.get("loss", "softmax_crossentropy") != "mse" and not ends_in_softmax:
            out = torch.softmax(out, dim=-1)
        diff = float(np.max(np.abs(out.numpy() - want)))
        print(f"PyTorch {torch.__version__}: max |prediction - magmadnn's| = {diff:.3g}")
        return 0 if diff < 1e-4 else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
