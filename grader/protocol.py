"""Plain values on the wire: a JSON header plus raw array bytes, never pickle.

A value is one of None, bool, int, float, str, numpy.ndarray (bool or numeric dtype), or a tuple,
list or dict (str keys) of those. `encode` turns it into bytes; `decode` rebuilds it and rejects
anything else, so what a submission returns can be nothing but data. Frames put a length in front
of such blobs so they can travel over a pipe.

Layout of a blob: 4-byte big-endian header length, the UTF-8 JSON header, then the array bytes.
Scalars are JSON values; containers are {"list": [...]}, {"tuple": [...]}, {"dict": [[k, v], ...]};
arrays are {"array": [dtype, shape, offset]} pointing into the bytes after the header. The header
is padded with spaces so the body starts on a multiple of ALIGN, and the arrays tile the body in
header order, each starting at the first multiple of ALIGN at or after the end of the one before:
no two of them share bytes, so decoding never builds more than the blob holds, and every array is
aligned where the blob's buffer is. A `Budget` bounds what many blobs decode to together (array
bytes, string characters and values, counted alike).
"""

from __future__ import annotations

import json
import math
import os
import struct
from collections.abc import Callable

import numpy as np

MAX_DEPTH = 32
MAX_NODES = 200_000
# A JSON header parses into many times its size in Python objects; a plain value needs little
# header (its bulk is array bytes), so this stays small.
MAX_HEADER_BYTES = 4 * 1024 * 1024
MAX_NDIM = 32
MAX_DIM = 1 << 40
# What one value node is counted as against a Budget, besides its bytes or characters.
NODE_BYTES = 8
# Only these kinds may cross: bool, signed/unsigned ints, floats, complex. Never object, str, void.
ARRAY_KINDS = frozenset("biufc")

_HEADER_LEN = struct.Struct(">I")
ALIGN = 64
_FRAME_LEN = struct.Struct(">Q")


class ProtocolError(ValueError):
    """The bytes are not a well-formed plain value (or not within the bounds)."""


class ValueTooLarge(ProtocolError):
    """Well formed, but more than the limit (of one blob or of a Budget) allows."""


class UnsupportedValue(TypeError):
    """The value holds something that is not plain data; the message names what."""


class Budget:
    """What the blobs decoded with it may build together, in bytes: array bytes, characters of
    strings and keys, and NODE_BYTES per value."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0

    def charge(self, amount: int) -> None:
        self.used += amount
        if self.used > self.limit:
            raise ValueTooLarge(f"values larger than {self.limit >> 20} MB in all")


def encode(value: object, *, max_bytes: int | None = None) -> bytes:
    """Encode a plain value. Raises UnsupportedValue for anything else, and ProtocolError when its
    arrays, strings and keys together exceed max_bytes (counted as a Budget counts them)."""
    return b"".join(encode_parts(value, max_bytes=max_bytes))


def encode_parts(value: object, *, max_bytes: int | None = None) -> list[bytes | memoryview]:
    """`encode`'s bytes as a list of parts that views the arrays' own memory, for a writev that
    copies nothing."""
    arrays: list[np.ndarray] = []
    counter = [0]
    body = [0]
    budget = Budget(max_bytes if max_bytes is not None else 1 << 62)

    def walk(obj: object, depth: int) -> object:
        counter[0] += 1
        if counter[0] > MAX_NODES:
            raise UnsupportedValue(f"more than {MAX_NODES} values")
        if depth > MAX_DEPTH:
            raise UnsupportedValue(f"nested deeper than {MAX_DEPTH}")
        budget.charge(NODE_BYTES)
        kind = type(obj)
        if kind is str:
            budget.charge(len(obj))  # type: ignore[arg-type]
            return obj
        if obj is None or kind is bool or kind is int:
            return obj
        if kind is float:
            if math.isfinite(obj):  # type: ignore[arg-type]
                return obj
            return {"float": repr(obj)}  # JSON has no nan/inf; keep them exact anyway
        if kind is np.ndarray:
            array: np.ndarray = obj  # type: ignore[assignment]
            if array.dtype.kind not in ARRAY_KINDS or array.dtype.fields is not None:
                raise UnsupportedValue(f"array of dtype {array.dtype} (only bool and numbers)")
            if array.ndim > MAX_NDIM:
                raise UnsupportedValue(f"array with {array.ndim} dimensions")
            budget.charge(array.nbytes)
            array = np.asarray(array, dtype=array.dtype.newbyteorder("<"), order="C")
            start = _aligned(body[0])
            body[0] = start + array.nbytes
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
                budget.charge(len(key))
                items.append([key, walk(item, depth + 1)])
            return {"dict": items}
        raise UnsupportedValue(f"a value of type {type_name(obj)}")

    try:
        tree = walk(value, 0)
    except ValueTooLarge as exc:
        raise ProtocolError(f"value larger than {max_bytes} bytes") from exc
    try:
        header = json.dumps(tree, separators=(",", ":"), allow_nan=False).encode()
    except ValueError as exc:  # an int too long to write out
        raise UnsupportedValue(str(exc)) from None
    header += b" " * (_aligned(_HEADER_LEN.size + len(header)) - _HEADER_LEN.size - len(header))
    parts: list[bytes | memoryview] = [_HEADER_LEN.pack(len(header)), header]
    end = 0
    for array in arrays:
        start = _aligned(end)
        if start > end:
            parts.append(bytes(start - end))
        if array.nbytes:
            parts.append(memoryview(array.data).cast("B"))
        end = start + array.nbytes
    return parts


def _aligned(offset: int) -> int:
    return -(-offset // ALIGN) * ALIGN


def decode(
    blob: bytes | bytearray | memoryview,
    *,
    max_bytes: int | None = None,
    budget: Budget | None = None,
) -> object:
    """Rebuild a value from `encode`'s bytes, strictly: every array is a writable, plain ndarray
    of an allowed dtype, the arrays tile the body in order, and nothing else is constructed. From
    a bytearray the arrays are views of it (the caller hands its buffer over: nothing is copied);
    from bytes, fresh copies. Raises ProtocolError (ValueTooLarge when over max_bytes or the
    budget) for anything else, whatever went wrong."""
    try:
        return _decode(blob, max_bytes=max_bytes, budget=budget)
    except ProtocolError:
        raise
    except MemoryError:
        raise ValueTooLarge("value too large to decode") from None
    except Exception as exc:  # numpy or json refusing something the checks above let through
        raise ProtocolError(f"bad value ({type(exc).__name__})") from None


def _decode(
    blob: bytes | bytearray | memoryview, *, max_bytes: int | None, budget: Budget | None
) -> object:
    view = memoryview(blob).cast("B")
    if max_bytes is not None and len(view) > max_bytes:
        raise ValueTooLarge(f"value larger than {max_bytes} bytes")
    if len(view) < _HEADER_LEN.size:
        raise ProtocolError("truncated value")
    (header_len,) = _HEADER_LEN.unpack(view[: _HEADER_LEN.size])
    body_start = _HEADER_LEN.size + header_len
    if header_len > MAX_HEADER_BYTES or body_start > len(view):
        raise ProtocolError("bad header length")
    header = bytes(view[_HEADER_LEN.size : body_start])
    # Every value opens a bracket or follows a comma or colon: bounded before anything is built.
    if header.count(b"[") + header.count(b",") > 4 * MAX_NODES:
        raise ProtocolError("value too large or too deep")
    try:
        tree = json.loads(header, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise ProtocolError(f"bad header: {exc}") from None
    body = view[body_start:]
    builder = _Builder(body, budget if budget is not None else Budget(1 << 62))
    value = builder.build(tree, 0)
    if not builder.offset <= len(body) < builder.offset + ALIGN:
        raise ProtocolError("bytes after the last array")
    return value


class _Builder:
    """A value from its header's tree, its arrays views of `body` in order. A class rather than a
    recursive closure: a closure that refers to itself is a reference cycle, which would keep the
    body (a job's results) alive until the garbage collector ran."""

    def __init__(self, body: memoryview, budget: Budget) -> None:
        self.body = body
        self.budget = budget
        self.nodes = 0
        self.offset = 0

    def build(self, node: object, depth: int) -> object:
        self.nodes += 1
        if self.nodes > MAX_NODES or depth > MAX_DEPTH:
            raise ProtocolError("value too large or too deep")
        budget = self.budget
        budget.charge(NODE_BYTES)
        kind = type(node)
        if kind is str:
            budget.charge(len(node))  # type: ignore[arg-type]
            return node
        if node is None or kind in (bool, int, float):
            return node
        if kind is not dict or len(node) != 1:  # type: ignore[arg-type]
            raise ProtocolError("unexpected node")
        ((tag, content),) = node.items()  # type: ignore[attr-defined]
        if tag == "list" and type(content) is list:
            return [self.build(item, depth + 1) for item in content]
        if tag == "tuple" and type(content) is list:
            return tuple(self.build(item, depth + 1) for item in content)
        if tag == "dict" and type(content) is list:
            out: dict[str, object] = {}
            for pair in content:
                if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not str:
                    raise ProtocolError("bad dict entry")
                budget.charge(len(pair[0]))
                out[pair[0]] = self.build(pair[1], depth + 1)
            return out
        if tag == "float" and content in ("nan", "inf", "-inf"):
            return float(content)
        if tag == "array" and type(content) is list and len(content) == 3:
            array = _array(content, self.body, _aligned(self.offset), budget)
            self.offset = content[2] + array.nbytes
            return array
        raise ProtocolError(f"unexpected tag {tag!r}")


def _no_constant(name: str) -> object:
    raise ValueError(f"constant {name} not allowed")


def _array(spec: list, body: memoryview, expected_start: int, budget: Budget) -> np.ndarray:
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
    if dtype.subdtype is not None or dtype.itemsize == 0:
        raise ProtocolError(f"dtype {dtype_str!r} not allowed")
    if len(shape) > MAX_NDIM or any(type(n) is not int or not 0 <= n <= MAX_DIM for n in shape):
        raise ProtocolError("bad shape")
    # Arrays tile the body: each starts where the previous one ended (aligned), so none shares
    # bytes with another.
    if start != expected_start:
        raise ProtocolError("array bytes overlap or leave a gap")
    count = math.prod(shape)
    nbytes = count * dtype.itemsize
    if start + nbytes > len(body):
        raise ProtocolError("array bytes out of range")
    budget.charge(nbytes)
    array = np.frombuffer(body[start : start + nbytes], dtype=dtype, count=count).reshape(
        tuple(shape)
    )
    native = dtype.newbyteorder("=")
    if array.flags.writeable and dtype == native:
        return array  # a view of the caller's own buffer
    return array.astype(native, copy=True)


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
            for item in obj.values():
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

# Bigger pipes: a performance input or result of a few MB crosses in a few reads, not hundreds.
PIPE_BYTES = 1 << 20


def write_frame(fd: int, payload: bytes) -> None:
    write_all(fd, _FRAME_LEN.pack(len(payload)))
    write_all(fd, payload)


def write_frame_parts(fd: int, parts: list[bytes | memoryview]) -> None:
    """One frame of `encode_parts`' parts, written as they are: a large value is never joined into
    a copy first."""
    views = [memoryview(part).cast("B") for part in parts if len(part)]
    views.insert(0, memoryview(_FRAME_LEN.pack(sum(len(view) for view in views))))
    writev_all(fd, views)


def writev_all(
    fd: int, views: list[memoryview], writev: Callable[[int, list], int] = os.writev
) -> None:
    """Write every view in order, however little each writev takes (the child passes the
    os.writev it kept, which the submission cannot swap)."""
    while views:
        written = writev(fd, views[:1024])
        while written:
            if written >= len(views[0]):
                written -= len(views.pop(0))
            else:
                views[0] = views[0][written:]
                written = 0


def write_all(fd: int, data: bytes | memoryview) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def read_exact(fd: int, size: int) -> bytearray:
    buffer = bytearray(size)
    view = memoryview(buffer)
    got = 0
    while got < size:
        n = os.readv(fd, [view[got:]])
        if n == 0:
            raise EOFError("pipe closed")
        got += n
    return buffer


def read_frame(fd: int, *, max_bytes: int) -> bytearray:
    (size,) = _FRAME_LEN.unpack(read_exact(fd, _FRAME_LEN.size))
    if size > max_bytes:
        raise ProtocolError(f"frame of {size} bytes exceeds {max_bytes}")
    return read_exact(fd, size)


def encode_json(obj: object) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


def decode_json(data: bytes | bytearray) -> object:
    try:
        return json.loads(data, parse_constant=_no_constant)
    except Exception as exc:
        raise ProtocolError(f"bad JSON: {type(exc).__name__}") from None
