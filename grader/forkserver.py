"""The fork server: a warm process (numpy and torch imported once, scrubbed environment, cwd /)
that runs each job in freshly forked, isolated children and drives them call by call.

It receives from the trusted side a control frame (JSON: limits, calls, framework, device) and a
payload frame (the protocol blob the child decodes: source, inputs, forbidden names); it never
receives expected values or a reference. It answers with one JSON frame per job and, per call, the
child's result blob untouched (only the trusted side decodes what a child produced). It measures
each call's time itself, enforces wall, output and result-size limits, and turns every way a child
can die into a status.

Process tree (isolated mode):
  fork server (root; drives jobs, so holds their data)
    -> zygote (forked before the first job, never sees job data; forks and reaps children)
      -> child (PID 1 of a new PID namespace; joins the job's cgroups, builds its filesystem,
         drops to the sandbox uid, runs the submission; driven by the fork server over pipes).
  Killing the child kills its whole PID namespace.
"""

from __future__ import annotations

import contextlib
import gc
import json
import math
import os
import resource
import select
import signal
import socket
import statistics
import struct
import sys
import time
import traceback

from grader import isolation, protocol
from grader.child import COMMAND, FRAME_HEAD, Driver, send

# Statuses the fork server itself decides (the child decides ok/raised/invalid_output).
TLE = "time_limit_exceeded"
MLE = "memory_limit_exceeded"
OLE = "output_limit_exceeded"
RTE = "runtime_error"
FORBIDDEN = "forbidden_api"
NOT_RUN = "not_run"

SIGNAL_NAMES = {
    signal.SIGSEGV: "segmentation fault",
    signal.SIGBUS: "bus error",
    signal.SIGFPE: "floating point exception",
    signal.SIGILL: "illegal instruction",
    signal.SIGABRT: "aborted",
}
CHILD_FAILED = 70  # exit code of a child whose sandbox setup failed (an infrastructure fault)
STARTUP_SECONDS = 10.0
ZYGOTE_REQUEST = struct.Struct("!ci")  # b"f" (fork) or b"w" (wait for pid)
ZYGOTE_REPLY = struct.Struct(
    "!i"
)  # pid of the new child, or a wait status  # time a fresh child may take to set up before its load counts


class InfrastructureError(Exception):
    """The sandbox could not be set up; not the student's fault."""


class Child:
    """One forked, isolated child process, seen from the fork server. It is forked ahead of time
    (isolated, still root, waiting for its job on the command pipe), so a job does not wait for
    the fork of a process holding the whole torch runtime."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.limits: dict = {}
        self.stdout = server.stdout
        self.stderr = server.stderr
        self.buffer = bytearray()
        self.dead = False
        self.exit_status: int | None = None
        self.killed_for: tuple[str, str] | None = None
        pid, (cmd_w, res_r, out_r, err_r) = server.zygote.fork()
        self.pid = pid
        self.cmd_fd, self.res_fd, self.out_fd, self.err_fd = cmd_w, res_r, out_r, err_r
        self.pid_fd = os.pidfd_open(pid)
        server.cgroups.join(pid)
        for fd in (self.res_fd, self.out_fd, self.err_fd):
            os.set_blocking(fd, False)

    def attach(self, *, limits: dict) -> None:
        self.limits = limits
        self.stdout = self.server.stdout
        self.stderr = self.server.stderr

    def send_job(self, payload: bytes) -> bool:
        try:
            protocol.write_frame(self.cmd_fd, payload)
        except OSError:
            self._wait_exit()
            return False
        return True

    # Reading -------------------------------------------------------------------------------------

    def next_frame(self, deadline: float) -> tuple[bytes, bytes] | None:
        """The next frame from the child, or None when it died, was killed or ran out of time
        (self.killed_for / self.exit_status say which)."""
        result_cap = self.server.result_bytes + 4096
        while True:
            if len(self.buffer) >= FRAME_HEAD.size:
                kind, size = FRAME_HEAD.unpack_from(self.buffer)
                if size > result_cap:
                    self.kill(OLE, f"the return value is larger than {self.limits['result_mb']} MB")
                    return None
                end = FRAME_HEAD.size + size
                if len(self.buffer) >= end:
                    payload = bytes(self.buffer[FRAME_HEAD.size : end])
                    del self.buffer[:end]
                    return kind, payload
            if self.dead:
                return None
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.kill(TLE, "")
                return None
            fds = [self.res_fd, self.out_fd, self.err_fd, self.pid_fd]
            ready, _, _ = select.select(fds, [], [], remaining)
            if self.out_fd in ready:
                self._capture(self.out_fd, self.stdout)
            if self.err_fd in ready:
                self._capture(self.err_fd, self.stderr)
            if self.killed_for:
                return None
            if self.res_fd in ready:
                try:
                    chunk = os.read(self.res_fd, 1 << 20)
                except BlockingIOError:
                    chunk = None
                if chunk == b"":
                    self._wait_exit()
                elif chunk:
                    self.buffer += chunk
            elif self.pid_fd in ready:
                self._drain_result()
                self._wait_exit()

    def _drain_result(self) -> None:
        while True:
            try:
                chunk = os.read(self.res_fd, 1 << 20)
            except BlockingIOError:
                return
            if not chunk:
                return
            self.buffer += chunk

    def _capture(self, fd: int, sink: bytearray) -> None:
        if fd < 0:
            return
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            return
        if not chunk:
            return
        room = self.server.output_cap - len(self.server.stdout) - len(self.server.stderr)
        sink += chunk[: max(0, room)]
        if len(chunk) > room:
            self.kill(OLE, f"the code printed more than {self.server.output_cap // 1024} KB")

    def _wait_exit(self) -> None:
        if self.dead:
            return
        self.dead = True
        status = self.server.zygote.wait(self.pid)
        self.exit_status = os.waitstatus_to_exitcode(status)
        self._finish()

    def send_command(self, index: int, rep: int) -> bool:
        try:
            protocol.write_all(self.cmd_fd, COMMAND.pack(index, rep))
        except (BrokenPipeError, OSError):
            self._wait_exit()
            return False
        return True

    def kill(self, status: str, message: str) -> None:
        if self.killed_for is None:
            self.killed_for = (status, message)
        if self.dead:
            return
        if self.pid > 0:
            for kill in (os.kill, os.killpg):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    kill(self.pid, signal.SIGKILL)
        self.server.cgroups.kill_all()
        self._wait_exit()

    def close(self) -> None:
        if not self.dead:
            self.kill("", "")
        self._finish()

    def abandon(self) -> None:
        """End the child without waiting for its teardown (a process holding the torch runtime
        takes milliseconds to unmap): SIGKILL to PID 1 ends its whole PID namespace; the fork
        server reaps it after replying (Server._after_job)."""
        if not self.dead:
            self.killed_for = self.killed_for or ("", "")
            for kill in (os.kill, os.killpg):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    kill(self.pid, signal.SIGKILL)
            self.dead = True
            self.server.dying.append(self.pid)
        self._finish(cgroup=False)

    def _finish(self, *, cgroup: bool = True) -> None:
        if cgroup:
            self.server.cgroups.kill_all()
        # Output written just before the end still counts (and is still capped).
        for fd, sink in ((self.out_fd, self.stdout), (self.err_fd, self.stderr)):
            for _ in range(64):
                before = len(sink)
                self._capture(fd, sink)
                if len(sink) == before:
                    break
        for name in ("cmd_fd", "res_fd", "out_fd", "err_fd", "pid_fd"):
            fd = getattr(self, name, -1)
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
                setattr(self, name, -1)

    def death_outcome(self, phase: str) -> tuple[str, str]:
        """Status and message for a child that is gone without a result."""
        if self.killed_for and self.killed_for[0]:
            status, message = self.killed_for
            if status == TLE and self.server.cgroups.memory_exceeded():
                # Pressed against its memory limit, a process crawls (reclaim on every page
                # fault) until its time runs out: the memory is the cause, and the verdict.
                return MLE, f"memory limit of {self.limits['memory_mb']} MB exceeded{phase}"
            if status == TLE and not message:
                limit = self.limits["time_per_call_s"]
                message = f"time limit of {limit:g} s exceeded{phase}"
            return status, message
        if self.server.cgroups.memory_exceeded():
            return MLE, f"memory limit of {self.limits['memory_mb']} MB exceeded{phase}"
        code = self.exit_status
        if code is not None and code < 0:
            signum = -code
            if signum == signal.SIGXCPU:
                return TLE, f"CPU time limit exceeded{phase}"
            if signum == signal.SIGKILL and self.server.cgroups.memory_exceeded():
                return MLE, f"memory limit of {self.limits['memory_mb']} MB exceeded{phase}"
            name = SIGNAL_NAMES.get(signum) or signal.Signals(signum).name
            return RTE, f"the process was killed by signal {signum} ({name}){phase}"
        return RTE, f"the process exited with code {code}{phase}"


class Zygote:
    """The parent of every child. The fork server forks it before the first job, and it never
    receives job data, so a child's memory holds nothing of earlier jobs. The fork server's heap
    would: sources, inputs, outputs and results of every job pass through it, and freed memory
    is not cleared.

    It answers two requests over a Unix socket: fork a child (its pid and pipe ends come back,
    the fds by SCM_RIGHTS) and wait for a child (its wait status comes back). The fork server
    still drives, times and kills the children; it only cannot wait for them itself."""

    def __init__(self, server: Server) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        pid = os.fork()
        if pid == 0:
            try:
                ours.close()
                for fd in (server.job_fd, server.reply_fd):
                    os.close(fd)
                isolation.set_parent_death_signal(signal.SIGKILL)
                _zygote_serve(server, theirs)
            except BaseException:
                traceback.print_exc()
            os._exit(CHILD_FAILED)
        theirs.close()
        self.pid = pid
        self.sock = ours

    def fork(self) -> tuple[int, list[int]]:
        """A new isolated child waiting for its job: (pid, [cmd_w, res_r, out_r, err_r])."""
        try:
            self.sock.sendall(ZYGOTE_REQUEST.pack(b"f", 0))
            message, fds, _, _ = socket.recv_fds(self.sock, ZYGOTE_REPLY.size, 4)
        except OSError as exc:
            raise InfrastructureError(f"the zygote is gone: {exc}") from exc
        pid = ZYGOTE_REPLY.unpack(message)[0] if len(message) == ZYGOTE_REPLY.size else 0
        if pid <= 0 or len(fds) != 4:
            for fd in fds:
                os.close(fd)
            raise InfrastructureError("the zygote could not fork a child")
        return pid, fds

    def wait(self, pid: int) -> int:
        """The wait status of a child that has ended or been killed."""
        try:
            self.sock.sendall(ZYGOTE_REQUEST.pack(b"w", pid))
            message = self.sock.recv(ZYGOTE_REPLY.size, socket.MSG_WAITALL)
        except OSError as exc:
            raise InfrastructureError(f"the zygote is gone: {exc}") from exc
        if len(message) != ZYGOTE_REPLY.size:
            raise InfrastructureError("the zygote is gone")
        return ZYGOTE_REPLY.unpack(message)[0]

    def close(self) -> None:
        self.sock.close()
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)


def _zygote_serve(server: Server, sock: socket.socket) -> None:
    own_pid_ns = os.open("/proc/self/ns/pid", os.O_RDONLY)
    while True:
        request = sock.recv(ZYGOTE_REQUEST.size, socket.MSG_WAITALL)
        if len(request) != ZYGOTE_REQUEST.size:
            os._exit(0)  # the fork server is gone
        op, pid = ZYGOTE_REQUEST.unpack(request)
        if op == b"w":
            sock.sendall(ZYGOTE_REPLY.pack(isolation.wait_child(pid)))
            continue
        cmd_r, cmd_w = os.pipe()
        res_r, res_w = os.pipe()
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        if server.isolated:
            # The next fork becomes PID 1 of a new PID namespace; setns below undoes this for
            # the zygote itself (thread creation would fail in it otherwise).
            isolation.unshare(isolation.CLONE_NEWPID)
        try:
            pid = os.fork()
        except OSError:
            pid = -1
        if pid == 0:
            try:
                sock.close()
                for fd in (own_pid_ns, cmd_w, res_r, out_r, err_r):
                    os.close(fd)
                _child(server, cmd_r, res_w, out_w, err_w)
            except BaseException:
                traceback.print_exc()
            os._exit(CHILD_FAILED)
        if server.isolated:
            isolation.setns(own_pid_ns, isolation.CLONE_NEWPID)
        for fd in (cmd_r, res_w, out_w, err_w):
            os.close(fd)
        ends = [cmd_w, res_r, out_r, err_r] if pid > 0 else []
        socket.send_fds(sock, [ZYGOTE_REPLY.pack(pid)], ends)
        for fd in (cmd_w, res_r, out_r, err_r):
            os.close(fd)


def _child(server: Server, cmd_r: int, res_w: int, out_w: int, err_w: int) -> None:
    """In the child, PID 1 of its PID namespace: isolate; wait for the job; limit; drop
    privileges; then run it."""
    isolation.set_parent_death_signal(signal.SIGKILL)
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)
    if server.isolated:
        isolation.unshare(isolation.NAMESPACES & ~isolation.CLONE_NEWPID)
        isolation.build_root(plan=server.plan)
        isolation.set_hostname("sandbox")
    else:
        os.setsid()
    null = os.open("/dev/null", os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(out_w, 1)
    os.dup2(err_w, 2)
    os.dup2(cmd_r, 3)
    os.dup2(res_w, 4)
    os.closerange(5, 1 << 16)
    job = protocol.decode(protocol.read_frame(3, max_bytes=1 << 34))
    limits = job["limits"]  # type: ignore[index]
    if server.isolated:
        isolation.mount_work_dir(
            uid=server.uid, size_mb=limits["file_size_mb"], path=server.plan.work_dir
        )
    else:
        workdir = os.path.join(server.unsafe_workdir, str(os.getpid()))
        os.mkdir(workdir, 0o700)
        os.chdir(workdir)
    os.environ.clear()
    os.environ.update(
        {"HOME": os.getcwd(), "TMPDIR": os.getcwd(), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    )
    _limit(limits, memory_by_cgroup=server.cgroups.limits_memory, isolated=server.isolated)
    if server.isolated:
        isolation.drop_privileges(uid=server.uid)
    isolation.no_new_privs()
    driver = Driver(job=job, cmd_fd=3, res_fd=4)  # type: ignore[arg-type]
    # Set up: from the B frame on, whatever happens is the submission's doing.
    driver.main(booted=lambda: send(4, b"B"))


def _limit(limits: dict, *, memory_by_cgroup: bool, isolated: bool) -> None:
    mb = 1024 * 1024
    isolation.set_limit(resource.RLIMIT_CORE, 0)
    cpu = math.ceil(limits["time_total_s"]) + 1
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    isolation.set_limit(resource.RLIMIT_FSIZE, limits["file_size_mb"] * mb)
    isolation.set_limit(resource.RLIMIT_NOFILE, max(limits["open_files"], 16))
    if isolated:
        # Binds only after the uid drop (uid 0 ignores it); the pids cgroup is the main limit.
        isolation.set_limit(resource.RLIMIT_NPROC, limits["max_pids"])
    if not memory_by_cgroup:
        # After the runtime is loaded: RLIMIT_AS set before `import torch` breaks the import.
        isolation.set_limit(
            resource.RLIMIT_AS, isolation.virtual_memory_bytes() + limits["memory_mb"] * mb
        )


class Server:
    def __init__(self, *, job_fd: int, reply_fd: int, isolated: bool) -> None:
        self.job_fd = job_fd
        self.reply_fd = reply_fd
        self.isolated = isolated
        self.uid = 200000 + os.getpid() % 100000
        self.cgroups = isolation.Cgroups(name=f"dlquiz-sandbox-{os.getpid()}")
        self.plan = isolation.fs_plan()
        self.stdout = bytearray()
        self.stderr = bytearray()
        self.output_cap = 0
        self.result_bytes = 0
        self.unsafe_workdir = "/"
        if not isolated:
            import tempfile

            self.unsafe_workdir = tempfile.mkdtemp(prefix="dlquiz-sandbox-")
        self.spare: Child | None = None
        self.dying: list[int] = []
        self.zygote: Zygote | None = None

    def serve(self) -> None:
        hello = {"ok": True, "uid": self.uid, "isolated": self.isolated}
        hello["cgroups"] = self.cgroups.describe()
        self.zygote = Zygote(self)
        self.spare = Child(self)
        protocol.write_frame(self.reply_fd, protocol.encode_json(hello))
        while True:
            try:
                control_bytes = protocol.read_frame(self.job_fd, max_bytes=1 << 20)
                payload = protocol.read_frame(self.job_fd, max_bytes=1 << 34)
            except EOFError:
                break
            control = json.loads(control_bytes)
            try:
                reply, blobs = self.run_job(control, payload)
            except InfrastructureError as exc:
                reply, blobs = {"infrastructure_error": str(exc)}, []
            del payload
            protocol.write_frame(self.reply_fd, protocol.encode_json(reply))
            for blob in blobs:
                protocol.write_frame(self.reply_fd, blob)
            del blobs
            self._after_job()
        if self.spare is not None:
            self.spare.close()
        self.zygote.close()
        self.cgroups.remove()

    def _after_job(self) -> None:
        """Off the critical path: clean up, then fork the next job's child ahead of time."""
        for pid in self.dying:
            self.zygote.wait(pid)
        self.dying.clear()
        self.cgroups.kill_all()
        if not self.isolated:
            import shutil

            for entry in os.listdir(self.unsafe_workdir):
                shutil.rmtree(os.path.join(self.unsafe_workdir, entry), ignore_errors=True)
        self.spare = Child(self)

    def _fresh_child(self) -> Child:
        child, self.spare = self.spare, None
        if child is None or child.dead:
            child = Child(self)
        return child

    def run_job(self, control: dict, payload: bytes) -> tuple[dict, list[bytes]]:
        limits = control["limits"]
        calls = control["calls"]
        self.stdout = bytearray()
        self.stderr = bytearray()
        self.output_cap = int(limits["output_bytes"])
        self.result_bytes = int(limits["result_mb"]) * 1024 * 1024
        self.cgroups.prepare(memory_mb=int(limits["memory_mb"]), max_pids=limits["max_pids"])
        started = time.monotonic()
        total_deadline = started + float(limits["time_total_s"])
        per_call = float(limits["time_per_call_s"])
        outcomes: list[dict] = []
        blobs: list[bytes] = []
        compile_error = None
        child: Child | None = None
        try:
            for index, call in enumerate(calls):
                if time.monotonic() >= total_deadline:
                    message = f"not run: total time limit of {limits['time_total_s']:g} s used up"
                    outcomes.append({"status": NOT_RUN, "message": message})
                    continue
                if child is None:
                    child, load = self._start(payload, limits, per_call, total_deadline)
                    if load is not None:
                        status, message = load
                        if status == "compile_error":
                            compile_error = message
                        else:
                            outcomes.append({"status": status, "message": message})
                        break
                outcome, blob = self._call(child, index, int(call["repeat"]), per_call,
                                           total_deadline)  # fmt: skip
                if blob is not None:
                    outcome["blob"] = len(blobs)
                    blobs.append(blob)
                outcomes.append(outcome)
                if child.dead:
                    child = None
        finally:
            if child is not None:
                child.abandon()
        while len(outcomes) < len(calls) and compile_error is None:
            outcomes.append({"status": NOT_RUN, "message": "not run: the code could not load"})
        reply = {
            "compile_error": compile_error,
            "outcomes": outcomes,
            "stdout": self.stdout.decode("utf-8", "replace"),
            "stderr": self.stderr.decode("utf-8", "replace"),
            "wall_ms": (time.monotonic() - started) * 1000,
        }
        return reply, blobs

    def _start(self, payload, limits, per_call, total_deadline):
        """A loaded child: (child, None), or (child, (status, message)) when loading failed."""
        for _ in range(2):
            child = self._fresh_child()
            child.attach(limits=limits)
            if child.send_job(payload):
                break
            child.close()  # a spare that died while waiting: fork another
        boot = child.next_frame(time.monotonic() + STARTUP_SECONDS)
        if boot is None or boot[0] != b"B":
            child.close()
            detail = self.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
            raise InfrastructureError(f"the sandboxed child could not be set up {detail}")
        deadline = min(time.monotonic() + per_call, total_deadline)
        frame = child.next_frame(deadline)
        if frame is None:
            status, message = child.death_outcome(" while loading the code")
            return child, (status, message)
        kind, data = frame
        if kind == b"F":
            name = data.decode("utf-8", "replace")
            child.kill(FORBIDDEN, "")
            return child, (FORBIDDEN, f"called forbidden {name} while loading the code")
        if kind == b"L" and data[:1] == b"1":
            return child, None
        child.close()
        if kind == b"L" and data[:1] == b"M":
            limit = limits["memory_mb"]
            return child, (MLE, f"memory limit of {limit} MB exceeded while loading the code")
        if kind == b"L":
            return child, ("compile_error", data[1:].decode("utf-8", "replace"))
        return child, (RTE, "the code broke the sandbox protocol while loading")

    def _call(self, child: Child, index: int, repeat: int, per_call: float, total_deadline: float):
        times: list[float] = []
        call_started = time.monotonic()
        deadline = min(call_started + per_call * max(1, repeat), total_deadline)
        for rep in range(max(1, repeat)):
            if not child.send_command(index, rep):
                return self._died(child, times), None
            frame = child.next_frame(deadline)
            if frame is None:
                return self._died(child, times), None
            if frame[0] == b"F":
                return self._forbidden(child, frame[1], times), None
            if frame[0] != b"S":
                child.kill(RTE, "the code broke the sandbox protocol")
                return self._died(child, times), None
            start = time.perf_counter()
            frame = child.next_frame(deadline)
            elapsed = (time.perf_counter() - start) * 1000
            if frame is None:
                times.append(elapsed)
                return self._died(child, times), None
            if frame[0] == b"F":
                return self._forbidden(child, frame[1], times), None
            if frame[0] == b"R":  # raised: no D frame
                times.append(elapsed)
                return {"status": None, "time_ms": _median(times)}, frame[1]
            if frame[0] != b"D":
                child.kill(RTE, "the code broke the sandbox protocol")
                return self._died(child, times), None
            times.append(elapsed)
        frame = child.next_frame(deadline)
        if frame is None:
            return self._died(child, times), None
        if frame[0] == b"F":
            return self._forbidden(child, frame[1], times), None
        if frame[0] != b"R":
            child.kill(RTE, "the code broke the sandbox protocol")
            return self._died(child, times), None
        return {"status": None, "time_ms": _median(times)}, frame[1]

    def _died(self, child: Child, times: list[float]) -> dict:
        if not child.dead:
            child.kill(RTE, "")
        status, message = child.death_outcome("")
        return {"status": status, "message": message, "time_ms": _median(times)}

    def _forbidden(self, child: Child, data: bytes, times: list[float]) -> dict:
        name = data.decode("utf-8", "replace")
        child.kill(FORBIDDEN, "")
        return {"status": FORBIDDEN, "message": f"called forbidden {name}", "time_ms": None}


def _median(times: list[float]) -> float | None:
    return statistics.median(times) if times else None


def _warm_up() -> None:
    """Import numpy and torch and run a few small ops once, single-threaded, so children start
    warm. Children run torch with one intra-op thread: starting an OpenMP pool costs tens of
    milliseconds per child, and a child forked after a multi-threaded op would hang in OpenMP."""
    import numpy as np

    try:
        import torch
    except ImportError:
        return
    torch.set_num_threads(1)
    with contextlib.suppress(RuntimeError):
        torch.set_num_interop_threads(1)
    x = torch.from_numpy(np.linspace(-1, 1, 24, dtype=np.float32).reshape(2, 3, 4))
    m = x.max(dim=-1, keepdim=True).values
    e = torch.exp(x - m)
    y = e / e.sum(dim=-1, keepdim=True)
    y = torch.where(y > 0, y, torch.zeros_like(y)).masked_fill(y < -1, float("-inf"))
    z = (x @ x.transpose(-1, -2)).sigmoid().tanh().relu()
    torch.logsumexp(z, dim=-1).mean().numpy()
    x.to(torch.float64).clone().contiguous().numpy()
    torch.softmax(x, dim=-1).detach().cpu()
    from grader import forbidden

    forbidden.index_warm()


def main() -> None:
    job_fd, reply_fd, isolated = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "1"
    isolation.set_parent_death_signal(signal.SIGKILL)
    if os.getppid() == 1:
        os._exit(1)  # the worker is already gone
    isolation.set_subreaper()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.chdir("/")
    _warm_up()
    server = Server(job_fd=job_fd, reply_fd=reply_fd, isolated=isolated)
    # Children share the runtime's pages copy-on-write; keep the collector off them.
    gc.collect()
    gc.freeze()
    try:
        server.serve()
    except BaseException:
        traceback.print_exc()
        server.cgroups.remove()
        raise
