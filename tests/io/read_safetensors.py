#!/usr/bin/env python3
"""An independent safetensors reader and writer, from the format's specification, with only the
standard library. Used by safetensors_python_test to check files across languages.

    read_safetensors.py read PATH    check PATH against the format and the reference content
    read_safetensors.py write PATH   write the reference content to PATH

The reference content (the C++ test builds the same): for element i,
    float dtypes: ((i * 37) % 17 - 8) * 0.25     (exact in F16 and BF16)
    I32:          (i * 7919) % 100003 - 50000
    U8:           (i * 37) % 256
"""

import json
import struct
import sys

SIZES = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1,
         "U64": 8, "U32": 4, "U16": 2, "U8": 1, "BOOL": 1, "F8_E4M3": 1, "F8_E5M2": 1}
FORMATS = {"F64": "d", "F32": "f", "F16": "e", "I32": "i", "U8": "B"}

TENSORS = [  # name, dtype, shape
    ("w_f32", "F32", [3, 4]),
    ("w_f64", "F64", [2, 2, 3]),
    ("w_f16", "F16", [5]),
    ("w_bf16", "BF16", [2, 3]),
    ("n_i32", "I32", [4, 2]),
    ("p_u8", "U8", [7]),
    ("scalar", "F32", []),
    ("empty", "F64", [0, 3]),
]
METADATA = {"architecture": '{"layers": [784, 10]}', "note": "h\u00e9llo \u2713"}


def numel(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def value(dtype, i):
    if dtype == "I32":
        return (i * 7919) % 100003 - 50000
    if dtype == "U8":
        return (i * 37) % 256
    return ((i * 37) % 17 - 8) * 0.25


def encode(dtype, values):
    if dtype == "BF16":  # the upper half of a float32 (values here are exact in bf16)
        return b"".join(struct.pack("<f", v)[2:] for v in values)
    return struct.pack("<%d%s" % (len(values), FORMATS[dtype]), *values)


def decode(dtype, raw):
    if dtype == "BF16":
        return [struct.unpack("<f", b"\0\0" + raw[k:k + 2])[0] for k in range(0, len(raw), 2)]
    return list(struct.unpack("<%d%s" % (len(raw) // SIZES[dtype], FORMATS[dtype]), raw))


def fail(msg):
    print("read_safetensors.py: " + msg, file=sys.stderr)
    sys.exit(1)


def parse(path):
    with open(path, "rb") as f:
        blob = f.read()
    if len(blob) < 8:
        fail("%s: %d bytes, shorter than the header length" % (path, len(blob)))
    (n,) = struct.unpack("<Q", blob[:8])
    if n > len(blob) - 8:
        fail("%s: header length %d beyond the file" % (path, n))
    if (8 + n) % 8 != 0:
        fail("%s: data starts at byte %d, not a multiple of 8" % (path, 8 + n))
    pairs_seen = []

    def no_duplicates(pairs):
        keys = [k for k, _ in pairs]
        if len(keys) != len(set(keys)):
            pairs_seen.append(keys)
        return dict(pairs)

    header = json.loads(blob[8:8 + n].decode("utf-8"), object_pairs_hook=no_duplicates)
    if pairs_seen:
        fail("%s: duplicate keys %s" % (path, pairs_seen))
    if not isinstance(header, dict):
        fail("%s: header is not an object" % path)
    data = blob[8 + n:]
    metadata = header.pop("__metadata__", {})
    spans = []
    tensors = {}
    for name, info in header.items():
        dtype, shape, (begin, end) = info["dtype"], info["shape"], info["data_offsets"]
        if dtype not in SIZES:
            fail("%s: tensor %s has unknown dtype %s" % (path, name, dtype))
        if end - begin != numel(shape) * SIZES[dtype]:
            fail("%s: tensor %s offsets [%d, %d] disagree with %s %s" %
                 (path, name, begin, end, dtype, shape))
        if begin % SIZES[dtype] != 0:
            fail("%s: tensor %s at offset %d is not aligned to its element size" %
                 (path, name, begin))
        spans.append((begin, end, name))
        tensors[name] = (dtype, shape, data[begin:end])
    covered = 0
    for begin, end, name in sorted(spans):
        if begin != covered:
            fail("%s: tensor %s begins at %d, expected %d (gap or overlap)" %
                 (path, name, begin, covered))
        covered = end
    if covered != len(data):
        fail("%s: tensors cover %d of %d data bytes" % (path, covered, len(data)))
    return metadata, tensors


def read(path):
    metadata, tensors = parse(path)
    if metadata != METADATA:
        fail("%s: metadata %r, expected %r" % (path, metadata, METADATA))
    if set(tensors) != {t[0] for t in TENSORS}:
        fail("%s: tensors %s, expected %s" % (path, sorted(tensors), [t[0] for t in TENSORS]))
    for name, dtype, shape in TENSORS:
        got_dtype, got_shape, raw = tensors[name]
        if (got_dtype, got_shape) != (dtype, shape):
            fail("%s: %s is %s %s, expected %s %s" % (path, name, got_dtype, got_shape, dtype,
                                                      shape))
        values = decode(dtype, raw)
        expected = [value(dtype, i) for i in range(numel(shape))]
        if values != expected:
            fail("%s: %s values %s, expected %s" % (path, name, values[:8], expected[:8]))
        print("%-8s %-5s %-10s ok" % (name, dtype, shape))
    print("%s: %d tensors and %d metadata entries match" % (path, len(tensors), len(metadata)))


def write(path):
    # Laid out by element size, then by name: another order than the C++ writer's, so the C++
    # reader cannot lean on its own writer's layout.
    order = sorted(TENSORS, key=lambda t: (-SIZES[t[1]], t[0]))
    header = {"__metadata__": METADATA}
    chunks = []
    offset = 0
    for name, dtype, shape in order:
        raw = encode(dtype, [value(dtype, i) for i in range(numel(shape))])
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header, ensure_ascii=False).encode("utf-8")
    text += b" " * ((8 - (8 + len(text)) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))
    print("%s: wrote %d tensors" % (path, len(TENSORS)))


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("read", "write"):
        fail("usage: read_safetensors.py read|write PATH")
    (read if sys.argv[1] == "read" else write)(sys.argv[2])
