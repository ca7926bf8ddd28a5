"""ONNX export and PyTorch weights against the reference tools of the test environment
(scripts/test-venv.sh: onnx, onnxruntime, numpy, safetensors):

- every model tests/model/interop_models.cpp writes (MLP, LeNet-5, VGG-small with batch norm,
  every activation, the shape and convolution variants) passes onnx.checker.check_model with
  full_check, and onnxruntime's outputs match Model::predict to rtol 1e-4, atol 1e-5, for the
  7 rows predict saw and for other batch sizes (the batch extent is dynamic);
- weights out: tools/torch_weights.py's key map turns the saved MLP and LeNet-5 into PyTorch
  state dicts (nn.Linear {out, in}, nn.Conv2d OIHW); a forward pass written here in numpy with
  PyTorch's conventions gives predict()'s values (PyTorch itself is not in the environment);
- PyTorch weights in: `magmadnn import` of bench/torch_import_fixture.py's state dicts, then
  `magmadnn export`, run by onnxruntime on the fixture's inputs, gives softmax(PyTorch's logits);
  the key map gives back PyTorch's tensors bit for bit.

Usage: python onnx_export_test.py INTEROP_MODELS MAGMADNN FIXTURE_DIR TOOLS_DIR"""
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort
from safetensors.numpy import load_file

RTOL, ATOL = 1e-4, 1e-5


def run(*args):
    p = subprocess.run(list(map(str, args)), capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, f"{args}: exit {p.returncode}\n{p.stdout}\n{p.stderr}"
    return p.stdout


def session(path):
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    return ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])


def softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def check_onnx(work):
    for name in ("mlp", "lenet5", "vgg_small", "activations", "shapes"):
        io = load_file(os.path.join(work, name + "_io.safetensors"))
        x, want = io["x"], io["predictions"]
        s = session(os.path.join(work, name + ".onnx"))
        got = s.run(["output"], {"input": x})[0]
        assert got.shape == want.shape, (name, got.shape, want.shape)
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL, err_msg=name)
        for rows in (1, 3):  # other batch extents than the model's 4 and the 7 above
            part = s.run(["output"], {"input": x[:rows]})[0]
            np.testing.assert_allclose(part, want[:rows], rtol=RTOL, atol=ATOL, err_msg=name)
        print(f"onnx {name}: checker ok; onnxruntime max |diff| vs predict = "
              f"{np.abs(got - want).max():.3g}")


def conv2d(x, w, b, stride=1, padding=0):
    """PyTorch's Conv2d (groups 1): x {n, c, h, w}, w {o, c, kh, kw}."""
    x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    kh, kw = w.shape[2:]
    win = np.lib.stride_tricks.sliding_window_view(x, (kh, kw), axis=(2, 3))
    win = win[:, :, ::stride, ::stride]  # n, c, oh, ow, kh, kw
    return np.einsum("ncyxij,ocij->noyx", win, w, optimize=True) + b[None, :, None, None]


def maxpool2(x):
    n, c, h, w = x.shape
    return x[:, :, :h // 2 * 2, :w // 2 * 2].reshape(n, c, h // 2, 2, w // 2, 2).max(axis=(3, 5))


def linear(x, sd, key):
    return x.reshape(x.shape[0], -1) @ sd[key + ".weight"].T + sd[key + ".bias"]


def check_weights_out(work, tools):
    sys.path.insert(0, tools)
    import torch_weights
    relu = lambda v: np.maximum(v, 0)  # noqa: E731
    expected = {
        "mlp": {"layers.1.weight": [64, 784], "layers.1.bias": [64],
                "layers.3.weight": [10, 64], "layers.3.bias": [10]},
        "lenet5": {"layers.1.weight": [6, 1, 5, 5], "layers.1.bias": [6],
                   "layers.4.weight": [16, 6, 5, 5], "layers.4.bias": [16],
                   "layers.7.weight": [120, 400], "layers.7.bias": [120],
                   "layers.9.weight": [84, 120], "layers.9.bias": [84],
                   "layers.11.weight": [10, 84], "layers.11.bias": [10]},
    }
    for name, keys in expected.items():
        _, sd = torch_weights.state_dict(os.path.join(work, name + ".safetensors"))
        assert {k: list(v.shape) for k, v in sd.items()} == keys, (name, list(sd))
        io = load_file(os.path.join(work, name + "_io.safetensors"))
        x = io["x"].astype(np.float64)
        sd = {k: v.astype(np.float64) for k, v in sd.items()}
        if name == "mlp":
            z = linear(relu(linear(x, sd, "layers.1")), sd, "layers.3")
        else:
            h = maxpool2(relu(conv2d(x, sd["layers.1.weight"], sd["layers.1.bias"], padding=2)))
            h = maxpool2(relu(conv2d(h, sd["layers.4.weight"], sd["layers.4.bias"])))
            h = relu(linear(relu(linear(h, sd, "layers.7")), sd, "layers.9"))
            z = linear(h, sd, "layers.11")
        got = softmax(z)
        np.testing.assert_allclose(got, io["predictions"], rtol=RTOL, atol=ATOL, err_msg=name)
        print(f"weights out {name}: numpy forward pass over the PyTorch state dict, max |diff| "
              f"vs predict = {np.abs(got - io['predictions']).max():.3g}")
    # batch norm's keys, as nn.BatchNorm2d has them
    _, sd = torch_weights.state_dict(os.path.join(work, "vgg_small.safetensors"))
    for k in ("weight", "bias", "running_mean", "running_var", "num_batches_tracked"):
        assert f"layers.2.{k}" in sd, (k, list(sd))
    assert sd["layers.2.num_batches_tracked"].dtype == np.int64


def check_torch_import(cli, fixtures, work, tools):
    sys.path.insert(0, tools)
    import torch_weights
    cases = [("mlp", ["--model", "mlp"]), ("lenet5", ["--model", "lenet5"]),
             ("small_bn", ["--model", os.path.join(fixtures, "torch_small_bn.json"), "--modules",
                           "features.0,features.1,features.4,features.5,classifier"])]
    for name, extra in cases:
        imported = os.path.join(work, f"imported_{name}.safetensors")
        exported = os.path.join(work, f"imported_{name}.onnx")
        run(cli, "import", "--from-torch", os.path.join(fixtures, f"torch_{name}.safetensors"),
            "-o", imported, *extra)
        run(cli, "export", "--load", imported, "-o", exported)
        io = load_file(os.path.join(fixtures, f"torch_{name}_logits.safetensors"))
        got = session(exported).run(["output"], {"input": io["x"]})[0]
        want = softmax(io["logits"].astype(np.float64))
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL, err_msg=name)
        assert (got.argmax(1) == io["logits"].argmax(1)).all(), name
        # and back: the key map returns PyTorch's own tensors, bit for bit
        theirs = load_file(os.path.join(fixtures, f"torch_{name}.safetensors"))
        _, ours = torch_weights.state_dict(imported)

        def tensors(d):
            return sorted((v.shape, v.tobytes()) for k, v in d.items()
                          if not k.endswith("num_batches_tracked"))
        assert tensors(ours) == tensors(theirs), name
        print(f"import {name}: onnxruntime on the imported model vs softmax(PyTorch's logits): "
              f"max |diff| = {np.abs(got - want).max():.3g}; the key map gives PyTorch's tensors "
              f"back exactly")


def main():
    models, cli, fixtures, tools = sys.argv[1:5]
    with tempfile.TemporaryDirectory() as work:
        run(models, work)
        check_onnx(work)
        check_weights_out(work, tools)
        check_torch_import(cli, fixtures, work, tools)
    print("ok")


if __name__ == "__main__":
    main()
