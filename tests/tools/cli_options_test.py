"""The command line's advertised options, each checked for what it does: `predict`, `train
--load`, `--validation-split`, `--profile`, `--verbose`, `--threads`, the CSV options
(`--label-column`, `--csv-header`, `--test-fraction`, `--seed`, `--no-stratify`, `--scale`,
`--missing`), `--model vgg-small`, an architecture file as `--model`, `--optimizer adam|adamw`,
`--weight-decay`, CSV labels other than 0..C-1 (mapped to classes and back), `--standardize`,
`--drop-last`, the MLP shape (`--hidden`, `--layers`, `--dropout`), `--train-rows`, `--config`
and `bench linalg --table/--sizes`. Small CSV tables are written to a temporary
directory; Python's standard library only.
Usage: python3 cli_options_test.py path/to/magmadnn [TEST ...]"""
import json
import math
import os
import random
import struct
import subprocess
import sys
import tempfile
import time

CLI = None
WORK = None


def run(*args, ok=True, env=None, status=None):
    """Runs the command line; returns (stdout, stderr). The exit status must be `status`, or 0
    when ok and 1 (a library error) otherwise."""
    full_env = dict(os.environ, **(env or {}))
    p = subprocess.run([CLI, *map(str, args)], capture_output=True, text=True, timeout=300,
                       env=full_env)
    want = status if status is not None else 0 if ok else 1
    assert p.returncode == want, (f"{' '.join(map(str, args))}: exit {p.returncode}, expected "
                                  f"{want}\nstdout: {p.stdout[-2000:]}\nstderr: {p.stderr[-2000:]}")
    return p.stdout, p.stderr


def path(name):
    return os.path.join(WORK, name)


def write_table(name, rows=300, seed=7, label_last=False, header=None, counts=None,
                values=None, affine=(1, 0)):
    """Rows of 4 features and a class from a linear rule (3 classes), label first unless
    label_last. counts: {class: rows} draws rows until each class has that many instead.
    values: the label written for each class (two values: two classes, split at 0). affine:
    (a, b) writes the features as a * x + b."""
    rng = random.Random(seed)
    out = []
    need = dict(counts) if counts else None
    while (need and any(need.values())) or (not need and len(out) < rows):
        x = [rng.random() - 0.5 for _ in range(4)]
        s = x[0] + x[1] - x[2]
        y = 0 if s < -0.2 else 1 if s < 0.2 else 2
        if values is not None and len(values) == 2:
            y = 0 if s < 0 else 1
        if need is not None:
            if need.get(y, 0) == 0:
                continue
            need[y] -= 1
        fields = [f"{affine[0] * v + affine[1]:.6f}" for v in x]
        label = str(values[y] if values is not None else y)
        out.append(",".join(fields + [label] if label_last else [label] + fields))
    with open(path(name), "w") as f:
        if header:
            f.write(header + "\n")
        f.write("\n".join(out) + "\n")
    return path(name)


def json_lines(stdout):
    """The epoch lines and the summary (last line) of a `train --json` run."""
    lines = [json.loads(l) for l in stdout.splitlines() if l.startswith("{")]
    assert lines and "test_accuracy" in lines[-1], stdout[-2000:]
    return lines[:-1], lines[-1]


def train(data, *extra, ok=True, env=None):
    """`train --json` on `data` with small defaults, which options in `extra` replace."""
    defaults = {"--epochs": 2, "--batch-size": 20, "--lr": 0.1, "--threads": 1}
    base = ["train", "--data", data, "--json"]
    for key, value in defaults.items():
        if key not in extra:
            base += [key, value]
    return run(*base, *extra, ok=ok, env=env)


def safetensors(file):
    """The header (dict) of a safetensors file and a reader of its F32 tensors."""
    with open(file, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        data = f.read()

    def tensor(name):
        entry = header[name]
        assert entry["dtype"] == "F32", entry
        begin, end = entry["data_offsets"]
        return list(struct.unpack(f"<{(end - begin) // 4}f", data[begin:end]))

    return header, tensor


def metadata(file):
    return safetensors(file)[0].get("__metadata__", {})


def without_metadata(src, dst, key):
    """Copies the safetensors file src to dst without metadata `key`."""
    with open(src, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        data = f.read()
    del header["__metadata__"][key]
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(dst, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)


def f32(v):
    return struct.unpack("<f", struct.pack("<f", v))[0]


def accuracy_of(file):
    rows = read_predictions(file)[1]
    return sum(r["predicted"] == r["label"] for r in rows) / len(rows)


def read_predictions(file):
    with open(file) as f:
        lines = f.read().splitlines()
    return lines[0], [dict(zip(lines[0].split(","), map(int, l.split(",")))) for l in lines[1:]]


# --- the tests ------------------------------------------------------------------------------


def test_predict_matches_evaluate():
    data = write_table("t.csv")
    train(data, "--seed", 11, "--save", path("m.safetensors"))
    out, _ = run("evaluate", "--load", path("m.safetensors"), "--data", data, "--seed", 11,
                 "--json")
    accuracy = json.loads(out.splitlines()[-1])["test_accuracy"]
    run("predict", "--load", path("m.safetensors"), "--data", data, "--seed", 11, "--output",
        path("p.csv"))
    header, rows = read_predictions(path("p.csv"))
    assert header == "index,line,predicted,label", header
    assert len(rows) == 60, f"{len(rows)} predictions, expected 60 (0.2 of 300 rows)"
    assert [r["index"] for r in rows] == list(range(60))
    hits = sum(r["predicted"] == r["label"] for r in rows) / len(rows)
    assert abs(hits - accuracy) < 1e-9, f"predict's accuracy {hits}, evaluate's {accuracy}"
    file_lines = open(data).read().splitlines()
    for r in rows:  # each row names its line, and that line holds its label
        assert int(file_lines[r["line"] - 1].split(",")[0]) == r["label"], r
    assert len({r["line"] for r in rows}) == 60
    # another seed holds out other rows
    run("predict", "--load", path("m.safetensors"), "--data", data, "--seed", 12, "--output",
        path("p12.csv"))
    _, other = read_predictions(path("p12.csv"))
    assert {r["line"] for r in other} != {r["line"] for r in rows}


def test_train_load_continues():
    data = write_table("t.csv")
    train(data, "--epochs", 4, "--save", path("m.safetensors"))
    fresh = json_lines(train(data, "--epochs", 1)[0])[1]["train_loss"][0]
    loaded = json_lines(train(data, "--epochs", 1, "--load", path("m.safetensors"))[0])[1]
    assert loaded["train_loss"][0] < fresh, (f"--load's first epoch loss "
                                             f"{loaded['train_loss'][0]}, a fresh model's {fresh}")


def test_validation_split():
    data = write_table("t.csv")
    epochs, _ = json_lines(train(data, "--validation-split", 0.25)[0])
    assert len(epochs) == 2, epochs
    for e in epochs:
        for key in ("val_loss", "val_accuracy"):
            assert isinstance(e.get(key), float) and math.isfinite(e[key]), e
        assert 0.0 <= e["val_accuracy"] <= 1.0, e
    plain, _ = json_lines(train(data)[0])
    assert all(e.get("val_loss") is None for e in plain), plain


def test_drop_last():
    # about 240 training rows at batch 70: three whole batches and a partial one each epoch
    data = write_table("t.csv")
    kept = json_lines(train(data, "--batch-size", 70)[0])[1]
    dropped = json_lines(train(data, "--batch-size", 70, "--drop-last")[0])[1]
    assert kept["steps"] == 8 and dropped["steps"] == 6, (kept["steps"], dropped["steps"])
    assert kept["train_loss"] != dropped["train_loss"], kept["train_loss"]


def test_profile_names_nodes():
    data = write_table("t.csv")
    _, err = train(data, "--epochs", 1, "--profile")
    assert "time per node over 1 epochs" in err, err[-2000:]
    assert "| # | node | kind | forward (s) | backward (s) |" in err, err[-2000:]
    assert "linear" in err and "softmax_crossentropy" in err, err[-2000:]
    _, quiet = train(data, "--epochs", 1)
    assert "time per node" not in quiet


def test_verbose_names_cpu_kernels():
    data = write_table("t.csv")
    out, _ = run("train", "--data", data, "--epochs", 1, "--verbose", "--threads", 1)
    target = next((l for l in out.splitlines() if l.startswith("CPU kernels: ")), None)
    assert target and target.split(": ")[1] in ("scalar", "avx2", "avx512"), out[-2000:]
    out, _ = run("train", "--data", data, "--epochs", 1, "--threads", 1)
    assert "CPU kernels:" not in out


def test_threads():
    data = write_table("t.csv")
    for n in (1, 2):
        _, summary = json_lines(run("train", "--data", data, "--epochs", 1, "--json",
                                    "--threads", n)[0])
        assert summary["threads"] == n, summary


def test_label_column_and_csv_header():
    data = write_table("last.csv", label_last=True, header="a,b,c,d,class")
    _, err = run("train", "--data", data, "--epochs", 1, "--label-column", 4, ok=False)
    assert "line 1, column 1" in err and "'a'" in err, err  # the header read as data
    _, summary = json_lines(train(data, "--label-column", 4, "--csv-header", "--epochs", 5)[0])
    assert summary["test_accuracy"] > 0.6, summary  # 3 classes: chance is about 0.33
    _, err = run("train", "--data", data, "--epochs", 1, "--csv-header", ok=False)
    assert "line 2, column 1 ('a')" in err and "integer label" in err, err  # column 0 as labels


def test_test_fraction_stratified_and_not():
    # 240 rows of class 0, 60 of class 1 (class 2 absent from the file)
    data = write_table("u.csv", counts={0: 240, 1: 60})
    train(data, "--epochs", 1, "--test-fraction", 0.25, "--seed", 3, "--save",
          path("m.safetensors"))
    shares = set()
    for seed in (3, 4, 5, 6):
        run("predict", "--load", path("m.safetensors"), "--data", data, "--test-fraction", 0.25,
            "--seed", seed, "--output", path("s.csv"))
        _, rows = read_predictions(path("s.csv"))
        assert len(rows) == 75, len(rows)
        assert sum(r["label"] == 1 for r in rows) == 15, "stratified: 15 of the 60 class-1 rows"
        assert max(r["line"] for r in rows) - min(r["line"] for r in rows) > 75  # not the tail
        run("predict", "--load", path("m.safetensors"), "--data", data, "--test-fraction", 0.25,
            "--seed", seed, "--no-stratify", "--output", path("n.csv"))
        _, rows = read_predictions(path("n.csv"))
        assert len(rows) == 75, len(rows)
        shares.add(sum(r["label"] == 1 for r in rows))
    assert shares != {15}, f"--no-stratify drew class 1 exactly 15 times under every seed"
    _, err = run("evaluate", "--load", path("m.safetensors"), "--data", data, "--test-fraction",
                 0.001, ok=False)
    assert "leave 300 train and 0 test rows" in err, err


def test_scale():
    data = write_table("t.csv")
    train(data, "--save", path("m.safetensors"))
    predicted = {}
    for scale in (1, 0):
        run("predict", "--load", path("m.safetensors"), "--data", data, "--scale", scale,
            "--output", path("p.csv"))
        predicted[scale] = {r["predicted"] for r in read_predictions(path("p.csv"))[1]}
    assert len(predicted[1]) > 1, predicted
    assert len(predicted[0]) == 1, f"--scale 0 zeroes every input: one class, got {predicted[0]}"


def test_missing_values():
    data = write_table("t.csv")
    lines = open(data).read().splitlines()
    lines[4] = lines[4].split(",")[0] + ",," + ",".join(lines[4].split(",")[2:])  # line 5 col 2
    lines[9] = ",".join(lines[9].split(",")[:3] + ["NaN"] + lines[9].split(",")[4:])  # line 10
    with open(path("m.csv"), "w") as f:
        f.write("\n".join(lines) + "\n")
    _, err = run("train", "--data", path("m.csv"), "--epochs", 1, ok=False)
    assert "line 5, column 2: missing value (an empty field)" in err, err
    assert "--missing drop|zero|mean" in err, err
    for policy, dropped in (("drop", 2), ("zero", 0), ("mean", 0)):
        _, err = train(path("m.csv"), "--epochs", 1, "--missing", policy, "--save",
                       path("m.safetensors"))
        assert f"2 missing values" in err and f"({dropped} rows dropped)" in err, err
        run("predict", "--load", path("m.safetensors"), "--data", path("m.csv"), "--missing",
            policy, "--output", path("p.csv"))
        rows = read_predictions(path("p.csv"))[1]
        assert len(rows) == round(0.2 * (300 - dropped)), (policy, len(rows))
        if policy == "drop":
            assert not {5, 10} & {r["line"] for r in read_predictions(path("p.csv"))[1]}
    lines[2] = "," + lines[2].split(",", 1)[1]  # a missing label on line 3
    with open(path("l.csv"), "w") as f:
        f.write("\n".join(lines) + "\n")
    _, err = run("train", "--data", path("l.csv"), "--epochs", 1, "--missing", "mean", ok=False)
    assert "line 3, column 1: the label is missing" in err, err
    inf = lines[:2] + ["1,inf,0,0,0"] + lines[3:]
    with open(path("i.csv"), "w") as f:
        f.write("\n".join(inf) + "\n")
    _, err = run("train", "--data", path("i.csv"), "--epochs", 1, "--missing", "zero", ok=False)
    assert "line 3, column 2: 'inf' is infinite" in err, err
    _, err = run("train", "--data", data, "--missing", "guess", status=105)  # CLI11's
    assert "--missing: guess not in {error,drop,zero,mean}" in err, err


def test_model_vgg_small():
    # 28x28 one-channel images: class 0 lights the left half, class 1 the right
    rng = random.Random(3)
    with open(path("img.csv"), "w") as f:
        for i in range(40):
            y = i % 2
            px = [f"{(0.8 if (c < 14) == (y == 0) else 0.1) + 0.1 * rng.random():.3f}"
                  for r in range(28) for c in range(28)]
            f.write(",".join([str(y)] + px) + "\n")
    epochs, summary = json_lines(train(path("img.csv"), "--model", "vgg-small", "--epochs", 1,
                                       "--save", path("v.safetensors"),
                                       env={"MAGMADNN_CONV_ALGO": "im2col"})[0])
    convs = summary.get("conv_algorithms", [])
    assert len(convs) == 4 and all(c["algorithm"] == "im2col" for c in convs), summary
    assert all(math.isfinite(l) for l in summary["train_loss"]), summary
    header, _ = safetensors(path("v.safetensors"))
    arch = json.loads(header["__metadata__"]["magmadnn.architecture"])
    kinds = [l["type"] for l in arch["layers"]]
    assert kinds.count("batchnorm") == 4 and "globalavgpool" in kinds, kinds


def test_architecture_file_as_model():
    arch = {"input_shape": [4], "loss": "softmax_crossentropy",
            "layers": [{"type": "fullyconnected", "units": 7},
                       {"type": "activation", "activation": "tanh"},
                       {"type": "fullyconnected", "units": 3}, {"type": "output"}]}
    with open(path("arch.json"), "w") as f:
        json.dump(arch, f)
    data = write_table("t.csv")
    train(data, "--model", path("arch.json"), "--save", path("a.safetensors"))
    header, _ = safetensors(path("a.safetensors"))
    shapes = {k: v["shape"] for k, v in header.items() if k.startswith("layers.")}
    assert [4, 7] in shapes.values() and [7, 3] in shapes.values(), shapes
    saved = json.loads(header["__metadata__"]["magmadnn.architecture"])
    assert [l.get("activation") for l in saved["layers"] if l["type"] == "activation"] == ["tanh"]
    with open(path("bad.json"), "w") as f:
        f.write("{\"layers\": [")
    run("train", "--data", data, "--model", path("bad.json"), "--epochs", 1, ok=False)


def test_optimizers():
    data = write_table("t.csv")
    losses = {}
    for opt in ("sgd", "adam", "adamw"):
        _, summary = json_lines(train(data, "--optimizer", opt, "--lr", 0.01, "--weight-decay",
                                      0.01, "--save", path(f"{opt}.safetensors"))[0])
        losses[opt] = summary["train_loss"]
        header, _ = safetensors(path(f"{opt}.safetensors"))
        saved = json.loads(header["__metadata__"]["magmadnn.optimizer"])
        assert opt in json.dumps(saved).lower(), (opt, saved)
        moments = [k for k in header if k.startswith("optimizer.") and k.endswith(".s2")]
        assert bool(moments) == (opt != "sgd"), (opt, sorted(header))
    assert len({tuple(v) for v in losses.values()}) == 3, losses
    _, err = run("train", "--data", data, "--optimizer", "rmsprop", ok=False)
    assert "expected sgd, adam or adamw" in err, err


def test_weight_decay_shrinks_weights():
    data = write_table("t.csv")
    norms = {}
    for wd in (0, 0.2):
        train(data, "--epochs", 3, "--weight-decay", wd, "--save", path("w.safetensors"))
        header, tensor = safetensors(path("w.safetensors"))
        norms[wd] = math.sqrt(sum(v * v for k in header if k.endswith(".weight")
                                  for v in tensor(k)))
    assert norms[0.2] < 0.9 * norms[0], norms


def test_labels_mapped_to_classes_and_back():
    for values in ([3, 7, 10], [-1, 1]):
        data = write_table("v.csv", values=values)
        shown = "{" + ", ".join(map(str, values)) + "}"
        out, err = train(data, "--epochs", 5, "--save", path("m.safetensors"))
        assert f"labels {shown} mapped to classes 0..{len(values) - 1}" in err, err
        assert err.count("mapped to classes") == 1, err
        summary = json_lines(out)[1]
        assert summary["label_values"] == values, summary
        assert summary["test_accuracy"] > 0.6, summary
        saved = metadata(path("m.safetensors"))
        assert json.loads(saved["magmadnn.label_values"]) == values, saved
        out, err = run("evaluate", "--load", path("m.safetensors"), "--data", data, "--json")
        assert "mapped" not in err, err  # the model's map, no note
        accuracy = json.loads(out.splitlines()[-1])["test_accuracy"]
        assert abs(accuracy - summary["test_accuracy"]) < 1e-9, (accuracy, summary)
        run("predict", "--load", path("m.safetensors"), "--data", data, "--output",
            path("p.csv"))
        rows = read_predictions(path("p.csv"))[1]
        assert len(rows) == 60, len(rows)
        assert {r["predicted"] for r in rows} == set(values), rows  # the file's own labels
        file_lines = open(data).read().splitlines()
        for r in rows:
            assert int(file_lines[r["line"] - 1].split(",")[0]) == r["label"], r
        assert abs(accuracy_of(path("p.csv")) - accuracy) < 1e-9, accuracy
        out, _ = run("predict", "--load", path("m.safetensors"), "--data", data, "--limit", 3)
        assert all(int(l.split()[2]) in values for l in out.splitlines()[:3]), out
    # a label the model does not know: the file, its line and value, and the known labels
    lines = open(data).read().splitlines()
    lines[6] = "0" + lines[6][lines[6].index(","):]
    with open(path("u.csv"), "w") as f:
        f.write("\n".join(lines) + "\n")
    for command in ("evaluate", "predict"):
        _, err = run(command, "--load", path("m.safetensors"), "--data", path("u.csv"), ok=False)
        assert f"'{path('u.csv')}' line 7: label 0 is not one of the known labels {{-1, 1}}" in err, err
    # a model trained on 0..2 has no map, and rejects labels outside it the same way
    plain = write_table("t.csv")
    train(plain, "--epochs", 1, "--save", path("plain.safetensors"))
    assert "magmadnn.label_values" not in metadata(path("plain.safetensors"))
    lines = open(plain).read().splitlines()
    lines[2] = "7" + lines[2][lines[2].index(","):]
    with open(path("seven.csv"), "w") as f:
        f.write("\n".join(lines) + "\n")
    _, err = run("evaluate", "--load", path("plain.safetensors"), "--data", path("seven.csv"),
                 ok=False)
    assert "line 3: label 7 is not one of the known labels {0, 1, 2}" in err, err


def test_standardize():
    # features at 5e4 + 1e4 x: far from what the initial weights expect
    data = write_table("big.csv", affine=(1e4, 5e4))
    out, _ = train(data, "--epochs", 5, "--lr", 0.01, "--standardize", "--validation-split",
                   0.25, "--save", path("s.safetensors"))
    summary = json_lines(out)[1]
    assert summary["standardized"] is True, summary
    assert summary["test_accuracy"] > 0.8, summary
    saved = json.loads(metadata(path("s.safetensors"))["magmadnn.standardize"])
    # fitted on the rows trained on: the train split's first 180 of 240 rows (in file order),
    # --validation-split taking the last 60
    run("predict", "--load", path("s.safetensors"), "--data", data, "--output", path("p.csv"))
    test_lines = {r["line"] for r in read_predictions(path("p.csv"))[1]}
    table = [[float(v) for v in l.split(",")[1:]] for l in open(data).read().splitlines()]
    train_rows = [row for i, row in enumerate(table) if i + 1 not in test_lines]
    assert len(train_rows) == 240, len(train_rows)
    for name, rows in (("fitted", train_rows[:180]), ("all train", train_rows)):
        mean = [sum(r[j] for r in rows) / len(rows) for j in range(4)]
        std = [math.sqrt(sum((r[j] - mean[j]) ** 2 for r in rows) / len(rows)) for j in range(4)]
        close = all(abs(a - b) < 0.05 for a, b in zip(saved["mean"] + saved["std"], mean + std))
        assert close == (name == "fitted"), (name, saved, mean, std)
    # evaluate on the raw file standardizes as train did: the accuracy train reported
    out, _ = run("evaluate", "--load", path("s.safetensors"), "--data", data, "--json")
    assert abs(json.loads(out.splitlines()[-1])["test_accuracy"]
               - summary["test_accuracy"]) < 1e-9, out
    # predict on the raw file == the same weights without the standardizer on data standardized
    # here, in float32 as the library does: the same classes on every row
    without_metadata(path("s.safetensors"), path("n.safetensors"), "magmadnn.standardize")
    m, s = [f32(v) for v in saved["mean"]], [f32(v) for v in saved["std"]]
    with open(path("pre.csv"), "w") as f:
        for line in open(data).read().splitlines():
            label, *x = line.split(",")
            z = [f32(f32(f32(float(v)) - m[j]) / s[j]) for j, v in enumerate(x)]
            f.write(",".join([label] + [f"{v:.9g}" for v in z]) + "\n")
    run("predict", "--load", path("n.safetensors"), "--data", path("pre.csv"), "--output",
        path("q.csv"))
    assert read_predictions(path("q.csv")) == read_predictions(path("p.csv"))
    run("predict", "--load", path("n.safetensors"), "--data", data, "--output", path("r.csv"))
    assert read_predictions(path("r.csv")) != read_predictions(path("p.csv"))  # raw data differs
    # train --load keeps the saved standardizer (no refit), with or without --standardize
    for extra in ([], ["--standardize", "--validation-split", 0.5]):
        train(data, "--epochs", 1, "--load", path("s.safetensors"), "--save",
              path("l.safetensors"), *extra)
        assert (metadata(path("l.safetensors"))["magmadnn.standardize"]
                == metadata(path("s.safetensors"))["magmadnn.standardize"]), extra
    # a model standardized on 4 features given 3
    with open(path("three.csv"), "w") as f:
        f.write("\n".join(",".join(l.split(",")[:4]) for l in open(data).read().splitlines()))
    _, err = run("evaluate", "--load", path("s.safetensors"), "--data", path("three.csv"),
                 ok=False)
    assert "has 3 features per row, but the model" in err and "standardized on 4" in err, err
    # without --standardize the same run learns far less (or diverges)
    args = ["train", "--data", data, "--json", "--epochs", 5, "--lr", 0.01, "--batch-size", 20,
            "--threads", 1]
    plain = subprocess.run([CLI, *map(str, args)], capture_output=True, text=True, timeout=300)
    if plain.returncode == 0:
        raw = json_lines(plain.stdout)[1]
        assert raw["standardized"] is False, raw
        assert raw["test_accuracy"] < summary["test_accuracy"] - 0.2, (raw, summary)
    else:
        assert "non-finite" in plain.stderr or "NaN" in plain.stderr, plain.stderr[-2000:]


def test_mlp_shape_options():
    """--hidden, --layers and --dropout shape --model mlp; other models refuse them."""
    data = write_table("t.csv")
    train(data, "--hidden", 9, "--layers", 2, "--dropout", 0.25, "--save", path("m.safetensors"))
    header, _ = safetensors(path("m.safetensors"))
    shapes = sorted(v["shape"] for k, v in header.items() if k.startswith("layers."))
    assert shapes == sorted([[4, 9], [9], [9, 9], [9], [9, 3], [3]]), shapes
    arch = json.loads(header["__metadata__"]["magmadnn.architecture"])
    rates = [l["rate"] for l in arch["layers"] if l["type"] == "dropout"]
    assert rates == [0.25, 0.25], arch
    _, err = train(data, "--model", "lenet5", "--hidden", 9, ok=False)
    assert "--hidden applies to --model mlp only" in err, err
    _, err = run("train", "--data", data, "--dropout", 1, ok=False)
    assert "--dropout 1: expected a rate in [0, 1)" in err, err


def test_train_rows():
    """--train-rows trains on the first N rows; more rows than the set has is an error."""
    data = write_table("t.csv", rows=300)
    epochs, _ = json_lines(train(data, "--train-rows", 100, "--batch-size", 10,
                                 "--validation-split", 0.2)[0])
    assert epochs[0]["samples_per_second"] > 0, epochs
    _, summary = json_lines(train(data, "--train-rows", 100, "--batch-size", 10)[0])
    assert summary["steps"] == 2 * 10, summary  # 100 rows of the 240 train rows, batch 10
    _, err = train(data, "--train-rows", 100000, ok=False)
    assert "--train-rows 100000" in err and "training rows" in err, err


def test_config_file():
    """train --config FILE.json sets the options the command line leaves unset; a tuning
    result's "train" member works the same; bad keys and values are named."""
    data = write_table("t.csv")
    with open(path("c.json"), "w") as f:
        json.dump({"data": data, "epochs": 3, "batch_size": 30, "lr": 0.05, "threads": 1,
                   "json": True, "optimizer": "adam"}, f)
    out, _ = run("train", "--config", path("c.json"))
    epochs, summary = json_lines(out)
    assert len(epochs) == 3 and summary["epochs"] == 3, summary
    assert epochs[0]["learning_rate"] == 0.05, epochs[0]
    out, _ = run("train", "--config", path("c.json"), "--epochs", 1)  # the command line wins
    assert json_lines(out)[1]["epochs"] == 1
    with open(path("r.json"), "w") as f:
        json.dump({"study": "s", "value": 0.9, "train": {"data": data, "epochs": 2, "json": True,
                                                         "threads": 1}}, f)
    assert json_lines(run("train", "--config", path("r.json"))[0])[1]["epochs"] == 2
    with open(path("bad.json"), "w") as f:
        json.dump({"data": data, "learning_rate": 0.1}, f)
    _, err = run("train", "--config", path("bad.json"), ok=False)
    assert "unknown option 'learning_rate'" in err, err
    with open(path("bad.json"), "w") as f:
        json.dump({"data": data, "epochs": -2}, f)
    _, err = run("train", "--config", path("bad.json"), ok=False)
    assert "'epochs'" in err, err
    _, err = run("train", "--config", path("absent.json"), ok=False)
    assert "no such file" in err, err


def test_bench_linalg_table_and_sizes():
    out, _ = run("bench", "linalg", "--quick", "--json", "--table", "solve", "--sizes", "48,80")
    rows = [json.loads(l) for l in out.splitlines() if l.startswith("{")]
    assert rows[0]["table"] == "config", rows[0]
    assert [(r["table"], r["n"]) for r in rows[1:]] == [("solve", 48), ("solve", 80)], rows
    out, _ = run("bench", "linalg", "--quick", "--table", "fft")
    assert "FFT" in out or "fft" in out, out
    assert "mixed-precision solve" not in out.lower(), out


def main():
    global CLI, WORK
    CLI = sys.argv[1]
    tests = {k: v for k, v in globals().items() if k.startswith("test_")}
    chosen = sys.argv[2:] or list(tests)
    failed = []
    for name in chosen:
        with tempfile.TemporaryDirectory(prefix="magmadnn_cli_") as WORK:
            start = time.monotonic()
            try:
                tests[name]()
                print(f"ok   {name} ({time.monotonic() - start:.1f} s)", flush=True)
            except AssertionError as e:
                failed.append(name)
                print(f"FAIL {name} ({time.monotonic() - start:.1f} s): {e}", flush=True)
    print(f"{len(chosen) - len(failed)} of {len(chosen)} passed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
