"""Minimal safetensors reader/writer (own code; the `safetensors` package is not used).

File layout (https://github.com/huggingface/safetensors, "Format"):
    8 bytes   N, unsigned 64-bit little-endian: length of the JSON header
    N bytes   UTF-8 JSON: {"__metadata__": {str: str}, "<name>": {"dtype": "F32",
              "shape": [..], "data_offsets": [begin, end]}, ...}; padded with spaces
              so that the data section starts at a multiple of 8 bytes
    rest      raw little-endian tensor bytes, row-major (C order); offsets are
              relative to the start of this section, contiguous, without gaps
"""
import json
import struct

import numpy as np

DTYPES = {"F32": np.dtype("<f4"), "F64": np.dtype("<f8"), "I8": np.dtype("i1"), "U8": np.dtype("u1"),
          "I16": np.dtype("<i2"), "I32": np.dtype("<i4"), "I64": np.dtype("<i8")}
_NAMES = {v: k for k, v in DTYPES.items()}


def _dtype_name(a):
    dt = a.dtype.newbyteorder("<") if a.dtype.byteorder == ">" else a.dtype
    for k, v in DTYPES.items():
        if v == dt or (v.kind == dt.kind and v.itemsize == dt.itemsize):
            return k
    raise TypeError("unsupported dtype %s" % a.dtype)


def save_file(tensors, path, metadata=None):
    """tensors: dict name -> numpy array (written in dict order); metadata: dict str -> str."""
    header, blobs, off = {}, [], 0
    if metadata:
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
            raise TypeError("metadata must map str to str")
        header["__metadata__"] = dict(metadata)
    for name, a in tensors.items():
        a = np.ascontiguousarray(a)
        code = _dtype_name(a)
        raw = a.astype(DTYPES[code], copy=False).tobytes(order="C")
        header[name] = {"dtype": code, "shape": list(a.shape), "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    hb = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hb += b" " * ((8 - (8 + len(hb)) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hb)))
        f.write(hb)
        for b in blobs:
            f.write(b)


def load_file(path):
    """Returns (dict name -> numpy array, metadata dict). Checks offsets and sizes."""
    with open(path, "rb") as f:
        buf = f.read()
    (n,) = struct.unpack("<Q", buf[:8])
    header = json.loads(buf[8:8 + n].decode("utf-8"))
    data = memoryview(buf)[8 + n:]
    meta = header.pop("__metadata__", {}) or {}
    out, spans = {}, []
    for name, h in header.items():
        dt = DTYPES[h["dtype"]]
        b, e = h["data_offsets"]
        count = int(np.prod(h["shape"])) if h["shape"] else 1
        if e - b != count * dt.itemsize or e > len(data):
            raise ValueError("bad data_offsets for %s" % name)
        out[name] = np.frombuffer(data[b:e], dtype=dt).reshape(h["shape"]).copy()
        spans.append((b, e))
    pos = 0
    for b, e in sorted(spans):
        if b != pos:
            raise ValueError("tensor data is not contiguous")
        pos = e
    if pos != len(data):
        raise ValueError("trailing bytes after tensor data")
    return out, meta
