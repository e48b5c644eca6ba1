"""The trusted side of the sandbox: runs a Job (student source + calls with plain inputs) in an
isolated child and returns a typed JobResult. No Django, no exercises: plain data in, plain data out.

A Sandbox keeps one warm fork server (grader.forkserver) per worker process. The fork server is
started with a scrubbed environment, cwd /, numpy and torch imported, and forks one isolated child
per job (fresh namespaces, read-only runtime, tmpfs work dir, unprivileged uid, cgroup limits).
Everything a child returns is decoded here, strictly (grader.protocol): nothing but plain values
can come back. The fork server reads large results into an arena it shares with the worker alone
(a memfd mapped by no zygote or child), and they are decoded in place there; what does not fit,
or finds the last job's values still held, comes through the reply pipe. If the fork server
dies, it is restarted and the job retried once.

How outcomes are decided:
- Loading the module counts against the first call's time_per_call_s (and the total). A syntax
  error, an exception or sys.exit at import, or a missing entry point is compile_error; a time,
  memory or output limit hit while loading is that status on the first call, a crash while
  loading is runtime_error on it, and the remaining calls are not_run.
- A call that times out, crashes or floods output ends its process; the next call runs in a fresh
  child (loading again) as long as time_total_s lasts; calls after that are not_run.
- A forbidden API found statically marks every call forbidden_api without running anything; one
  reached at run time ends that call (or loading) with forbidden_api, naming it. Operator
  families (Job.forbidden_ops, grader.forbidden.OP_FAMILIES) are refused at the operator level
  in the child, however they are reached.
- A call has one set of inputs per repetition (Call.runs); each is sent to the child only when
  that repetition runs, and each repetition's value comes back (CallOutcome.values).
- time_ms is measured by the fork server, never reported by the child: for each repetition from
  the moment its command (with its inputs) is sent until its result has fully arrived, so
  everything the child does for the call is inside; times_ms has each repetition's, time_ms
  their sum.
- What a child sends is decoded strictly, with a budget for the whole job; a malformed result is
  invalid_output, an oversized one output_limit_exceeded, never a fault of the sandbox.
- Children run torch with one intra-op thread (see grader.forkserver._warm_up): reference timings
  that are compared with time_ms should be taken the same way.
- Python warnings raised during a call (numpy's "overflow encountered in exp" too) come back with
  its result, per call (CallOutcome.warnings), as well as on stderr; at most WARNINGS_KEPT, each
  cut to WARNING_CHARS, whatever the child claims.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import fcntl
import logging
import mmap
import os
import select
import subprocess
import sys
import threading
import time
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from grader import protocol
from grader.child import RESULT_OVERHEAD
from grader.forbidden import OP_FAMILIES, family_names, forbidden_static
from grader.messages import english
from grader.status import OUTCOMES, Outcome, TestStatus

log = logging.getLogger(__name__)

FRAMEWORKS = ("torch", "numpy", "python")
STATUSES = OUTCOMES
# What a child may report about itself; anything else it claims is invalid output.
CHILD_STATUSES = frozenset(
    {
        Outcome.OK,
        Outcome.RAISED,
        TestStatus.INVALID_OUTPUT,
        TestStatus.OUTPUT_LIMIT_EXCEEDED,
        TestStatus.MEMORY_LIMIT_EXCEEDED,
        TestStatus.RUNTIME_ERROR,
    }
)
VALUE_KINDS = ("tensor", "ndarray", "python")
MESSAGE_CHARS = 4000
# Python warnings of one call, as the child reports them (its own caps are the same): at most
# this many, each cut to this length.
WARNINGS_KEPT = 10
WARNING_CHARS = 300
# The result arena shared with the fork server: a job's results are read into it from the child
# and decoded here in place, rather than crossing one more pipe (25 MB for layer-norm took 13 ms
# that way) or being copied out. A job may use it only when no value of the last one that it
# holds is still alive; otherwise, and beyond its size, results come through the pipe.
RESULT_ARENA_BYTES = 256 << 20
# Inputs the fork server keeps between jobs (each worker's own, at most this much), so a case
# graded again is not sent again: writing softmax's 6 MB was the longest step before its
# first call. Only inputs whose arrays are read-only and own their bytes are kept (the grader's
# frozen cases): their contents cannot change while the worker holds them.
INPUT_CACHE_BYTES = 128 << 20
START_TIMEOUT_S = 60.0
REPLY_MARGIN_S = 30.0
PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
UNSAFE_ENV = "DLQUIZ_UNSAFE_NO_SANDBOX"


@dataclass(frozen=True)
class Limits:
    time_per_call_s: float = 2.0
    time_total_s: float = 20.0
    memory_mb: int = 1024
    max_pids: int = 64
    output_bytes: int = 64 * 1024
    file_size_mb: int = 16
    open_files: int = 64
    result_mb: int = 64  # one returned value
    result_total_mb: int = 128  # every value of the job together, as the worker holds them


@dataclass(frozen=True)
class Call:
    """One test's call: (args, kwargs), or one pair per repetition in `repetitions` (a
    performance test runs each repetition on inputs of its own)."""

    name: str
    args: tuple
    kwargs: dict
    repetitions: tuple[tuple[tuple, dict], ...] = ()

    @property
    def runs(self) -> tuple[tuple[tuple, dict], ...]:
        return self.repetitions or ((tuple(self.args), dict(self.kwargs)),)

    @property
    def repeat(self) -> int:
        return len(self.runs)


@dataclass(frozen=True)
class Job:
    source: str
    entry_point: str
    framework: str
    calls: tuple[Call, ...]
    limits: Limits = Limits()
    forbidden: tuple[str, ...] = ()
    device: str = "cpu"
    # Operator families refused at run time (grader.forbidden.OP_FAMILIES).
    forbidden_ops: tuple[str, ...] = ()


@dataclass
class CallOutcome:
    """What one call did. value and value_kind are the first repetition's; values and value_kinds
    hold every repetition's (when status is ok). time_ms is the total of times_ms, the fork
    server's measurement of each repetition. warnings: the Python warnings its repetitions
    raised, each once, in order (text the student's code controls)."""

    name: str
    status: str
    value: object | None = None
    value_kind: str = ""
    exception: str = ""
    time_ms: float | None = None
    message: str = ""
    values: tuple[object, ...] = ()
    value_kinds: tuple[str, ...] = ()
    times_ms: tuple[float, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass
class JobResult:
    compile_error: str | None
    forbidden_api: str | None
    outcomes: list[CallOutcome]
    stdout: str = ""
    stderr: str = ""
    wall_ms: float | None = field(default=None)


# A child's result blob as the worker holds it: read from the pipe, or a view of the arena.
Buffer = bytearray | memoryview


class SandboxError(RuntimeError):
    """The sandbox itself failed (twice for the same job). Never caused by student code."""


class Sandbox:
    """One per grading worker process. Starts (lazily) a warm fork-server subprocess with numpy and
    torch imported and a scrubbed environment; forks one isolated child per job."""

    def __init__(self, *, unsafe: bool = False) -> None:
        self.unsafe = unsafe
        self._lock = threading.Lock()
        self._process: subprocess.Popen | None = None
        self._job_fd = -1
        self._reply_fd = -1
        self._arena_fd = -1
        self._arena: mmap.mmap | None = None
        # The blobs of the last job that used the arena; while any is alive (a value decoded from
        # it is held), the next job's results must not be written over them.
        self._arena_blobs: list[weakref.ref[np.ndarray]] = []
        self._kept = _KeptInputs(limit=INPUT_CACHE_BYTES)
        self.info: dict = {}

    # Public API ----------------------------------------------------------------------------------

    def run(self, job: Job) -> JobResult:
        """Run the job; never raises for anything the student does (SandboxError when the sandbox
        machinery fails twice in a row, ValueError for a malformed job)."""
        _validate(job)
        try:
            tree = ast.parse(job.source, filename="submission.py")
        except SyntaxError as exc:
            return _all(job, compile_error=syntax_error_message(exc))
        except (ValueError, RecursionError, MemoryError) as exc:
            return _all(job, compile_error=english("load.unparsable", error=type(exc).__name__))
        found = forbidden_static(
            tree=tree, forbidden=job.forbidden, families=tuple(job.forbidden_ops)
        )
        if found:
            return _all(job, forbidden=found)
        limits = dataclasses.asdict(job.limits)
        names = list(job.forbidden) + list(family_names(job.forbidden_ops))
        control = {
            "limits": limits,
            "calls": [{"runs": call.repeat} for call in job.calls],
            "forbidden_ops": list(job.forbidden_ops),
            "forbidden": names,
        }
        payload = protocol.encode(
            {
                "source": job.source,
                "entry": job.entry_point,
                "framework": job.framework,
                "device": job.device,
                "forbidden": names,
                "forbidden_ops": list(job.forbidden_ops),
                "result_bytes": job.limits.result_mb * 1024 * 1024,
                "limits": limits,
            }
        )
        # Each repetition's inputs travel on their own, sent to the child only when it runs; as
        # parts that view the arrays, so 6 MB of inputs are not copied once more to be joined.
        inputs: list[list[bytes | memoryview]] = []
        keys: list[_InputKey | None] = []
        for call in job.calls:
            for args, kwargs in call.runs:
                parts = protocol.encode_parts({"args": tuple(args), "kwargs": dict(kwargs)})
                inputs.append(parts)
                keys.append(_input_key((args, kwargs), parts[1]))
        with self._lock:
            for attempt in (1, 2):
                try:
                    reply, blobs = self._exchange(control, payload, inputs, keys, job)
                except (OSError, EOFError, protocol.ProtocolError, TimeoutError) as exc:
                    log.warning("fork server restarted (attempt %s): %r", attempt, exc)
                    self._stop()
                    if attempt == 2:
                        raise SandboxError(f"the sandbox failed twice: {exc}") from exc
                    continue
                if "infrastructure_error" in reply:
                    log.warning("fork server restarted (attempt %s): %.300s", attempt, reply)
                    self._stop()
                    if attempt == 2:
                        raise SandboxError(str(reply["infrastructure_error"]))
                    continue
                return _result(job, reply, blobs)
        raise SandboxError("unreachable")

    def start(self) -> None:
        """Start the fork server now rather than on the first job (a worker does this at start-up,
        so no student waits for `import torch`)."""
        with self._lock:
            self._ensure_started()

    def close(self) -> None:
        with self._lock:
            self._stop()
            if self._arena is not None:
                # A result still held keeps the mapping until it goes; the memfd is closed now.
                with contextlib.suppress(BufferError):
                    self._arena.close()
                self._arena = None
            if self._arena_fd >= 0:
                os.close(self._arena_fd)
                self._arena_fd = -1

    @property
    def pid(self) -> int | None:
        """The fork server's pid (for tests and diagnostics)."""
        return self._process.pid if self._process else None

    # Fork server ---------------------------------------------------------------------------------

    def _start(self) -> None:
        job_r, job_w = os.pipe()
        reply_r, reply_w = os.pipe()
        for fd in (job_w, reply_w):
            with contextlib.suppress(OSError):
                fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, protocol.PIPE_BYTES)
        boot = (
            f"import sys; sys.path.insert(0, {PROJECT_ROOT!r}); "
            "from grader.forkserver import main; main()"
        )
        arena_fd = self._arena_open()
        arguments = [str(job_r), str(reply_w), "0" if self.unsafe else "1", str(arena_fd)]
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-c", boot, *arguments],
                pass_fds=(job_r, reply_w) + ((arena_fd,) if arena_fd >= 0 else ()),
                env=scrubbed_environment(),
                cwd="/",
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                start_new_session=True,
                close_fds=True,
            )
        finally:
            os.close(job_r)
            os.close(reply_w)
        self._job_fd, self._reply_fd = job_w, reply_r
        self._kept = _KeptInputs(limit=INPUT_CACHE_BYTES)  # a new fork server keeps nothing yet
        hello = self._read_frame(time.monotonic() + START_TIMEOUT_S, max_bytes=1 << 16)
        self.info = protocol.decode_json(hello)  # type: ignore[assignment]

    def _arena_open(self) -> int:
        """The arena's memfd (made once, kept across fork server restarts), or -1 without one."""
        if self._arena_fd < 0:
            try:
                fd = os.memfd_create("dlquiz-results", os.MFD_CLOEXEC)
            except (OSError, AttributeError):
                return -1
            try:
                os.ftruncate(fd, RESULT_ARENA_BYTES)
                # Writable, as results from the pipe are: decoded arrays are views of it.
                self._arena = mmap.mmap(fd, RESULT_ARENA_BYTES, mmap.MAP_SHARED)
            except OSError:
                os.close(fd)
                return -1
            self._arena_fd = fd
        return self._arena_fd

    def _stop(self) -> None:
        for fd in (self._job_fd, self._reply_fd):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._job_fd = self._reply_fd = -1
        if self._process is not None:
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None

    def _ensure_started(self) -> None:
        if self._process is None or self._process.poll() is not None:
            self._stop()
            self._start()

    def _exchange(
        self,
        control: dict,
        payload: bytes,
        inputs: list[list[bytes | memoryview]],
        keys: list[_InputKey | None],
        job: Job,
    ) -> tuple[dict, list[Buffer]]:
        self._ensure_started()
        codes, drop = self._kept.plan(inputs, keys)
        control = {**control, "inputs": codes, "drop": drop, "arena": self._arena_free()}
        protocol.write_frame(self._job_fd, protocol.encode_json(control))
        protocol.write_frame(self._job_fd, payload)
        for parts, code in zip(inputs, codes, strict=True):
            if code >= 0:  # not kept by the fork server yet
                protocol.write_frame_parts(self._job_fd, parts)
        # Generous: each fresh child may spend its start-up time on top of the job's own limits.
        budget = job.limits.time_total_s + REPLY_MARGIN_S + 2 * len(job.calls)
        deadline = time.monotonic() + budget
        reply = protocol.decode_json(self._read_frame(deadline, max_bytes=16 << 20))
        if not isinstance(reply, dict):
            raise protocol.ProtocolError("bad reply")
        count = sum(len(o.get("blobs", ())) for o in reply.get("outcomes", []) if o)
        cap = job.limits.result_mb * 1024 * 1024 + RESULT_OVERHEAD
        room = job.limits.result_total_mb * 1024 * 1024
        in_arena = reply.get("arena") or {}
        if not isinstance(in_arena, dict):
            raise protocol.ProtocolError("bad reply")
        blobs: list[Buffer] = []
        for index in range(count):
            place = in_arena.get(str(index))
            # Kept as read: the decoded arrays are views of it, never a second copy.
            if place is None:
                blob: Buffer = self._read_frame(deadline, max_bytes=min(cap, room))
            else:
                blob = self._arena_blob(place, max_bytes=min(cap, room))
            room -= len(blob)
            blobs.append(blob)
        return reply, blobs

    def _arena_free(self) -> bool:
        """Whether this job may have its results read into the arena: nothing decoded from the
        last job's is still alive there (the grader drops a job's values once judged)."""
        if self._arena is None:
            return False
        if any(blob() is not None for blob in self._arena_blobs):
            log.info("a result of an earlier job is still held: this job's come through the pipe")
            return False
        self._arena_blobs = []
        return True

    def _arena_blob(self, place: object, *, max_bytes: int) -> memoryview:
        """A result the fork server left in the arena, as a view of it. The view's array is
        remembered weakly: every value decoded from the blob holds it, through numpy's bases, so
        it is alive exactly while any of them is."""
        if not (
            self._arena is not None
            and isinstance(place, list)
            and len(place) == 2
            and all(type(n) is int for n in place)
        ):
            raise protocol.ProtocolError("bad arena place")
        offset, size = place
        if not (offset >= 0 and 0 <= size <= max_bytes and offset + size <= len(self._arena)):
            raise protocol.ProtocolError(f"arena place {offset}+{size}")
        blob = np.frombuffer(self._arena, np.uint8, count=size, offset=offset)
        self._arena_blobs.append(weakref.ref(blob))
        return blob.data

    def _read_frame(self, deadline: float, *, max_bytes: int) -> bytearray:
        head = self._read_exact(8, deadline)
        size = int.from_bytes(head, "big")
        if size > max_bytes:
            raise protocol.ProtocolError(f"frame of {size} bytes")
        return self._read_exact(size, deadline)

    def _read_exact(self, size: int, deadline: float) -> bytearray:
        buffer = bytearray(size)
        view = memoryview(buffer)
        got = 0
        while got < size:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("the fork server did not answer in time")
            ready, _, _ = select.select([self._reply_fd], [], [], remaining)
            if not ready:
                continue
            n = os.readv(self._reply_fd, [view[got : got + (1 << 22)]])
            if not n:
                raise EOFError("the fork server exited")
            got += n
        return buffer


@dataclass(frozen=True)
class _InputKey:
    """A repetition's inputs by identity: their encoding's header (structure, shapes, dtypes and
    every scalar) and their arrays, held so that no other array can take their ids."""

    header: bytes
    arrays: tuple[np.ndarray, ...]

    def __hash__(self) -> int:
        return hash((self.header, tuple(id(array) for array in self.arrays)))

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, _InputKey)
            and self.header == other.header
            and len(self.arrays) == len(other.arrays)
            and all(a is b for a, b in zip(self.arrays, other.arrays, strict=True))
        )


def _input_key(value: object, header: bytes | memoryview) -> _InputKey | None:
    """The key of inputs that may be kept: every array read-only and owning its bytes (nothing
    can write them), native and C-ordered (encoded from the array itself); else None."""
    arrays: list[np.ndarray] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, np.ndarray):
            if (
                type(item) is not np.ndarray
                or item.flags.writeable
                or item.base is not None
                or not item.flags.c_contiguous
                or not item.dtype.isnative
            ):
                return None
            arrays.append(item)
        elif type(item) in (tuple, list):
            stack.extend(item)  # type: ignore[arg-type]
        elif type(item) is dict:
            stack.extend(item.values())
    return _InputKey(header=bytes(header), arrays=tuple(arrays))


@dataclass
class _KeptInputs:
    """The worker's account of the inputs its fork server keeps: by key, a token, a size and the
    order of last use. The fork server only follows it (a token is stored, used or dropped as
    the control frame says), so both always agree."""

    limit: int
    entries: OrderedDict[_InputKey, tuple[int, int]] = field(default_factory=OrderedDict)
    nbytes: int = 0
    last_token: int = 0

    def plan(
        self, inputs: list[list[bytes | memoryview]], keys: list[_InputKey | None]
    ) -> tuple[list[int], list[int]]:
        """Per input: -token (kept: not sent), +token (sent, then kept) or 0 (sent only); then
        the tokens to drop once this job's inputs are in, least recently used first."""
        codes: list[int] = []
        for parts, key in zip(inputs, keys, strict=True):
            size = sum(len(part) for part in parts)
            if key is None or size > self.limit:
                codes.append(0)
            elif key in self.entries:
                self.entries.move_to_end(key)
                codes.append(-self.entries[key][0])
            else:
                self.last_token += 1
                self.entries[key] = (self.last_token, size)
                self.nbytes += size
                codes.append(self.last_token)
        drop: list[int] = []
        while self.nbytes > self.limit:
            _, (token, size) = self.entries.popitem(last=False)
            self.nbytes -= size
            drop.append(token)
        return codes, drop


def scrubbed_environment() -> dict[str, str]:
    """Only what Python needs: no settings, no credentials, no DJANGO_*, REDIS_URL, DATABASE_URL."""
    return {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "HOME": "/"}


def _validate(job: Job) -> None:
    if job.framework not in FRAMEWORKS:
        raise ValueError(f"unknown framework {job.framework!r}")
    unknown = [family for family in job.forbidden_ops if family not in OP_FAMILIES]
    if unknown:
        raise ValueError(f"unknown operator families {unknown}")
    if not job.entry_point.isidentifier():
        raise ValueError(f"bad entry point {job.entry_point!r}")
    if job.device != "cpu" and not job.device.startswith("cuda"):
        raise ValueError(f"unknown device {job.device!r}")


def syntax_error_message(exc: SyntaxError) -> str:
    if exc.lineno is None:
        return english("raised.text", exception="SyntaxError", text=str(exc.msg))
    return english("raised.line", exception="SyntaxError", text=str(exc.msg), line=exc.lineno)


def _all(job: Job, *, compile_error: str | None = None, forbidden: str | None = None) -> JobResult:
    if forbidden:
        outcomes = [
            CallOutcome(name=call.name, status=TestStatus.FORBIDDEN_API, message=forbidden)
            for call in job.calls
        ]
    else:
        outcomes = [
            CallOutcome(
                name=call.name,
                status=TestStatus.NOT_RUN,
                message=english("sandbox.not_run_compile"),
            )
            for call in job.calls
        ]
    return JobResult(compile_error=compile_error, forbidden_api=forbidden, outcomes=outcomes)


def _text(value: object, limit: int = MESSAGE_CHARS) -> str:
    return value[:limit] if isinstance(value, str) else ""


@dataclass
class _Rep:
    """One repetition's self-report, once decoded and checked."""

    status: str
    value: object = None
    value_kind: str = ""
    exception: str = ""
    message: str = ""
    warnings: tuple[str, ...] = ()


def _result(job: Job, reply: dict, blobs: list[Buffer]) -> JobResult:
    outcomes: list[CallOutcome] = []
    raw = reply.get("outcomes")
    raw = raw if isinstance(raw, list) else []
    compile_error = reply.get("compile_error")
    cap = job.limits.result_mb * 1024 * 1024 + RESULT_OVERHEAD
    # Everything the job's values may decode to, together: what the worker holds at once.
    budget = protocol.Budget(job.limits.result_total_mb * 1024 * 1024)
    for index, call in enumerate(job.calls):
        entry = raw[index] if index < len(raw) and isinstance(raw[index], dict) else None
        if entry is None:
            message = english("sandbox.not_run_compile" if compile_error else "sandbox.not_run")
            outcomes.append(CallOutcome(name=call.name, status=TestStatus.NOT_RUN, message=message))
            continue
        times = entry.get("times_ms")
        times_ms = tuple(
            float(t)
            for t in (times if isinstance(times, list) else [])
            if isinstance(t, int | float)
        )
        time_ms = sum(times_ms) if times_ms else None
        status = entry.get("status")
        if status is not None:
            outcomes.append(
                CallOutcome(
                    name=call.name,
                    status=status if status in STATUSES else TestStatus.RUNTIME_ERROR,
                    time_ms=time_ms,
                    times_ms=times_ms,
                    message=_text(entry.get("message")),
                )
            )
            continue
        indices = entry.get("blobs")
        indices = indices if isinstance(indices, list) else []
        reps = [
            _decode_child(blobs[i], cap, budget)
            if isinstance(i, int) and 0 <= i < len(blobs)
            else _Rep(status=TestStatus.RUNTIME_ERROR, message=english("sandbox.no_result"))
            for i in indices
        ]
        if len(reps) != call.repeat or len(times_ms) != call.repeat:
            reps.append(_Rep(status=TestStatus.RUNTIME_ERROR, message=english("sandbox.no_result")))
        outcomes.append(_outcome(call, reps, time_ms, times_ms))
    return JobResult(
        compile_error=_text(compile_error) if compile_error else None,
        forbidden_api=None,
        outcomes=outcomes,
        stdout=_text(reply.get("stdout"), job.limits.output_bytes),
        stderr=_text(reply.get("stderr"), job.limits.output_bytes),
        wall_ms=reply.get("wall_ms") if isinstance(reply.get("wall_ms"), int | float) else None,
    )


def _outcome(
    call: Call, reps: list[_Rep], time_ms: float | None, times_ms: tuple[float, ...]
) -> CallOutcome:
    """One call from its repetitions: the first that did not return, else all their values."""
    warnings = _merged_warnings(reps)
    for number, rep in enumerate(reps, start=1):
        if rep.status != Outcome.OK:
            message = rep.message
            if message and call.repeat > 1:
                message = english("repetition", number=number, count=call.repeat, detail=message)
            return CallOutcome(
                name=call.name,
                status=rep.status,
                value_kind=rep.value_kind,
                exception=rep.exception,
                message=message,
                time_ms=time_ms,
                times_ms=times_ms,
                warnings=warnings,
            )
    return CallOutcome(
        name=call.name,
        status=Outcome.OK,
        value=reps[0].value,
        value_kind=reps[0].value_kind,
        time_ms=time_ms,
        values=tuple(rep.value for rep in reps),
        value_kinds=tuple(rep.value_kind for rep in reps),
        times_ms=times_ms,
        warnings=warnings,
    )


def _merged_warnings(reps: list[_Rep]) -> tuple[str, ...]:
    merged: list[str] = []
    for rep in reps:
        for text in rep.warnings:
            if text not in merged and len(merged) < WARNINGS_KEPT:
                merged.append(text)
    return tuple(merged)


def _warnings(value: object) -> tuple[str, ...]:
    """The warnings a child reported: strings only, capped in number and length."""
    if type(value) is not list:
        return ()
    return tuple(
        item[:WARNING_CHARS] for item in value[:WARNINGS_KEPT] if type(item) is str and item
    )


def _decode_child(blob: bytes | Buffer, cap: int, budget: protocol.Budget) -> _Rep:
    """A child's self-report, decoded strictly; nothing but the expected fields of plain types.
    Its arrays are views of the blob, which nothing else holds."""
    try:
        report = protocol.decode(blob, max_bytes=cap, budget=budget)
    except protocol.ValueTooLarge as exc:
        return _Rep(
            status=TestStatus.OUTPUT_LIMIT_EXCEEDED,
            message=english("sandbox.too_large", reason=str(exc)),
        )
    except protocol.ProtocolError as exc:
        return _Rep(
            status=TestStatus.INVALID_OUTPUT,
            message=english("sandbox.unreadable_reason", reason=str(exc)),
        )
    if type(report) is not dict:
        return _Rep(status=TestStatus.INVALID_OUTPUT, message=english("sandbox.unreadable"))
    status = report.get("status")
    if status not in CHILD_STATUSES:
        return _Rep(status=TestStatus.INVALID_OUTPUT, message=english("sandbox.unreadable"))
    kind = report.get("value_kind")
    return _Rep(
        status=str(status),
        value=report.get("value") if status == Outcome.OK else None,
        value_kind=kind if kind in VALUE_KINDS else "",
        exception=_text(report.get("exception"), 500),
        message=_text(report.get("message")),
        warnings=_warnings(report.get("warnings")),
    )


def sandbox_self_test() -> str | None:
    """None when isolation works on this host, else the reason (the worker refuses to start)."""
    if sys.platform != "linux":
        return f"the sandbox needs Linux namespaces (this is {sys.platform})"
    if os.geteuid() != 0:
        return "creating namespaces, mounts and cgroups needs root (the worker runs as a user)"
    sandbox = Sandbox(unsafe=False)
    probe = Job(
        source=SELF_TEST_SOURCE,
        entry_point="probe",
        framework="python",
        calls=(Call(name="probe", args=(), kwargs={}),),
        limits=Limits(time_per_call_s=10, time_total_s=20),
    )
    try:
        result = sandbox.run(probe)
    except (SandboxError, OSError) as exc:
        return f"the sandbox could not run a probe: {exc}"
    finally:
        sandbox.close()
    if result.compile_error:
        return f"the probe did not load: {result.compile_error}"
    outcome = result.outcomes[0]
    if outcome.status != Outcome.OK:
        return f"the probe failed: {outcome.status} {outcome.message}"
    checks = outcome.value if isinstance(outcome.value, dict) else {}
    problems = [key for key, ok in checks.items() if ok is not True]
    if problems:
        return "isolation incomplete: " + ", ".join(sorted(problems))
    return None


SELF_TEST_SOURCE = """
import os, socket

def probe():
    def unreachable():
        try:
            socket.create_connection(("1.1.1.1", 53), timeout=1).close()
        except OSError:
            return True
        return False
    return {{
        "unprivileged uid": os.getuid() != 0 and os.geteuid() != 0,
        "no project files": not os.path.exists({!r}),
        "no /root": not os.path.exists("/root/.bashrc") and not os.path.exists("/root/.profile"),
        "no network": unreachable(),
        "own pid namespace": os.getpid() == 1,
        "scrubbed environment": sorted(os.environ) == ["HOME", "LANG", "PATH", "TMPDIR"],
    }}
""".format(os.path.join(PROJECT_ROOT, "manage.py"))
