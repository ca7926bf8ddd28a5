#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into tests/fuzz/corpus/<target>/ (standard library
only; the output is the same on every run): small valid files of each kind, a few broken ones,
and regression-*, the smallest input for each reader bug fixed (docs/RELIABILITY.md lists them).
Crash inputs saved by libFuzzer itself are copied in as regression-* by hand; this script leaves
files it does not write alone.

    python3 tests/fuzz/make_corpus.py
"""

import gzip
import json
import pathlib
import struct

CORPUS = pathlib.Path(__file__).resolve().parent / "corpus"


def compact(value):
    return json.dumps(value, separators=(",", ":"))


def put(target, name, data):
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data if isinstance(data, bytes) else data.encode())


# ---- IDX: magic 00 00 <type> <ndim>, big-endian u32 extents, the data ----


def idx(type_code, shape, payload):
    extents = b"".join(struct.pack(">I", d) for d in shape)
    return bytes([0, 0, type_code, len(shape)]) + extents + payload


def idx_corpus():
    put("idx", "u8_1d", idx(0x08, [5], bytes(range(5))))
    u8_3d = idx(0x08, [2, 3, 4], bytes(range(24)))
    put("idx", "u8_3d", u8_3d)
    put("idx", "u8_3d.gz", gzip.compress(u8_3d, mtime=0))
    put("idx", "u8_empty_extent", idx(0x08, [0, 28, 28], b""))
    # the other IDX types, which the reader rejects by name
    for code, fmt in [(0x09, "b"), (0x0B, "h"), (0x0C, "i"), (0x0D, "f"), (0x0E, "d")]:
        put("idx", "type_%02x" % code, idx(code, [3], struct.pack(">3" + fmt, 1, 2, 3)))
    put("idx", "bad_truncated", idx(0x08, [4, 4], bytes(10)))
    put("idx", "bad_trailing", idx(0x08, [2], bytes(5)))
    put("idx", "bad_no_dims", bytes([0, 0, 8, 0]))
    put("idx", "bad_huge_extents", idx(0x08, [0xFFFFFFFF, 0xFFFFFFFF], bytes(8)))
    put("idx", "bad_magic", b"\x1f\x00\x08\x01\x00\x00\x00\x01\x00")
    put("idx", "bad_truncated.gz", gzip.compress(u8_3d, mtime=0)[:20])
    # a plain file promising 1 MB in 10 bytes: allocated before it was found short
    put("idx", "regression-plain-overpromise", idx(0x08, [1000, 1000], bytes(10)))


# ---- CSV: the first byte chooses the options (see fuzz_csv.cpp), the rest is the file ----


def mode(header=False, label=-1, delimiter=",", double=False, seed_call=False):
    m = (1 if header else 0) | ((label + 1) << 1) | (",;\t ".index(delimiter) << 3)
    return bytes([m | (0x20 if double else 0) | (0x40 if seed_call else 0)])


def csv_corpus():
    put("csv", "header_label", mode(header=True, label=0) + b"label,a,b\n1,0.5,2\n0,-1e3,+3\n")
    put("csv", "no_header", mode() + b"1,2,3\n4,5,6\n")
    put("csv", "quoted_crlf", mode(header=True, double=True)
        + b'"x ""1""", "y,z"\r\n 1.5 , "2"\r\n\r\n3,4\r\n')
    put("csv", "semicolon_label", mode(header=True, label=1, delimiter=";") + b"a;y;b\n1;2;3\n")
    put("csv", "tab_blank_lines", mode(delimiter="\t") + b"\n1\t2\n   \n3\t4\n")
    put("csv", "seed_call", mode(seed_call=True) + b"1,2,3\n4,5,6\n")
    put("csv", "bad_text", mode(header=True) + b"a,b\n1,abc\n")
    put("csv", "bad_fields", mode() + b"1,2\n3\n")
    put("csv", "bad_quote", mode() + b'"1,2\n')
    put("csv", "bad_header_only", mode(header=True) + b"a,b\n")
    put("csv", "bad_empty", mode())
    put("csv", "bad_range", mode(label=0) + b"99999999999,1e999\n")
    # a wide first line over short rows: rows x columns was allocated before the short row was seen
    put("csv", "regression-wide-header",
        mode(header=True) + b",".join([b"c"] * 64) + b"\n" + b"1\n" * 8)


# ---- safetensors: u64 header length, JSON header padded to 8 bytes, the data ----

SIZES = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "U8": 1}


def safetensors(tensors, metadata=None, raw_header=None):
    """tensors: [(name, dtype, shape, bytes)], laid out in the order given."""
    header, data = {}, b""
    if metadata:
        header["__metadata__"] = metadata
    for name, dtype, shape, payload in tensors:
        offsets = [len(data), len(data) + len(payload)]
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": offsets}
        data += payload
    text = raw_header if raw_header is not None else json.dumps(header, separators=(",", ":"))
    text = text.encode()
    text += b" " * (-(8 + len(text)) % 8)
    return struct.pack("<Q", len(text)) + text + data


def f32(*values):
    return struct.pack("<%df" % len(values), *values)


def f16(*values):
    return struct.pack("<%de" % len(values), *values)


def safetensors_corpus():
    put("safetensors", "all_dtypes", safetensors([
        ("w_f64", "F64", [2], struct.pack("<2d", 1.5, -2)),
        ("w_f32", "F32", [2, 2], f32(1, 2, 3, 4)),
        ("n_i32", "I32", [2], struct.pack("<2i", 7, -7)),
        ("w_f16", "F16", [3], f16(0.5, 1, -2)),
        ("w_bf16", "BF16", [2], b"\x80\x3f\x00\xc0"),
        ("p_u8", "U8", [3], b"\x01\x02\x03"),
        ("scalar", "F32", [], f32(9)),
        ("empty", "F64", [0, 3], b""),
    ], metadata={"architecture": '{"layers": [784, 10]}', "note": "h\u00e9llo"}))
    put("safetensors", "unsupported_i64", safetensors([("i", "I64", [1], bytes(8))]))
    put("safetensors", "empty_header", safetensors([], raw_header="{}"))
    put("safetensors", "bad_length", struct.pack("<Q", 1 << 40) + b"{}")
    put("safetensors", "bad_json", safetensors([], raw_header='{"a": '))
    put("safetensors", "bad_not_object", safetensors([], raw_header="[1, 2]"))
    put("safetensors", "bad_duplicate", safetensors([], raw_header='{"a":{},"a":{}}'))
    put("safetensors", "bad_dtype",
        safetensors([], raw_header='{"a":{"dtype":"F7","shape":[],"data_offsets":[0,0]}}'))
    put("safetensors", "bad_overlap", safetensors([], raw_header=(
        '{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},'
        '"b":{"dtype":"U8","shape":[2],"data_offsets":[1,3]}}')) + bytes(3))
    put("safetensors", "bad_span", safetensors(
        [], raw_header='{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}') + bytes(4))
    put("safetensors", "bad_short", b"\x10\x00\x00")
    # nesting past the limit (tens of thousands of levels overflowed the stack in dump())
    put("safetensors", "regression-deep-nesting",
        safetensors([], raw_header='{"a":' + "[" * 100 + "]" * 100 + "}"))


# ---- architecture JSON (as Model::architecture_json writes it) ----


def architecture(input_shape, layers, loss="softmax_crossentropy"):
    return compact({"format": "magmadnn.sequential", "version": 1, "dtype": "f32", "batch_size": 2,
                    "loss": loss, "input_shape": input_shape, "layers": layers})


MLP = architecture([4], [
    {"type": "fullyconnected", "units": 3, "bias": True},
    {"type": "activation", "activation": "relu"},
    {"type": "fullyconnected", "units": 2, "bias": True},
    {"type": "output"},
])

CNN = architecture([1, 4, 4], [
    {"type": "conv2d", "out_channels": 2, "kernel": 3, "stride": 1, "padding": 1, "bias": True},
    {"type": "batchnorm", "momentum": 0.1, "epsilon": 1e-5},
    {"type": "activation", "activation": "relu"},
    {"type": "pooling2d", "kernel": 2, "stride": 2, "padding": 0, "mode": "max"},
    {"type": "flatten"},
    {"type": "fullyconnected", "units": 2, "bias": True},
    {"type": "output"},
])


def architecture_corpus():
    put("architecture", "mlp.json", MLP)
    put("architecture", "cnn.json", CNN)
    put("architecture", "every_layer.json", architecture([2, 6, 6], [
        {"type": "conv2d", "out_channels": 4, "kernel": "3,3", "stride": "[1, 1]",
         "padding": [1, 1], "dilation": 1, "groups": 2, "algo": "direct", "bias": False},
        {"type": "activation", "activation": "tanh"},
        {"type": "pooling2d", "kernel": 2, "stride": 1, "padding": 1, "mode": "average"},
        {"type": "dropout", "rate": 0.25},
        {"type": "globalavgpool"},
        {"type": "fullyconnected", "units": 3, "bias": "false"},
        {"type": "activation", "activation": "sigmoid"},
        {"type": "activation", "activation": "softmax"},
    ], loss="mse"))
    put("architecture", "bad_unknown_type.json", architecture([4], [{"type": "lstm"}]))
    put("architecture", "bad_input_shape.json", architecture([0], []))
    put("architecture", "bad_no_layers.json", '{"input_shape": [4]}')
    put("architecture", "bad_json.json", '{"input_shape": [4], "layers": [')
    # std::invalid_argument from std::stoll escaped
    put("architecture", "regression-units-text.json",
        architecture([4], [{"type": "fullyconnected", "units": "many"}]))
    # read as 1 unit: std::stoll stopped at the exponent
    put("architecture", "regression-units-exponent.json",
        architecture([4], [{"type": "fullyconnected", "units": 1e20}]))
    # nlohmann's type_error escaped from json::value()
    put("architecture", "regression-loss-number.json", architecture([4], [], loss=5))
    # nesting past the limit (tens of thousands of levels overflowed the stack in dump())
    put("architecture", "regression-deep-nesting.json",
        '{"input_shape":[4],"layers":[{"type":' + "[" * 100 + "]" * 100 + "}]}")


# ---- checkpoints: safetensors with the architecture and the weights (Model::save's layout) ----


def numel(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def floats(n, scale=0.125):
    return [((i * 37) % 17 - 8) * scale for i in range(n)]


def checkpoint_corpus():
    sgd = compact({"optimizer": "sgd", "lr": "0.1", "momentum": "0", "nesterov": "false",
                   "weight_decay": "0", "clip_norm": "0", "schedule": "none"})
    mlp = [("layers.1.weight", "F32", [4, 3], f32(*floats(12))),
           ("layers.1.bias", "F32", [3], f32(*floats(3))),
           ("layers.3.weight", "F32", [3, 2], f32(*floats(6))),
           ("layers.3.bias", "F32", [2], f32(*floats(2)))]
    meta = {"magmadnn.architecture": MLP, "magmadnn.optimizer": sgd, "magmadnn.epochs_trained": "1"}
    put("checkpoint", "mlp_sgd", safetensors(mlp, meta))

    # layer 1 conv, 2 batchnorm (with running statistics), 6 fullyconnected; f16 weights convert
    params = [("layers.1.weight", [2, 1, 3, 3]), ("layers.1.bias", [2]), ("layers.2.weight", [2]),
              ("layers.2.bias", [2]), ("layers.6.weight", [8, 2]), ("layers.6.bias", [2])]
    cnn = [(n, "F16", s, f16(*floats(numel(s)))) for n, s in params]
    cnn += [("layers.2.running_mean", "F32", [2], f32(0, 0)),
            ("layers.2.running_var", "F32", [2], f32(1, 1))]
    for i, (_, s) in enumerate(params):
        cnn += [("optimizer.%d.s1" % i, "F32", s, f32(*floats(numel(s), 0.01))),
                ("optimizer.%d.s2" % i, "F32", s, f32(*[0.001] * numel(s)))]
    adam = compact({"optimizer": "adam", "lr": "0.001", "beta1": "0.9", "beta2": "0.999",
                    "eps": "1e-08", "weight_decay": "0", "clip_norm": "0", "schedule": "none"})
    meta = {"magmadnn.architecture": CNN, "magmadnn.optimizer": adam,
            "magmadnn.optimizer_steps": "3", "magmadnn.epochs_trained": "2"}
    put("checkpoint", "cnn_adam", safetensors(cnn, meta))

    def arch(text):
        return {"magmadnn.architecture": text}

    put("checkpoint", "bad_no_architecture", safetensors(mlp))
    put("checkpoint", "bad_missing_tensor", safetensors(mlp[:3], arch(MLP)))
    transposed = ("layers.1.weight", "F32", [3, 4], f32(*floats(12)))
    put("checkpoint", "bad_shape", safetensors([transposed] + mlp[1:], arch(MLP)))
    put("checkpoint", "bad_epochs",
        safetensors(mlp, {"magmadnn.architecture": MLP, "magmadnn.epochs_trained": "-1"}))
    put("checkpoint", "bad_format", safetensors(mlp, arch('{"format":"keras"}')))
    # nlohmann's type_error escaped from json::value() on each of these
    put("checkpoint", "regression-format-number", safetensors(mlp, arch('{"format":5}')))
    put("checkpoint", "regression-batch-size-text",
        safetensors(mlp, arch(compact(dict(json.loads(MLP), batch_size="x")))))
    put("checkpoint", "regression-architecture-array", safetensors(mlp, arch("[]")))


if __name__ == "__main__":
    idx_corpus()
    csv_corpus()
    safetensors_corpus()
    architecture_corpus()
    checkpoint_corpus()
