"""The wire format: plain values only, decoded strictly."""

from __future__ import annotations

import gc
import json
import struct
import weakref

import numpy as np
import pytest

from grader import protocol


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        0,
        -(2**70),
        1.5,
        float("inf"),
        "héllo",
        (1, 2),
        [1, [2, (3,)]],
        {"loss": 1.25, "dw": np.arange(6, dtype=np.float32).reshape(2, 3)},
        np.array(3.5, dtype=np.float32),
        np.array([True, False]),
        np.arange(5, dtype=np.int64),
        np.zeros((0, 3), dtype=np.float64),
        np.arange(12, dtype=np.float32).reshape(3, 4)[:, ::2],
    ],
)
def test_round_trip_keeps_types_dtypes_and_shapes(value):
    """Every plain value comes back equal, with the same Python types, dtypes and shapes."""
    back = protocol.decode(protocol.encode(value))
    _assert_same(back, value)


def _assert_same(got, expected):
    assert type(got) is type(expected)
    if isinstance(expected, np.ndarray):
        assert got.dtype == expected.dtype and got.shape == expected.shape
        assert got.flags.writeable
        np.testing.assert_array_equal(got, expected)
    elif isinstance(expected, list | tuple):
        assert len(got) == len(expected)
        for g, e in zip(got, expected):
            _assert_same(g, e)
    elif isinstance(expected, dict):
        assert list(got) == list(expected)
        for key in expected:
            _assert_same(got[key], expected[key])
    elif isinstance(expected, float) and expected != expected:
        assert got != got
    else:
        assert got == expected


def test_nan_survives():
    """NaN floats are encoded exactly (JSON has no NaN)."""
    assert protocol.decode(protocol.encode(float("nan"))) != protocol.decode(
        protocol.encode(float("nan"))
    )


@pytest.mark.parametrize(
    "value, named",
    [
        (object(), "object"),
        (np.array(["a"]), "dtype"),
        (np.array([1, "x"], dtype=object), "dtype"),
        ({1: 2}, "key"),
        (np.float32(1.0), "numpy.float32"),
        (np.ma.masked_array([1.0]), "MaskedArray"),
        (set(), "set"),
    ],
)
def test_encode_refuses_anything_not_plain(value, named):
    """Objects, object/str arrays, non-str keys, subclasses and scalars of numpy types are refused,
    with a message naming what."""
    with pytest.raises(protocol.UnsupportedValue, match=named):
        protocol.encode(value)


def _blob(header: object, body: bytes = b"") -> bytes:
    raw = json.dumps(header).encode()
    return struct.pack(">I", len(raw)) + raw + body


@pytest.mark.parametrize(
    "blob",
    [
        _blob({"array": ["|O", [1], 0]}, b"\0" * 8),
        _blob({"array": ["<f4", [4], 0]}, b"\0" * 8),
        _blob({"array": ["<f4", [-1], 0]}),
        _blob({"array": ["<f4", [1], -4]}, b"\0" * 8),
        _blob({"pickle": "gASVAAAAAAAAAAA="}),
        _blob({"set": [1]}),
        _blob({"dict": [[1, 2]]}),
        _blob(["not", "tagged"]),
        b"\x00\x00\x00\x10{}",
        b"\x00",
        _blob({"array": ["V8", [1], 0]}, b"\0" * 8),
    ],
)
def test_decode_rejects_malformed_or_unsafe_blobs(blob):
    """Object dtypes, out-of-range arrays, pickles, unknown tags and truncated data are errors."""
    with pytest.raises(protocol.ProtocolError):
        protocol.decode(blob)


def test_decode_bounds_depth_and_size():
    """Deep nesting and oversized blobs are refused before anything is built."""
    deep: object = 1
    for _ in range(protocol.MAX_DEPTH + 5):
        deep = {"list": [deep]}
    with pytest.raises(protocol.ProtocolError):
        protocol.decode(_blob(deep))
    big = protocol.encode(np.zeros(1000, dtype=np.float64))
    with pytest.raises(protocol.ProtocolError):
        protocol.decode(big, max_bytes=1000)
    with pytest.raises(protocol.ProtocolError):
        protocol.encode(np.zeros(1000, dtype=np.float64), max_bytes=1000)


def test_a_decoded_value_holds_its_buffer_exactly_while_it_lives():
    """Arrays decoded from a buffer are views of it, and nothing else keeps it: once the value
    is dropped the buffer goes at once, with no garbage collection (the sandbox reuses a result
    buffer only when none of its values is alive)."""
    backing = np.frombuffer(bytearray(protocol.encode({"a": [np.ones(10, np.float32)]})), np.uint8)
    buffer = weakref.ref(backing)
    collecting = gc.isenabled()
    gc.disable()
    try:
        value = protocol.decode(backing.data)
        del backing
        assert buffer() is not None
        assert value["a"][0].sum() == 10  # type: ignore[index]
        del value
        assert buffer() is None
    finally:
        if collecting:
            gc.enable()


def test_value_kind_tells_tensors_from_ndarrays():
    """An ndarray anywhere makes the kind 'ndarray'; plain numbers are 'python'."""
    assert protocol.value_kind((1, 2)) == "python"
    assert protocol.value_kind({"a": np.zeros(2)}) == "ndarray"
    assert protocol.value_kind(np.float32(1)) == "ndarray"
    torch = pytest.importorskip("torch")
    assert protocol.value_kind((torch.zeros(1), 2.0)) == "tensor"
    assert protocol.value_kind((torch.zeros(1), np.zeros(1))) == "ndarray"


def test_frames_round_trip_over_a_pipe():
    """Frames carry their length; an oversized frame is refused."""
    import os

    read_fd, write_fd = os.pipe()
    try:
        protocol.write_frame(write_fd, b"abc")
        assert protocol.read_frame(read_fd, max_bytes=10) == b"abc"
        protocol.write_frame(write_fd, b"x" * 20)
        with pytest.raises(protocol.ProtocolError):
            protocol.read_frame(read_fd, max_bytes=10)
    finally:
        os.close(read_fd)
        os.close(write_fd)


def test_a_frame_of_parts_is_the_encoded_value_and_larger_than_a_pipe():
    """write_frame_parts writes the parts of encode_parts as they are (no joined copy): the frame
    read back is exactly encode's bytes, also for arrays larger than the pipe holds at once."""
    import os
    import threading

    value = {"args": (np.arange(700_000, dtype=np.float32).reshape(7, -1), 3), "kwargs": {}}
    read_fd, write_fd = os.pipe()
    try:
        writer = threading.Thread(
            target=protocol.write_frame_parts, args=(write_fd, protocol.encode_parts(value))
        )
        writer.start()
        frame = protocol.read_frame(read_fd, max_bytes=1 << 24)
        writer.join()
    finally:
        os.close(read_fd)
        os.close(write_fd)
    assert bytes(frame) == protocol.encode(value)
    decoded = protocol.decode(frame)
    np.testing.assert_array_equal(decoded["args"][0], value["args"][0])
