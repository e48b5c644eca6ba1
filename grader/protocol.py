"""Plain values on the wire: a JSON header plus raw array bytes, never pickle.

A value is one of None, bool, int, float, str, numpy.ndarray (bool or numeric dtype), or a tuple,
list or dict (str keys) of those. `encode` turns it into bytes; `decode` rebuilds it and rejects
anything else, so what a submission returns can be nothing but data. Frames put a length in front
of such blobs so they can travel over a pipe.

Layout of a blob: 4-byte big-endian header length, the UTF-8 JSON header, then the array bytes.
Scalars are JSON values; containers are {"list": [...]}, {"tuple": [...]}, {"dict": [[k, v], ...]};
arrays are {"array": [dtype, shape, offset]} pointing into the bytes after the header.
"""

from __future__ import annotations

import json
import math
import os
import struct

import numpy as np

MAX_DEPTH = 32
MAX_NODES = 200_000
MAX_HEADER_BYTES = 16 * 1024 * 1024
MAX_NDIM = 32
# Only these kinds may cross: bool, signed/unsigned ints, floats, complex. Never object, str, void.
ARRAY_KINDS = frozenset("biufc")

_HEADER_LEN = struct.Struct(">I")
_FRAME_LEN = struct.Struct(">Q")


class ProtocolError(ValueError):
    """The bytes are not a well-formed plain value (or not within the bounds)."""


class UnsupportedValue(TypeError):
    """The value holds something that is not plain data; the message names what."""


def encode(value: object, *, max_bytes: int | None = None) -> bytes:
    """Encode a plain value. Raises UnsupportedValue for anything else, and ProtocolError when the
    arrays together exceed max_bytes."""
    arrays: list[np.ndarray] = []
    counter = [0]
    offset = [0]

    def walk(obj: object, depth: int) -> object:
        counter[0] += 1
        if counter[0] > MAX_NODES:
            raise UnsupportedValue(f"more than {MAX_NODES} values")
        if depth > MAX_DEPTH:
            raise UnsupportedValue(f"nested deeper than {MAX_DEPTH}")
        kind = type(obj)
        if obj is None or kind is bool or kind is str:
            return obj
        if kind is int:
            return obj
        if kind is float:
            if math.isfinite(obj):
                return obj
            return {"float": repr(obj)}  # JSON has no nan/inf; keep them exact anyway
        if kind is np.ndarray:
            array: np.ndarray = obj  # type: ignore[assignment]
            if array.dtype.kind not in ARRAY_KINDS or array.dtype.fields is not None:
                raise UnsupportedValue(f"array of dtype {array.dtype} (only bool and numbers)")
            if array.ndim > MAX_NDIM:
                raise UnsupportedValue(f"array with {array.ndim} dimensions")
            array = np.asarray(array, dtype=array.dtype.newbyteorder("<"), order="C")
            start = offset[0]
            offset[0] += array.nbytes
            if max_bytes is not None and offset[0] > max_bytes:
                raise ProtocolError(f"value larger than {max_bytes} bytes")
            arrays.append(array)
            return {"array": [array.dtype.str, list(array.shape), start]}
        if kind is list or kind is tuple:
            tag = "list" if kind is list else "tuple"
            return {tag: [walk(item, depth + 1) for item in obj]}  # type: ignore[attr-defined]
        if kind is dict:
            items = []
            for key, item in obj.items():  # type: ignore[attr-defined]
                if type(key) is not str:
                    raise UnsupportedValue(f"dict key of type {type(key).__name__} (only str)")
                items.append([key, walk(item, depth + 1)])
            return {"dict": items}
        raise UnsupportedValue(f"a value of type {type_name(obj)}")

    tree = walk(value, 0)
    header = json.dumps(tree, separators=(",", ":"), allow_nan=False).encode()
    parts = [_HEADER_LEN.pack(len(header)), header]
    parts.extend(memoryview(array).cast("B") for array in arrays if array.nbytes)
    return b"".join(parts)


def decode(blob: bytes | bytearray | memoryview, *, max_bytes: int | None = None) -> object:
    """Rebuild a value from `encode`'s bytes, strictly: every array is a fresh, writable, plain
    ndarray of an allowed dtype whose bytes lie inside the blob; nothing else is constructed."""
    view = memoryview(blob).cast("B")
    if max_bytes is not None and len(view) > max_bytes:
        raise ProtocolError(f"value larger than {max_bytes} bytes")
    if len(view) < _HEADER_LEN.size:
        raise ProtocolError("truncated value")
    (header_len,) = _HEADER_LEN.unpack(view[: _HEADER_LEN.size])
    body_start = _HEADER_LEN.size + header_len
    if header_len > MAX_HEADER_BYTES or body_start > len(view):
        raise ProtocolError("bad header length")
    try:
        tree = json.loads(bytes(view[_HEADER_LEN.size : body_start]), parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise ProtocolError(f"bad header: {exc}") from None
    body = view[body_start:]
    counter = [0]

    def build(node: object, depth: int) -> object:
        counter[0] += 1
        if counter[0] > MAX_NODES or depth > MAX_DEPTH:
            raise ProtocolError("value too large or too deep")
        kind = type(node)
        if node is None or kind in (bool, int, float, str):
            return node
        if kind is not dict or len(node) != 1:  # type: ignore[arg-type]
            raise ProtocolError("unexpected node")
        ((tag, content),) = node.items()  # type: ignore[union-attr]
        if tag == "list" and type(content) is list:
            return [build(item, depth + 1) for item in content]
        if tag == "tuple" and type(content) is list:
            return tuple(build(item, depth + 1) for item in content)
        if tag == "dict" and type(content) is list:
            out: dict[str, object] = {}
            for pair in content:
                if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not str:
                    raise ProtocolError("bad dict entry")
                out[pair[0]] = build(pair[1], depth + 1)
            return out
        if tag == "float" and content in ("nan", "inf", "-inf"):
            return float(content)
        if tag == "array" and type(content) is list and len(content) == 3:
            return _array(content, body)
        raise ProtocolError(f"unexpected tag {tag!r}")

    return build(tree, 0)


def _no_constant(name: str) -> object:
    raise ValueError(f"constant {name} not allowed")


def _array(spec: list, body: memoryview) -> np.ndarray:
    dtype_str, shape, start = spec
    if type(dtype_str) is not str or type(shape) is not list or type(start) is not int:
        raise ProtocolError("bad array spec")
    if len(dtype_str) > 8 or not dtype_str.isascii():
        raise ProtocolError("bad dtype")
    try:
        dtype = np.dtype(dtype_str)
    except TypeError:
        raise ProtocolError(f"bad dtype {dtype_str!r}") from None
    if dtype.kind not in ARRAY_KINDS or dtype.fields is not None or dtype.hasobject:
        raise ProtocolError(f"dtype {dtype_str!r} not allowed")
    if len(shape) > MAX_NDIM or any(type(n) is not int or n < 0 for n in shape):
        raise ProtocolError("bad shape")
    count = math.prod(shape)
    nbytes = count * dtype.itemsize
    if start < 0 or start + nbytes > len(body):
        raise ProtocolError("array bytes out of range")
    array = np.frombuffer(body[start : start + nbytes], dtype=dtype, count=count).reshape(
        tuple(shape)
    )
    return array.astype(dtype.newbyteorder("="), copy=True)


def value_kind(value: object) -> str:
    """'tensor', 'ndarray' or 'python' for a value before conversion: an ndarray anywhere makes it
    'ndarray' (so a checker can reject numpy output under framework torch), else a tensor anywhere
    makes it 'tensor'."""
    found: set[str] = set()

    def walk(obj: object, depth: int) -> None:
        if depth > MAX_DEPTH or len(found) == 2:
            return
        if isinstance(obj, np.ndarray | np.generic):
            found.add("ndarray")
        elif type(obj).__module__.startswith("torch") and hasattr(obj, "dtype"):
            found.add("tensor")
        elif type(obj) in (list, tuple):
            for item in obj:  # type: ignore[attr-defined]
                walk(item, depth + 1)
        elif type(obj) is dict:
            for item in obj.values():  # type: ignore[attr-defined]
                walk(item, depth + 1)

    walk(value, 0)
    if "ndarray" in found:
        return "ndarray"
    if "tensor" in found:
        return "tensor"
    return "python"


def type_name(obj: object) -> str:
    kind = type(obj)
    module = getattr(kind, "__module__", "") or ""
    qualname = getattr(kind, "__qualname__", kind.__name__)
    return qualname if module in ("builtins", "") else f"{module}.{qualname}"


# Frames: an 8-byte big-endian length, then the payload. Used on every pipe of the sandbox.


def write_frame(fd: int, payload: bytes) -> None:
    write_all(fd, _FRAME_LEN.pack(len(payload)))
    write_all(fd, payload)


def write_all(fd: int, data: bytes | memoryview) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def read_exact(fd: int, size: int) -> bytes:
    buffer = bytearray(size)
    view = memoryview(buffer)
    got = 0
    while got < size:
        n = os.readv(fd, [view[got:]])
        if n == 0:
            raise EOFError("pipe closed")
        got += n
    return bytes(buffer)


def read_frame(fd: int, *, max_bytes: int) -> bytes:
    (size,) = _FRAME_LEN.unpack(read_exact(fd, _FRAME_LEN.size))
    if size > max_bytes:
        raise ProtocolError(f"frame of {size} bytes exceeds {max_bytes}")
    return read_exact(fd, size)


def encode_json(obj: object) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


def decode_json(data: bytes) -> object:
    try:
        return json.loads(data, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise ProtocolError(f"bad JSON: {exc}") from None
