"""`magmadnn train --logdir`: TensorBoard's own reader (EventAccumulator, from the tensorboard
package of the test virtual environment) reads back the scalars `train --json` printed, at the
steps written; every record's framing and CRC-32C are checked with TensorBoard's masked_crc32c;
a --logdir that cannot be created fails before training.
Usage: MAGMADNN_TEST_PYTHON cli tensorboard_test.py path/to/magmadnn [TEST ...]"""
import glob
import json
import math
import os
import random
import re
import socket
import struct
import subprocess
import sys
import tempfile
import time

from tensorboard.backend.event_processing import event_accumulator, plugin_event_multiplexer
from tensorboard.compat.proto import event_pb2
from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c

CLI = None
WORK = None


def run(*args, ok=True):
    p = subprocess.run([CLI, *map(str, args)], capture_output=True, text=True, timeout=120)
    want = 0 if ok else 1
    assert p.returncode == want, (f"{' '.join(map(str, args))}: exit {p.returncode}, expected "
                                  f"{want}\nstdout: {p.stdout[-2000:]}\nstderr: {p.stderr[-2000:]}")
    return p.stdout, p.stderr


def path(name):
    return os.path.join(WORK, name)


def write_table(name, rows=300, seed=7):
    """Rows of 4 features and a class (first column) from a linear rule, 3 classes."""
    rng = random.Random(seed)
    out = []
    for _ in range(rows):
        x = [rng.random() - 0.5 for _ in range(4)]
        s = x[0] + x[1] - x[2]
        y = 0 if s < -0.2 else 1 if s < 0.2 else 2
        out.append(",".join([str(y)] + [f"{v:.6f}" for v in x]))
    with open(path(name), "w") as f:
        f.write("\n".join(out) + "\n")
    return path(name)


def epoch_lines(stdout):
    lines = [json.loads(l) for l in stdout.splitlines() if l.startswith("{")]
    assert lines and "test_accuracy" in lines[-1], stdout[-2000:]
    return lines[:-1], lines[-1]


def records(file):
    """The payloads of an event file, each record's length and data CRCs checked."""
    with open(file, "rb") as f:
        data = f.read()
    out, at = [], 0
    while at < len(data):
        header = data[at:at + 8]
        (length,) = struct.unpack("<Q", header)
        (crc,) = struct.unpack("<I", data[at + 8:at + 12])
        assert crc == masked_crc32c(header), f"{file}: length CRC at byte {at}"
        payload = data[at + 12:at + 12 + length]
        (crc,) = struct.unpack("<I", data[at + 12 + length:at + 16 + length])
        assert len(payload) == length and crc == masked_crc32c(payload), f"{file}: data CRC at {at}"
        out.append(payload)
        at += 16 + length
    return out


def close(a, b, what):
    assert math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-7), f"{what}: {a} != {b}"


def accumulator(run_dir):
    acc = event_accumulator.EventAccumulator(
        run_dir, size_guidance={event_accumulator.SCALARS: 0, event_accumulator.HISTOGRAMS: 0})
    acc.Reload()
    return acc


# --- the tests ------------------------------------------------------------------------------


def test_tensorboard_reads_the_json_lines_values():
    data = write_table("t.csv")
    logdir = path("logs")
    # 300 rows: 240 for training (--test-fraction 0.2), of which 48 validate: 192 rows, 10
    # steps of 20 per epoch (the last one 12), 30 in all
    out, _ = run("train", "--data", data, "--json", "--epochs", 3, "--batch-size", 20, "--lr",
                 0.1, "--threads", 1, "--hidden", 64, "--validation-split", 0.2,
                 "--logdir", logdir, "--log-every", 4, "--log-histograms")
    epochs, summary = epoch_lines(out)
    assert summary["logdir"] == logdir, summary
    assert [e["epoch"] for e in epochs] == [1, 2, 3], epochs

    # the files: named as TensorBoard's writers name them, framed and checksummed alike, the
    # first event naming the format
    for run_name in ("train", "validation"):
        files = glob.glob(os.path.join(logdir, run_name, "*"))
        assert len(files) == 1, files
        name = os.path.basename(files[0])
        assert re.fullmatch(r"events\.out\.tfevents\.\d{10}\." + re.escape(socket.gethostname())
                            + r"(\.\d+)?", name), name
        first = event_pb2.Event.FromString(records(files[0])[0])
        assert first.file_version == "brain.Event:2", first

    train = accumulator(os.path.join(logdir, "train"))
    tags = train.Tags()
    want = {f"{p}_{m}" for p in ("epoch", "batch")
            for m in ("loss", "accuracy", "learning_rate", "samples_per_second")}
    assert set(tags["scalars"]) == want, tags["scalars"]
    for tag, key in (("epoch_loss", "loss"), ("epoch_accuracy", "accuracy"),
                     ("epoch_learning_rate", "learning_rate"),
                     ("epoch_samples_per_second", "samples_per_second")):
        got = train.Scalars(tag)
        assert [s.step for s in got] == [1, 2, 3], (tag, got)
        for s, e in zip(got, epochs):
            close(s.value, e[key], f"{tag} at epoch {s.step}")
    for tag in ("batch_loss", "batch_accuracy", "batch_learning_rate", "batch_samples_per_second"):
        got = train.Scalars(tag)
        assert [s.step for s in got] == list(range(4, 31, 4)), (tag, got)
        assert all(math.isfinite(s.value) for s in got), got
    assert all(s.value == train.Scalars("batch_learning_rate")[0].value
               for s in train.Scalars("batch_learning_rate"))
    close(train.Scalars("batch_learning_rate")[0].value, 0.1, "batch_learning_rate")
    assert all(0 <= s.value <= 1 for s in train.Scalars("batch_accuracy"))
    # 4 -> 8 ... -> 3 classes: one histogram per weight and epoch, counting every element
    assert sorted(tags["histograms"]) == ["layers.1.bias", "layers.1.weight", "layers.3.bias",
                                          "layers.3.weight"], tags["histograms"]
    sizes = {"layers.1.weight": 4 * 64, "layers.1.bias": 64, "layers.3.weight": 64 * 3,
             "layers.3.bias": 3}
    for tag, n in sizes.items():
        got = train.Histograms(tag)
        assert [h.step for h in got] == [1, 2, 3], (tag, got)
        assert all(h.histogram_value.num == n for h in got), (tag, got[0])

    validation = accumulator(os.path.join(logdir, "validation"))
    assert set(validation.Tags()["scalars"]) == {"epoch_loss", "epoch_accuracy"}
    for tag, key in (("epoch_loss", "val_loss"), ("epoch_accuracy", "val_accuracy")):
        got = validation.Scalars(tag)
        assert [s.step for s in got] == [1, 2, 3], (tag, got)
        for s, e in zip(got, epochs):
            close(s.value, e[key], f"validation {tag} at epoch {s.step}")

    # TensorBoard's view of the directory: two runs, training and validation in one chart
    mux = plugin_event_multiplexer.EventMultiplexer().AddRunsFromDirectory(logdir)
    mux.Reload()
    assert sorted(mux.Runs()) == ["train", "validation"], mux.Runs()


def test_logdir_that_cannot_be_created_fails_before_training():
    data = write_table("t.csv", rows=60)
    blocker = path("a-file")
    with open(blocker, "w") as f:
        f.write("x")
    bad = os.path.join(blocker, "logs")
    out, err = run("train", "--data", data, "--json", "--epochs", 1, "--threads", 1, "--logdir",
                   bad, ok=False)
    assert f"'{bad}'" in err and "Not a directory" in err, err
    assert "magmadnn: error:" in err, err
    assert not any(l.startswith("{") for l in out.splitlines()), f"it trained: {out}"
    _, err = run("train", "--data", data, "--epochs", 1, "--log-every", 5, ok=False)
    assert "--log-every needs --logdir" in err, err
    _, err = run("train", "--data", data, "--epochs", 1, "--log-histograms", ok=False)
    assert "--log-histograms needs --logdir" in err, err


def main():
    global CLI, WORK
    CLI = sys.argv[1]
    tests = {k: v for k, v in globals().items() if k.startswith("test_")}
    chosen = sys.argv[2:] or list(tests)
    failed = []
    for name in chosen:
        with tempfile.TemporaryDirectory(prefix="magmadnn_tb_") as WORK:
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
