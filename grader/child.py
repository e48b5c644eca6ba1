"""The driver inside the sandboxed child: loads the submission, runs the calls the fork server asks
for, and sends back plain data. Everything here runs next to untrusted code, so nothing it sends is
believed by the trusted side beyond what the strict decoder accepts.

Frames to the fork server: one type byte, an 8-byte big-endian length, the payload.
  L  load result: b"1", or b"0" + a message (exception at import, missing entry point)
  S  a repetition starts (sent just before the entry point is called)
  D  a repetition is done (sent right after it returned, after CUDA synchronisation)
  R  the call's result: a protocol blob {"status", "value_kind", "exception", "message", "value"}
  F  a forbidden API was called: its name
Commands from the fork server: 8 bytes, call index and repetition index (big-endian u32 each).
"""

from __future__ import annotations

import contextlib
import io
import os
import struct
import sys
import traceback
import types

import numpy as np

from grader import forbidden as forbidden_mod
from grader import protocol

SUBMISSION_FILE = "submission.py"
SUBMISSION_MODULE = "__submission__"
MESSAGE_CHARS = 2000
COMMAND = struct.Struct(">II")
FRAME_HEAD = struct.Struct(">cQ")
EXIT_COMMAND = 0xFFFFFFFF

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

    def to_student(self, array: np.ndarray) -> object:
        tensor = self.from_numpy(np.array(array, copy=True))
        if self.device != "cpu":
            tensor = self.to(tensor, self.device)
        return tensor

    def sync(self) -> None:
        if self.synchronize is not None:
            self.synchronize()

    def to_plain(self, tensor: object) -> np.ndarray:
        try:
            plain = self.resolve_neg(self.resolve_conj(self.cpu(self.detach(tensor))))
            return np.array(self.numpy(self.contiguous(plain)), copy=True)
        except Exception as exc:
            dtype = getattr(tensor, "dtype", "?")
            raise InvalidOutput(
                f"returned a tensor ({dtype}) that is not plain data: {exc}"
            ) from None


def cuda_device_nodes(*, dev_dir: str = "/dev") -> list[str]:
    """The NVIDIA device nodes a CUDA child needs inside its /dev."""
    names = []
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
    def __init__(self, *, job: dict, cmd_fd: int, res_fd: int) -> None:
        self.job = job
        self.cmd_fd = cmd_fd
        self.res_fd = res_fd
        self.framework = job["framework"]
        self.result_bytes = int(job["result_bytes"])
        self.adapter = TorchAdapter(device=job["device"]) if self.framework == "torch" else None
        self.entry = None

    # Runs in the child only; never returns. booted() is called once the driver is ready, just
    # before the submission is loaded.
    def main(self, booted) -> None:
        _setup_stdio()
        res_fd = self.res_fd

        def report_forbidden(name: str) -> None:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            except Exception:
                pass
            send(res_fd, b"F", name.encode()[:300])
            os._exit(0)

        forbidden_mod.install_guards(
            forbidden=tuple(self.job["forbidden"]), report=report_forbidden
        )
        booted()
        self.load()
        while True:
            command = protocol.read_exact(self.cmd_fd, COMMAND.size)
            index, rep = COMMAND.unpack(command)
            if index == EXIT_COMMAND:
                os._exit(0)
            self.call(index, rep)

    def load(self) -> None:
        module = types.ModuleType(SUBMISSION_MODULE)
        module.__file__ = SUBMISSION_FILE
        sys.modules[SUBMISSION_MODULE] = module
        try:
            code = compile(self.job["source"], SUBMISSION_FILE, "exec", dont_inherit=True)
            exec(code, module.__dict__)
        except SyntaxError as exc:
            self._load_failed(f"SyntaxError: {exc.msg} (line {exc.lineno})")
        except MemoryError:
            self._load_failed("MemoryError while loading", kind=b"M")
        except SystemExit as exc:
            self._load_failed(f"the code called sys.exit({exc.code!r}) while loading")
        except BaseException as exc:
            self._load_failed(exception_message(exc))
        entry = module.__dict__.get(self.job["entry"])
        if entry is None:
            self._load_failed(f"the code does not define {self.job['entry']}()")
        if not callable(entry):
            self._load_failed(f"{self.job['entry']} is not a function")
        self.entry = entry
        _flush()
        send(self.res_fd, b"L", b"1")

    def _load_failed(self, message: str, *, kind: bytes = b"0") -> None:
        _flush()
        send(self.res_fd, b"L", kind + message.encode("utf-8", "replace")[:MESSAGE_CHARS])
        os._exit(0)

    def _arguments(self, spec: dict) -> tuple[tuple, dict]:
        convert = self._to_student
        args = tuple(convert(value) for value in spec["args"])
        kwargs = {key: convert(value) for key, value in spec["kwargs"].items()}
        return args, kwargs

    def _to_student(self, value: object) -> object:
        if type(value) is np.ndarray:
            if self.adapter is not None:
                return self.adapter.to_student(value)
            return np.array(value, copy=True)
        if type(value) is list:
            return [self._to_student(item) for item in value]
        if type(value) is tuple:
            return tuple(self._to_student(item) for item in value)
        if type(value) is dict:
            return {key: self._to_student(item) for key, item in value.items()}
        return value

    def call(self, index: int, rep: int) -> None:
        spec = self.job["calls"][index]
        last = rep + 1 >= int(spec["repeat"])
        args, kwargs = self._arguments(spec)
        send(self.res_fd, b"S")
        try:
            value = self.entry(*args, **kwargs)  # type: ignore[misc]
            if self.adapter is not None:
                self.adapter.sync()
        except MemoryError:
            self._result({"status": "memory_limit_exceeded", "message": "MemoryError"})
            return
        except SystemExit as exc:
            self._result(
                {"status": "runtime_error", "message": f"the code called sys.exit({exc.code!r})"}
            )
            return
        except BaseException as exc:
            self._result(
                {
                    "status": "raised",
                    "exception": exception_chain(exc),
                    "message": exception_message(exc),
                }
            )
            return
        _flush()
        send(self.res_fd, b"D")
        if not last:
            return
        del args, kwargs
        kind = protocol.value_kind(value)
        try:
            plain = self.to_plain(value, [0], 0)
        except InvalidOutput as exc:
            self._result({"status": "invalid_output", "message": str(exc), "value_kind": kind})
            return
        except OutputTooLarge as exc:
            self._result({"status": "output_limit_exceeded", "message": str(exc)})
            return
        except MemoryError:
            self._result({"status": "memory_limit_exceeded", "message": "MemoryError"})
            return
        self._result({"status": "ok", "value_kind": kind, "value": plain})

    def _result(self, fields: dict) -> None:
        _flush()
        fields.setdefault("value_kind", "")
        fields.setdefault("exception", "")
        fields.setdefault("message", "")
        fields.setdefault("value", None)
        try:
            blob = protocol.encode(fields, max_bytes=self.result_bytes)
        except protocol.ProtocolError:
            blob = protocol.encode(
                {
                    "status": "output_limit_exceeded",
                    "message": f"the return value is larger than {self.result_bytes >> 20} MB",
                    "value_kind": fields["value_kind"],
                    "exception": "",
                    "value": None,
                }
            )
        except protocol.UnsupportedValue as exc:
            blob = protocol.encode(
                {
                    "status": "invalid_output",
                    "message": f"returned {exc}",
                    "value_kind": fields["value_kind"],
                    "exception": "",
                    "value": None,
                }
            )
        send(self.res_fd, b"R", blob)

    def to_plain(self, value: object, size: list[int], depth: int) -> object:
        """The returned value as plain data; anything that is not exactly a plain type (an object
        with its own __eq__, an ndarray or tensor subclass) is invalid output, named."""
        if depth > protocol.MAX_DEPTH:
            raise InvalidOutput(f"returned a value nested deeper than {protocol.MAX_DEPTH}")
        kind = type(value)
        if value is None or kind in (bool, int, float, str):
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
                    raise InvalidOutput(
                        f"returned a dict with a key of type {protocol.type_name(key)}"
                    )
                out[key] = self.to_plain(item, size, depth + 1)
            return out
        raise InvalidOutput(f"returned a value of type {protocol.type_name(value)}")

    def _count(self, array: np.ndarray, size: list[int]) -> np.ndarray:
        if array.dtype.kind not in protocol.ARRAY_KINDS:
            raise InvalidOutput(f"returned an array of dtype {array.dtype}")
        size[0] += array.nbytes
        if size[0] > self.result_bytes:
            raise OutputTooLarge(f"the return value is larger than {self.result_bytes >> 20} MB")
        return array


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
    message = f"{name}: {text}" if text else name
    if len(message) > MESSAGE_CHARS:
        message = message[:MESSAGE_CHARS] + "…"
    return f"{message} (line {line})" if line is not None else message


def _setup_stdio() -> None:
    # Line-buffered so a flood reaches the fork server (and its cap) as it happens.
    sys.stdout = io.TextIOWrapper(
        io.FileIO(1, "w", closefd=False), line_buffering=True, errors="backslashreplace"
    )
    sys.stderr = io.TextIOWrapper(
        io.FileIO(2, "w", closefd=False), write_through=True, errors="backslashreplace"
    )
    sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False))
    sys.__stdout__, sys.__stderr__ = sys.stdout, sys.stderr


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
