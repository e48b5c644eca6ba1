"""The driver inside the sandboxed child: loads the submission, runs the calls the fork server asks
for, and sends back plain data. Everything here runs next to untrusted code, so nothing it sends is
believed by the trusted side beyond what the strict decoder accepts, and nothing it says about
time is asked for: the fork server times each call from outside, from the moment it sends the
command until the result has arrived.

Frames to the fork server: one type byte, an 8-byte big-endian length, the payload.
  B  booted: the sandbox is set up, the submission loads next (empty)
  L  load result: b"1", or b"0" (or b"M" for memory) + a message (exception at import, missing
     entry point)
  R  one repetition's result: a protocol blob {"status", "value_kind", "exception", "message",
     "value", "warnings"} (warnings: the Python warnings the call raised, as text)
  F  a forbidden API was called: its name
Commands from the fork server: call index and repetition index (big-endian u32 each) and the
length (u64) of the protocol blob that follows: {"args", "kwargs"} of that repetition only, so no
input is in the child before the call that needs it. Before its job, a child is told which
operator families to refuse (a JSON list, one frame), so the guard is in place before the job.

The driver keeps its own references to everything it uses (os functions, the pipes, the real
stdout and stderr, its own methods) before the submission loads: replacing a module attribute,
sys.stdout or a numpy function changes the student's results at most, which are checked.
"""

from __future__ import annotations

import contextlib
import io
import os
import struct
import sys
import traceback
import types
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from grader import protocol
from grader.messages import english
from grader.status import Outcome, TestStatus

SUBMISSION_FILE = "submission.py"
SUBMISSION_MODULE = "__submission__"
MESSAGE_CHARS = 2000
COMMAND = struct.Struct(">IIQ")
FRAME_HEAD = struct.Struct(">cQ")
EXIT_COMMAND = 0xFFFFFFFF
# Largest payloads the driver itself ever sends in these frames (the fork server's caps).
LOAD_BYTES = 1 + 4 * MESSAGE_CHARS + 16
FORBIDDEN_BYTES = 400
# A result's header beyond its counted values (keys, tags, numbers): the R frame's cap is
# result_bytes plus this.
RESULT_OVERHEAD = 1 << 20
# Python warnings kept per call (each distinct text once), and the length of each.
WARNINGS_KEPT = 10
WARNING_CHARS = 300

NUMPY_SCALARS = frozenset(
    {
        np.bool_,
        np.int8,
        np.int16,
        np.int32,
        np.int64,
        np.uint8,
        np.uint16,
        np.uint32,
        np.uint64,
        np.float16,
        np.float32,
        np.float64,
        np.complex64,
        np.complex128,
    }
)


class InvalidOutput(Exception):
    pass


class OutputTooLarge(Exception):
    pass


def send(fd: int, kind: bytes, payload: bytes = b"") -> None:
    protocol.write_all(fd, FRAME_HEAD.pack(kind, len(payload)) + payload)


def forbidden_reporter(
    *, res_fd: int, streams: tuple[io.TextIOWrapper, io.TextIOWrapper]
) -> Callable[[str], None]:
    """report(name): flush the real stdout and stderr, send F with the name, end the process. Built
    before the submission loads, on references of its own."""
    write, end, pack = os.write, os._exit, FRAME_HEAD.pack

    def report(name: str) -> None:
        for stream in streams:
            with contextlib.suppress(Exception):
                stream.flush()
        data = name.encode("utf-8", "replace")[:FORBIDDEN_BYTES]
        # One write of less than PIPE_BUF bytes: no frame another thread writes can interleave.
        with contextlib.suppress(OSError):
            write(res_fd, pack(b"F", len(data)) + data)
        end(0)

    return report


class TorchAdapter:
    """Conversions between plain arrays and torch tensors on a device. Keeps its own references to
    the torch functions it needs, taken before any guard is installed."""

    def __init__(self, *, device: str) -> None:
        import torch

        self.torch = torch
        self.device = device
        self.tensor_type = torch.Tensor
        self.from_numpy = torch.from_numpy
        base = torch._C.TensorBase
        self.detach = base.detach
        self.cpu = base.cpu
        self.to = base.to
        self.numpy = base.numpy
        self.contiguous = base.contiguous
        self.resolve_conj = base.resolve_conj
        self.resolve_neg = base.resolve_neg
        self.synchronize = torch.cuda.synchronize if device.startswith("cuda") else None

    def to_student(self, array: np.ndarray, *, copy: bool = True) -> object:
        tensor = self.from_numpy(np.array(array, copy=True) if copy else array)
        if self.device != "cpu":
            tensor = self.to(tensor, self.device)
        return tensor

    def sync(self) -> None:
        if self.synchronize is not None:
            self.synchronize()

    def to_plain(self, tensor: Any) -> np.ndarray:
        try:
            plain = self.resolve_neg(self.resolve_conj(self.cpu(self.detach(tensor))))
            # Encoded right away: a view of the tensor's memory is enough.
            return self.numpy(self.contiguous(plain))
        except Exception as exc:
            dtype = getattr(tensor, "dtype", "?")
            raise InvalidOutput(
                english("output.tensor", dtype=str(dtype), error=str(exc))
            ) from None


def cuda_device_nodes(*, dev_dir: str = "/dev") -> list[str]:
    """The NVIDIA device nodes a CUDA child needs inside its /dev."""
    names: list[str] = []
    try:
        entries = sorted(os.listdir(dev_dir))
    except OSError:
        return []
    for entry in entries:
        if entry.startswith("nvidia"):
            path = os.path.join(dev_dir, entry)
            if os.path.isdir(path):
                names.extend(os.path.join(path, sub) for sub in sorted(os.listdir(path)))
            else:
                names.append(path)
    dri = os.path.join(dev_dir, "dri")
    if os.path.isdir(dri):
        names.extend(os.path.join(dri, sub) for sub in sorted(os.listdir(dri)))
    return names


class Driver:
    """Runs in the child only. `report` ends the child with a forbidden_api report; `verify` says
    what is wrong with the operator guard (None while it is intact)."""

    def __init__(
        self,
        *,
        job: dict,
        cmd_fd: int,
        res_fd: int,
        streams: tuple[io.TextIOWrapper, io.TextIOWrapper],
        report: Callable[[str], None],
        verify: Callable[[], str | None],
    ) -> None:
        self.job = job
        self.cmd_fd = cmd_fd
        self.res_fd = res_fd
        self.streams = streams
        self.report = report
        self.verify = verify
        self.framework = job["framework"]
        self.result_bytes = int(job["result_bytes"])
        self.adapter = TorchAdapter(device=job["device"]) if self.framework == "torch" else None
        self.entry = None
        # Private references, taken before the submission can replace the originals.
        self._readv = os.readv
        self._writev = os.writev
        self._exit = os._exit
        self._decode = protocol.decode
        self._encode = protocol.encode_parts
        self._writev_all = protocol.writev_all
        self._value_kind = protocol.value_kind
        self._ndarray = np.ndarray
        self._catch_warnings = warnings.catch_warnings
        self._warnings_module = warnings
        self._warnings: list[str] = []

    # Runs in the child only; never returns. booted() is called once the driver is ready, just
    # before the submission is loaded.
    def main(self, booted: Callable[[], None]) -> None:
        # The forbidden names are guarded already: the zygote did it before forking this child.
        # Bound now: what the loop calls cannot be swapped by the submission.
        read, unpack, call, end = self._read, COMMAND.unpack, self.call, self._exit
        booted()
        self.load()
        while True:
            index, rep, size = unpack(read(COMMAND.size))
            if index == EXIT_COMMAND:
                end(0)
            call(read(size))

    def _read(self, size: int) -> bytearray:
        buffer = bytearray(size)
        view = memoryview(buffer)
        got = 0
        while got < size:
            n = self._readv(self.cmd_fd, [view[got:]])
            if n == 0:
                self._exit(0)  # the fork server is gone
            got += n
        return buffer

    def _send(self, kind: bytes, payload: bytes = b"") -> None:
        self._send_parts(kind, [payload])

    def _send_parts(self, kind: bytes, parts: list[bytes | memoryview]) -> None:
        """One frame from parts, written as they are (no joined copy of a large result)."""
        views = [memoryview(part).cast("B") for part in parts if len(part)]
        views.insert(0, memoryview(FRAME_HEAD.pack(kind, sum(len(v) for v in views))))
        self._writev_all(self.res_fd, views, self._writev)

    def _flush(self) -> None:
        for stream in self.streams:
            with contextlib.suppress(Exception):
                stream.flush()

    def load(self) -> None:
        module = types.ModuleType(SUBMISSION_MODULE)
        module.__file__ = SUBMISSION_FILE
        sys.modules[SUBMISSION_MODULE] = module
        try:
            code = compile(self.job["source"], SUBMISSION_FILE, "exec", dont_inherit=True)
            exec(code, module.__dict__)
        except SyntaxError as exc:
            self._load_failed(
                english("raised.line", exception="SyntaxError", text=str(exc.msg), line=exc.lineno)
                if exc.lineno is not None
                else english("raised.text", exception="SyntaxError", text=str(exc.msg))
            )
        except MemoryError:
            self._load_failed(english("load.memory"), kind=b"M")
        except SystemExit as exc:
            self._load_failed(english("load.exit", code=_short_repr(exc.code)))
        except BaseException as exc:
            self._load_failed(exception_message(exc))
        entry = module.__dict__.get(self.job["entry"])
        if entry is None:
            self._load_failed(english("load.no_entry", entry=self.job["entry"]))
        if not callable(entry):
            self._load_failed(english("load.not_function", entry=self.job["entry"]))
        self.entry = entry
        self._check_guard(english("phase.loading"))
        self._flush()
        self._send(b"L", b"1")

    def _load_failed(self, message: str, *, kind: bytes = b"0") -> None:
        self._flush()
        self._send(b"L", kind + message[:MESSAGE_CHARS].encode("utf-8", "replace"))
        self._exit(0)

    def _check_guard(self, where: str = "") -> None:
        """The operator guard must still be in place: switched off is forbidden_api."""
        problem = self.verify()
        if problem is not None:
            self.report(english("forbidden.guard", problem=problem, phase=where))

    def _to_student(self, value: object) -> object:
        kind = type(value)
        if kind is self._ndarray:
            # Decoded for this repetition alone: already the student's own copy.
            if self.adapter is not None:
                return self.adapter.to_student(value, copy=False)  # type: ignore[arg-type]
            return value
        if kind is list:
            return [self._to_student(item) for item in value]  # type: ignore[attr-defined]
        if kind is tuple:
            return tuple(self._to_student(item) for item in value)  # type: ignore[attr-defined]
        if kind is dict:
            return {key: self._to_student(item) for key, item in value.items()}  # type: ignore[attr-defined]
        return value

    def call(self, blob: bytes | bytearray) -> None:
        """One repetition: decode its inputs (sent with the command), call, send R."""
        spec = self._decode(blob)
        args = self._to_student(tuple(spec["args"]))  # type: ignore[index]
        kwargs = self._to_student(dict(spec["kwargs"]))  # type: ignore[index]
        del spec, blob
        self._check_guard()
        self._warnings = []
        try:
            with self._catch_warnings(module=self._warnings_module):
                # Each call starts with no warning shown yet (entering resets "once per place"),
                # so every test lists its own.
                self._warnings_module.showwarning = self._warning_hook(
                    self._warnings_module.showwarning
                )
                value = self.entry(*args, **kwargs)  # type: ignore[misc]
                if self.adapter is not None:
                    self.adapter.sync()
        except MemoryError:
            self._result({"status": TestStatus.MEMORY_LIMIT_EXCEEDED, "message": "MemoryError"})
            return
        except SystemExit as exc:
            message = english("call.exit", code=_short_repr(exc.code))
            self._result({"status": TestStatus.RUNTIME_ERROR, "message": message})
            return
        except BaseException as exc:
            self._result(
                {
                    "status": Outcome.RAISED,
                    "exception": exception_chain(exc),
                    "message": exception_message(exc),
                }
            )
            return
        del args, kwargs
        self._check_guard()
        kind = self._value_kind(value)
        try:
            plain = self.to_plain(value, [0], 0)
        except InvalidOutput as exc:
            self._result(
                {"status": TestStatus.INVALID_OUTPUT, "message": str(exc), "value_kind": kind}
            )
            return
        except OutputTooLarge as exc:
            self._result({"status": TestStatus.OUTPUT_LIMIT_EXCEEDED, "message": str(exc)})
            return
        except MemoryError:
            self._result({"status": TestStatus.MEMORY_LIMIT_EXCEEDED, "message": "MemoryError"})
            return
        self._result({"status": Outcome.OK, "value_kind": kind, "value": plain})

    def _warning_hook(self, previous: object) -> Callable[..., None]:
        """showwarning for one call: keeps the warning's text (each distinct one once, capped),
        then shows it as before (on stderr, unless the submission replaced showwarning)."""
        kept = self._warnings

        def showwarning(
            message: object,
            category: object,
            filename: object,
            lineno: object,
            file: object = None,
            line: object = None,
        ) -> None:
            # Runs inside the student's call: whatever its message does is part of that call.
            if len(kept) < WARNINGS_KEPT:
                name = getattr(category, "__name__", "Warning")
                text = f"{name if type(name) is str else 'Warning'}: {message}"[:WARNING_CHARS]
                if filename == SUBMISSION_FILE and type(lineno) is int:
                    text += f" (line {lineno})"
                if text not in kept:
                    kept.append(text)
            if callable(previous):
                previous(message, category, filename, lineno, file, line)

        return showwarning

    def _result(self, fields: dict) -> None:
        self._flush()
        fields["status"] = str(fields["status"])
        fields.setdefault("value_kind", "")
        fields.setdefault("exception", "")
        fields.setdefault("message", "")
        fields.setdefault("value", None)
        fields["message"] = fields["message"][:MESSAGE_CHARS]
        fields["exception"] = fields["exception"][:MESSAGE_CHARS]
        fields["warnings"] = [text for text in self._warnings if type(text) is str]
        self._warnings = []
        try:
            blob = self._encode(fields, max_bytes=self.result_bytes)
        except protocol.ProtocolError:
            blob = self._encode(
                {
                    "status": str(TestStatus.OUTPUT_LIMIT_EXCEEDED),
                    "message": english("sandbox.result_large", size=self.result_bytes >> 20),
                    "value_kind": fields["value_kind"],
                    "exception": "",
                    "value": None,
                    "warnings": fields["warnings"],
                }
            )
        except protocol.UnsupportedValue as exc:
            blob = self._encode(
                {
                    "status": str(TestStatus.INVALID_OUTPUT),
                    "message": english("output.unsupported", what=str(exc)[:MESSAGE_CHARS]),
                    "value_kind": fields["value_kind"],
                    "exception": "",
                    "value": None,
                    "warnings": fields["warnings"],
                }
            )
        self._send_parts(b"R", blob)

    def to_plain(self, value: object, size: list[int], depth: int) -> object:
        """The returned value as plain data; anything that is not exactly a plain type (an object
        with its own __eq__, an ndarray or tensor subclass) is invalid output, named. Strings,
        keys and values count toward the result size as the decoder counts them."""
        if depth > protocol.MAX_DEPTH:
            raise InvalidOutput(english("output.too_deep", depth=protocol.MAX_DEPTH))
        self._grow(size, protocol.NODE_BYTES)
        kind = type(value)
        if kind is str:
            self._grow(size, len(value))  # type: ignore[arg-type]
            return value
        if value is None or kind in (bool, int, float):
            return value
        if kind is np.ndarray:
            return self._count(value, size)  # type: ignore[arg-type]
        if kind in NUMPY_SCALARS:
            return self._count(np.asarray(value), size)
        if self.adapter is not None and kind is self.adapter.tensor_type:
            return self._count(self.adapter.to_plain(value), size)
        if kind is list or kind is tuple:
            items = [self.to_plain(item, size, depth + 1) for item in value]  # type: ignore[attr-defined]
            return items if kind is list else tuple(items)
        if kind is dict:
            out = {}
            for key, item in value.items():  # type: ignore[attr-defined]
                if type(key) is not str:
                    raise InvalidOutput(english("output.dict_key", type=protocol.type_name(key)))
                self._grow(size, len(key))
                out[key] = self.to_plain(item, size, depth + 1)
            return out
        raise InvalidOutput(english("output.type", type=protocol.type_name(value)))

    def _grow(self, size: list[int], amount: int) -> None:
        size[0] += amount
        if size[0] > self.result_bytes:
            raise OutputTooLarge(english("sandbox.result_large", size=self.result_bytes >> 20))

    def _count(self, array: np.ndarray, size: list[int]) -> np.ndarray:
        if array.dtype.kind not in protocol.ARRAY_KINDS:
            raise InvalidOutput(english("output.dtype", dtype=str(array.dtype)))
        self._grow(size, array.nbytes)
        return array


def _short_repr(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 200 else text[:200] + "…"


def exception_chain(exc: BaseException) -> str:
    return ",".join(cls.__name__ for cls in type(exc).__mro__ if cls is not object)


def exception_message(exc: BaseException) -> str:
    try:
        text = str(exc)
    except Exception:
        text = ""
    name = type(exc).__name__
    line = None
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        if frame.f_code.co_filename == SUBMISSION_FILE:
            line = lineno
    room = MESSAGE_CHARS - len(name) - 2
    if len(text) > room:
        text = text[: max(room, 0)] + "…"
    if line is not None:
        if text:
            return english("raised.line", exception=name, text=text, line=line)
        return english("raised.bare_line", exception=name, line=line)
    return english("raised.text", exception=name, text=text) if text else name


def setup_stdio() -> tuple[io.TextIOWrapper, io.TextIOWrapper]:
    """Python's stdout and stderr on fds 1 and 2; returns them (the driver flushes these, whatever
    sys.stdout is later)."""
    # Line-buffered so a flood reaches the fork server (and its cap) as it happens.
    out = io.TextIOWrapper(
        io.FileIO(1, "w", closefd=False), line_buffering=True, errors="backslashreplace"
    )
    err = io.TextIOWrapper(
        io.FileIO(2, "w", closefd=False), write_through=True, errors="backslashreplace"
    )
    sys.stdout, sys.stderr = out, err
    sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False))
    # Also the "original" streams, so code that restores them still writes where it may.
    setattr(sys, "__stdout__", out)  # noqa: B010 (a Final name for type checkers)
    setattr(sys, "__stderr__", err)  # noqa: B010
    return out, err
