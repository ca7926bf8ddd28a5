"""`magmadnn import --from-torch` and `magmadnn export`: the built-in models shaped by the state
dict, the module map printed, nn.Linear weights transposed into the saved file, --modules, the
errors (both sides of a mismatch, an order that misses a module, an opset this build does not
write, a file that is not a model), and an exported file that is a protobuf. onnxruntime runs the
files in tests/model/onnx_export_test.py; this one needs Python's standard library only.
Usage: python3 interop_cli_test.py path/to/magmadnn FIXTURE_DIR"""
import json
import os
import struct
import subprocess
import sys
import tempfile

CLI, DATA, WORK = None, None, None


def run(*args, ok=True):
    p = subprocess.run([CLI, *map(str, args)], capture_output=True, text=True, timeout=300)
    want = 0 if ok else 1
    assert p.returncode == want, (f"{' '.join(map(str, args))}: exit {p.returncode}, expected "
                                  f"{want}\nstdout: {p.stdout[-3000:]}\nstderr: {p.stderr[-3000:]}")
    return p.stdout, p.stderr


def fixture(name):
    return os.path.join(DATA, name)


def out(name):
    return os.path.join(WORK, name)


def safetensors(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()

    def tensor(name):
        e = header[name]
        assert e["dtype"] == "F32", e
        b, end = e["data_offsets"]
        return e["shape"], struct.unpack(f"<{(end - b) // 4}f", data[b:end])
    return header, tensor


def test_import_mlp_shaped_by_the_state_dict():
    stdout, _ = run("import", "--from-torch", fixture("torch_mlp.safetensors"), "--model", "mlp",
                    "-o", out("mlp.safetensors"))
    assert "fc1 -> layers.1 (fullyconnected)" in stdout, stdout
    assert "fc2 -> layers.3 (fullyconnected)" in stdout, stdout
    header, tensor = safetensors(out("mlp.safetensors"))
    arch = json.loads(header["__metadata__"]["magmadnn.architecture"])
    assert arch["input_shape"] == [784] and arch["layers"][0]["units"] == 32, arch
    (shape, ours), (torch_shape, theirs) = tensor("layers.1.weight"), safetensors(
        fixture("torch_mlp.safetensors"))[1]("fc1.weight")
    assert shape == [784, 32] and torch_shape == [32, 784], (shape, torch_shape)
    for i, j in ((0, 0), (5, 17), (783, 31)):  # ours[i][j] = PyTorch's [j][i]
        assert ours[i * 32 + j] == theirs[j * 784 + i]


def test_import_lenet5():
    stdout, _ = run("import", "--from-torch", fixture("torch_lenet5.safetensors"), "--model",
                    "lenet5", "-o", out("lenet5.safetensors"), "--batch-size", 16)
    for line in ("0 -> layers.1 (conv2d)", "3 -> layers.4 (conv2d)",
                 "11 -> layers.11 (fullyconnected)"):
        assert line in stdout, stdout
    header, _ = safetensors(out("lenet5.safetensors"))
    assert json.loads(header["__metadata__"]["magmadnn.architecture"])["batch_size"] == 16


def test_import_refuses_what_does_not_fit():
    _, err = run("import", "--from-torch", fixture("torch_mlp.safetensors"), "--model", "lenet5",
                 "-o", out("bad.safetensors"), ok=False)
    assert "magmadnn: error: load_torch_state_dict:" in err, err
    assert "layers.1 conv2d: bias {6}, weight {6, 1, 5, 5}" in err, err
    assert "state dict fc1: bias {32}, weight {32, 784}" in err, err
    assert not os.path.exists(out("bad.safetensors"))
    # the modules of small_bn sort out of the network's order until --modules gives it
    arch = fixture("torch_small_bn.json")
    _, err = run("import", "--from-torch", fixture("torch_small_bn.safetensors"), "--model", arch,
                 "-o", out("bn.safetensors"), ok=False)
    assert "state dict classifier:" in err and "--modules" in err, err
    stdout, _ = run("import", "--from-torch", fixture("torch_small_bn.safetensors"), "--model",
                    arch, "-o", out("bn.safetensors"), "--modules",
                    "features.0,features.1,features.4,features.5,classifier")
    assert "features.1 -> layers.2 (batchnorm)" in stdout, stdout
    header, tensor = safetensors(out("bn.safetensors"))
    assert tensor("layers.2.running_var")[1] == safetensors(
        fixture("torch_small_bn.safetensors"))[1]("features.1.running_var")[1]
    _, err = run("import", "--from-torch", fixture("torch_small_bn.safetensors"), "--model", arch,
                 "-o", out("bn.safetensors"), "--modules", "features.0,classifier", ok=False)
    assert "must name each of the file's modules" in err, err
    _, err = run("import", "--from-torch", fixture("torch_small_bn.safetensors"), "--model",
                 out("missing.json"), "-o", out("bn.safetensors"), ok=False)
    assert "cannot open the architecture file" in err, err


def onnx_compiled():
    stdout, _ = run("info", "--json")
    return json.loads(stdout)["onnx"]["compiled"]


def test_export():
    run("import", "--from-torch", fixture("torch_lenet5.safetensors"), "--model", "lenet5", "-o",
        out("lenet5.safetensors"))
    if not onnx_compiled():
        _, err = run("export", "--load", out("lenet5.safetensors"), "-o", out("l.onnx"), ok=False)
        assert "no ONNX support" in err, err
        return
    stdout, _ = run("export", "--load", out("lenet5.safetensors"), "-o", out("l.onnx"))
    assert "opset 17" in stdout and "input 'input', output 'output'" in stdout, stdout
    with open(out("l.onnx"), "rb") as f:
        head = f.read(64)
    assert head[:1] == b"\x08", head  # field 1 (ir_version), a varint: a ModelProto
    assert b"magmadnn" in head, head
    run("export", "--load", out("lenet5.safetensors"), "-o", out("l13.onnx"), "--opset", 13)
    _, err = run("export", "--load", out("lenet5.safetensors"), "-o", out("l12.onnx"), "--opset",
                 12, ok=False)
    assert "opset 12 is not one this build writes (13 to" in err, err
    assert not os.path.exists(out("l12.onnx"))
    _, err = run("export", "--load", fixture("torch_lenet5.safetensors"), "-o", out("x.onnx"),
                 ok=False)
    assert "without a magmadnn architecture" in err, err


def main():
    global CLI, DATA, WORK
    CLI, DATA = sys.argv[1], sys.argv[2]
    names = sys.argv[3:] or [n for n in globals() if n.startswith("test_")]
    with tempfile.TemporaryDirectory() as WORK:
        for name in names:
            globals()[name]()
            print(f"{name}: ok")


if __name__ == "__main__":
    main()
