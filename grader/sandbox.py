"""The trusted side of the sandbox: runs a Job (student source + calls with plain inputs) in an
isolated child and returns a typed JobResult. No Django, no exercises: plain data in, plain data out.

A Sandbox keeps one warm fork server (grader.forkserver) per worker process. The fork server is
started with a scrubbed environment, cwd /, numpy and torch imported, and forks one isolated child
per job (fresh namespaces, read-only runtime, tmpfs work dir, unprivileged uid, cgroup limits).
Everything a child returns is decoded here, strictly (grader.protocol): nothing but plain values
can come back. If the fork server dies, it is restarted and the job retried once.

How outcomes are decided:
- Loading the module counts against the first call's time_per_call_s (and the total). A syntax
  error, an exception or sys.exit at import, or a missing entry point is compile_error; a time,
  memory or output limit hit while loading is that status on the first call, a crash while
  loading is runtime_error on it, and the remaining calls are not_run.
- A call that times out, crashes or floods output ends its process; the next call runs in a fresh
  child (loading again) as long as time_total_s lasts; calls after that are not_run.
- A forbidden API found statically marks every call forbidden_api without running anything; one
  reached at run time ends that call (or loading) with forbidden_api, naming it.
- time_ms is measured by the fork server from the moment the child reports the call started to
  the moment it reports it returned (after CUDA synchronisation), median over `repeat`.
- Children run torch with one intra-op thread (see grader.forkserver._warm_up): reference timings
  that are compared with time_ms should be taken the same way.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import os
import select
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

from grader import protocol
from grader.forbidden import forbidden_static

FRAMEWORKS = ("torch", "numpy", "python")
STATUSES = frozenset(
    {
        "ok",
        "raised",
        "runtime_error",
        "time_limit_exceeded",
        "memory_limit_exceeded",
        "output_limit_exceeded",
        "forbidden_api",
        "invalid_output",
        "not_run",
    }
)
# What a child may report about itself; anything else it claims is ignored.
CHILD_STATUSES = frozenset(
    {"ok", "raised", "invalid_output", "output_limit_exceeded", "memory_limit_exceeded",
     "runtime_error"}
)  # fmt: skip
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
    result_mb: int = 64


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple
    kwargs: dict
    repeat: int = 1


@dataclass(frozen=True)
class Job:
    source: str
    entry_point: str
    framework: str
    calls: tuple[Call, ...]
    limits: Limits = Limits()
    forbidden: tuple[str, ...] = ()
    device: str = "cpu"


@dataclass
class CallOutcome:
    name: str
    status: str
    value: object | None = None
    value_kind: str = ""
    exception: str = ""
    time_ms: float | None = None
    message: str = ""


@dataclass
class JobResult:
    compile_error: str | None
    forbidden_api: str | None
    outcomes: list[CallOutcome]
    stdout: str = ""
    stderr: str = ""
    wall_ms: float | None = field(default=None)


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
        self.info: dict = {}

    # Public API ----------------------------------------------------------------------------------

    def run(self, job: Job) -> JobResult:
        """Run the job; never raises for anything the student does (SandboxError when the sandbox
        machinery fails twice in a row, ValueError for a malformed job)."""
        _validate(job)
        try:
            tree = ast.parse(job.source, filename="submission.py")
        except SyntaxError as exc:
            return _all(job, compile_error=f"SyntaxError: {exc.msg} (line {exc.lineno})")
        except (ValueError, RecursionError, MemoryError) as exc:
            return _all(job, compile_error=f"the code cannot be parsed: {type(exc).__name__}")
        found = forbidden_static(tree=tree, forbidden=job.forbidden)
        if found:
            return _all(job, forbidden=found)
        control = {
            "limits": dataclasses.asdict(job.limits),
            "calls": [{"repeat": max(1, int(call.repeat))} for call in job.calls],
            "device": job.device,
            "framework": job.framework,
        }
        payload = protocol.encode(
            {
                "source": job.source,
                "entry": job.entry_point,
                "framework": job.framework,
                "device": job.device,
                "forbidden": list(job.forbidden),
                "result_bytes": job.limits.result_mb * 1024 * 1024,
                "limits": dataclasses.asdict(job.limits),
                "calls": [
                    {"args": tuple(call.args), "kwargs": dict(call.kwargs), "repeat": call.repeat}
                    for call in job.calls
                ],
            }
        )
        with self._lock:
            for attempt in (1, 2):
                try:
                    reply, blobs = self._exchange(control, payload, job)
                except (OSError, EOFError, protocol.ProtocolError, TimeoutError) as exc:
                    self._stop()
                    if attempt == 2:
                        raise SandboxError(f"the sandbox failed twice: {exc}") from exc
                    continue
                if "infrastructure_error" in reply:
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

    @property
    def pid(self) -> int | None:
        """The fork server's pid (for tests and diagnostics)."""
        return self._process.pid if self._process else None

    # Fork server ---------------------------------------------------------------------------------

    def _start(self) -> None:
        job_r, job_w = os.pipe()
        reply_r, reply_w = os.pipe()
        boot = (
            f"import sys; sys.path.insert(0, {PROJECT_ROOT!r}); "
            "from grader.forkserver import main; main()"
        )
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-c", boot, str(job_r), str(reply_w), "0" if self.unsafe else "1"],
                pass_fds=(job_r, reply_w),
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
        hello = self._read_frame(time.monotonic() + START_TIMEOUT_S, max_bytes=1 << 16)
        self.info = protocol.decode_json(hello)  # type: ignore[assignment]

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

    def _exchange(self, control: dict, payload: bytes, job: Job) -> tuple[dict, list[bytes]]:
        self._ensure_started()
        protocol.write_frame(self._job_fd, protocol.encode_json(control))
        protocol.write_frame(self._job_fd, payload)
        # Generous: each fresh child may spend its start-up time on top of the job's own limits.
        budget = job.limits.time_total_s + REPLY_MARGIN_S + 2 * len(job.calls)
        deadline = time.monotonic() + budget
        reply = protocol.decode_json(self._read_frame(deadline, max_bytes=16 << 20))
        if not isinstance(reply, dict):
            raise protocol.ProtocolError("bad reply")
        count = sum(1 for outcome in reply.get("outcomes", []) if "blob" in outcome)
        cap = job.limits.result_mb * 1024 * 1024 + 65536
        blobs = [self._read_frame(deadline, max_bytes=cap) for _ in range(count)]
        return reply, blobs

    def _read_frame(self, deadline: float, *, max_bytes: int) -> bytes:
        head = self._read_exact(8, deadline)
        size = int.from_bytes(head, "big")
        if size > max_bytes:
            raise protocol.ProtocolError(f"frame of {size} bytes")
        return self._read_exact(size, deadline)

    def _read_exact(self, size: int, deadline: float) -> bytes:
        buffer = bytearray()
        while len(buffer) < size:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("the fork server did not answer in time")
            ready, _, _ = select.select([self._reply_fd], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(self._reply_fd, min(size - len(buffer), 1 << 22))
            if not chunk:
                raise EOFError("the fork server exited")
            buffer += chunk
        return bytes(buffer)


def scrubbed_environment() -> dict[str, str]:
    """Only what Python needs: no settings, no credentials, no DJANGO_*, REDIS_URL, DATABASE_URL."""
    return {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "HOME": "/"}


def _validate(job: Job) -> None:
    if job.framework not in FRAMEWORKS:
        raise ValueError(f"unknown framework {job.framework!r}")
    if not job.entry_point.isidentifier():
        raise ValueError(f"bad entry point {job.entry_point!r}")
    if job.device != "cpu" and not job.device.startswith("cuda"):
        raise ValueError(f"unknown device {job.device!r}")


def _all(job: Job, *, compile_error: str | None = None, forbidden: str | None = None) -> JobResult:
    if forbidden:
        outcomes = [
            CallOutcome(name=call.name, status="forbidden_api", message=forbidden)
            for call in job.calls
        ]
    else:
        outcomes = [
            CallOutcome(
                name=call.name, status="not_run", message="not run: the code does not compile"
            )
            for call in job.calls
        ]
    return JobResult(compile_error=compile_error, forbidden_api=forbidden, outcomes=outcomes)


def _text(value: object, limit: int = 4000) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _result(job: Job, reply: dict, blobs: list[bytes]) -> JobResult:
    outcomes: list[CallOutcome] = []
    raw = reply.get("outcomes", [])
    compile_error = reply.get("compile_error")
    cap = job.limits.result_mb * 1024 * 1024 + 65536
    for index, call in enumerate(job.calls):
        entry = raw[index] if index < len(raw) else None
        if entry is None:
            message = "not run: the code does not compile" if compile_error else "not run"
            outcomes.append(CallOutcome(name=call.name, status="not_run", message=message))
            continue
        time_ms = entry.get("time_ms")
        time_ms = float(time_ms) if isinstance(time_ms, int | float) else None
        status = entry.get("status")
        if status is not None:
            outcome = CallOutcome(
                name=call.name,
                status=status if status in STATUSES else "runtime_error",
                time_ms=time_ms,
                message=_text(entry.get("message")),
            )
        else:
            outcome = _decode_child(call.name, blobs[entry["blob"]], cap)
            outcome.time_ms = time_ms
        outcomes.append(outcome)
    return JobResult(
        compile_error=_text(compile_error) if compile_error else None,
        forbidden_api=None,
        outcomes=outcomes,
        stdout=_text(reply.get("stdout"), job.limits.output_bytes),
        stderr=_text(reply.get("stderr"), job.limits.output_bytes),
        wall_ms=reply.get("wall_ms"),
    )


def _decode_child(name: str, blob: bytes, cap: int) -> CallOutcome:
    """A child's self-report, decoded strictly; nothing but the expected fields of plain types."""
    try:
        report = protocol.decode(blob, max_bytes=cap)
    except protocol.ProtocolError as exc:
        return CallOutcome(name=name, status="invalid_output", message=f"unreadable result: {exc}")
    if type(report) is not dict:
        return CallOutcome(name=name, status="invalid_output", message="unreadable result")
    status = report.get("status")
    if status not in CHILD_STATUSES:
        return CallOutcome(name=name, status="invalid_output", message="unreadable result")
    kind = report.get("value_kind")
    return CallOutcome(
        name=name,
        status=status,
        value=report.get("value") if status == "ok" else None,
        value_kind=kind if kind in ("tensor", "ndarray", "python") else "",
        exception=_text(report.get("exception"), 500),
        message=_text(report.get("message")),
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
    if outcome.status != "ok":
        return f"the probe failed: {outcome.status} {outcome.message}"
    problems = [key for key, ok in (outcome.value or {}).items() if ok is not True]
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
