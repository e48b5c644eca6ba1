"""The fork server: a warm process (numpy and torch imported once, scrubbed environment, cwd /)
that runs each job in freshly forked, isolated children and drives them call by call.

It receives from the trusted side a control frame (JSON: limits, calls, operator families and
forbidden names, which pick the zygote of the job's child), a payload frame (the protocol blob the
child decodes at load: source, entry point, forbidden names; no inputs) and one inputs blob per
call and repetition, except those it was told to keep from an earlier job (Server._inputs); it
never receives expected values or a reference. It sends each repetition's inputs to the child
with that repetition's command, so no input reaches the child before the call that needs it. It
answers with one JSON frame per job and, per repetition, the child's result blob untouched (only
the trusted side decodes what a child produced): read into the result arena the worker shares
with it while that has room (the JSON says where), else sent after the JSON frame.

What it measures itself, never taking the child's word: each repetition's time, from the moment
its command (with its inputs) is sent until its whole result frame has arrived; whether a call
finished (a result frame, not a claim); the wall, output and result-size limits. Every frame kind
has a cap, anything but the expected frame is a protocol violation of the submission, and every way
a child can end becomes a status, so nothing a submission sends can take the fork server down.

Process tree (isolated mode):
  fork server (root; drives jobs, so holds their data)
    -> zygote (forked before the first job, never sees job data; forks and reaps children)
      -> child (PID 1 of a new PID namespace; joins the job's cgroups, builds its filesystem,
         installs the operator guard it is told to, then drops to the sandbox uid and runs the
         submission; driven by the fork server over pipes).
  Killing the child kills its whole PID namespace.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import math
import mmap
import os
import resource
import select
import signal
import socket
import struct
import sys
import time
import traceback
from typing import Any, NamedTuple

import numpy as np

from grader import forbidden, isolation, protocol
from grader.child import (
    COMMAND,
    FORBIDDEN_BYTES,
    FRAME_HEAD,
    LOAD_BYTES,
    RESULT_OVERHEAD,
    Driver,
    forbidden_reporter,
    send,
    setup_stdio,
)
from grader.messages import english
from grader.status import TestStatus, Verdict

TLE = TestStatus.TIME_LIMIT_EXCEEDED.value
MLE = TestStatus.MEMORY_LIMIT_EXCEEDED.value
OLE = TestStatus.OUTPUT_LIMIT_EXCEEDED.value
RTE = TestStatus.RUNTIME_ERROR.value
FORBIDDEN = TestStatus.FORBIDDEN_API.value
NOT_RUN = TestStatus.NOT_RUN.value
COMPILE_ERROR = Verdict.COMPILE_ERROR.value

# Messages are written from grader.messages' table, which reads them back into codes.
SIGNAL_NAMES = {
    signal.SIGSEGV: english("signal.segv"),
    signal.SIGBUS: english("signal.bus"),
    signal.SIGFPE: english("signal.fpe"),
    signal.SIGILL: english("signal.ill"),
    signal.SIGABRT: english("signal.abrt"),
}
# Zygotes kept besides the first: one per exercise and framework recently graded (each holds
# about 6-16 MB of its own memory; the rest it shares with the fork server).
ZYGOTES_KEPT = 8
CHILD_FAILED = 70  # exit code of a child whose sandbox setup failed (an infrastructure fault)
STARTUP_SECONDS = 10.0  # time a fresh child may take to set up before its load counts
# b"f" (fork a child), b"w" (wait for pid) or b"z" (fork a zygote; the length of its JSON
# [families, names], which follows)
ZYGOTE_REQUEST = struct.Struct("!ci")
ZYGOTE_REPLY = struct.Struct("!i")  # pid of the new child, or a wait status
# Longest text relayed from a child (a load message, a forbidden name).
MESSAGE_CHARS = 4000
PROTOCOL_BROKEN = english("sandbox.protocol", phase="")
LOADING = english("phase.loading")


class InfrastructureError(Exception):
    """The sandbox could not be set up; not the student's fault."""


class ArenaBlob(NamedTuple):
    """A result frame read into the result arena (Server.arena), at offset."""

    offset: int
    size: int

    def __len__(self) -> int:
        return self.size


# A result frame as the fork server holds it until the reply: bytes of its own, or in the arena.
Blob = bytes | bytearray | ArenaBlob


class Guards(NamedTuple):
    """What a child is guarded against from birth: operator families and forbidden names (an
    exercise's, for one framework). Its zygote installed both before forking it."""

    families: tuple[str, ...] = ()
    names: tuple[str, ...] = ()


class Background:
    """The fork server's work between jobs, at idle priority (SCHED_IDLE) while no job waits.

    After a reply the worker still judges, stores and announces the grade, and the web server
    answers the student. Ending the last child (its teardown, 3 ms) and forking the next (2 ms)
    competed with them for a 2-core host's CPUs; as SCHED_IDLE both run on time nothing else
    wants and give way at once to whatever wakes (bench: grading overhead at p50 53 -> 45 %).
    A job's arrival raises them back to normal, so it never waits on work other workers starve.
    The new child raises itself before its set-up (_child), which takes locks the whole host
    shares. Only where the fork server may raise a priority again (CAP_SYS_NICE)."""

    def __init__(self, *, job_fd: int) -> None:
        self.job_fd = job_fd
        self.enabled = isolation.may_raise_priority()
        self.lowered: set[int] = set()

    def lower(self, pid: int) -> None:
        if self.enabled and isolation.priority_idle(pid):
            self.lowered.add(pid)

    def restore(self, pid: int) -> None:
        if pid in self.lowered:
            self.lowered.discard(pid)
            isolation.priority_normal(pid)

    def forget(self, pid: int) -> None:
        """pid was reaped: the number may go to another process."""
        self.lowered.discard(pid)

    def hurry(self) -> None:
        for pid in self.lowered:
            isolation.priority_normal(pid)
        self.lowered.clear()

    def wait_readable(self, sock: socket.socket) -> None:
        """Until sock has something to read; a job arriving first hurries the lowered work."""
        if self.lowered:
            readable, _, _ = select.select([sock.fileno(), self.job_fd], [], [])
            if sock.fileno() not in readable:
                self.hurry()


class Child:
    """One forked, isolated child process, seen from the fork server. It is forked ahead of time
    (isolated, still root, its operator guard in place, waiting for its job on the command pipe),
    so a job does not wait for the fork of a process holding the whole torch runtime."""

    def __init__(self, server: Server, *, guards: Guards) -> None:
        self.server = server
        self.guards = guards
        self.limits: dict = {}
        self.stdout = server.stdout
        self.stderr = server.stderr
        self.buffer = bytearray()
        # A large frame is read straight into a buffer of its own size: (kind, buffer, bytes so
        # far, what next_frame hands back: the buffer, or the ArenaBlob it lies in).
        self.frame: tuple[bytes, memoryview, int, bytearray | ArenaBlob] | None = None
        self.dead = False
        self.exit_status: int | None = None
        self.killed_for: tuple[str, str] | None = None
        self.zygote = server.zygote_for(guards)
        pid, (cmd_w, res_r, out_r, err_r) = self.zygote.fork()
        self.pid = pid
        self.cmd_fd, self.res_fd, self.out_fd, self.err_fd = cmd_w, res_r, out_r, err_r
        self.pid_fd = os.pidfd_open(pid)
        for fd in (self.cmd_fd, self.res_fd, self.out_fd, self.err_fd):
            os.set_blocking(fd, False)

    def attach(self, *, limits: dict) -> None:
        self.limits = limits
        self.stdout = self.server.stdout
        self.stderr = self.server.stderr

    def send_job(self, payload: bytes, deadline: float) -> bool:
        return self.send(struct.pack(">Q", len(payload)), deadline) and self.send(payload, deadline)

    def send_command(self, index: int, rep: int, inputs: bytes, deadline: float) -> bool:
        return self.send(COMMAND.pack(index, rep, len(inputs)), deadline) and self.send(
            inputs, deadline
        )

    # Reading and writing -------------------------------------------------------------------------

    def send(self, data: bytes, deadline: float) -> bool:
        """Write to the command pipe while reading everything the child sends meanwhile (it may be
        flooding stdout rather than reading). False when the child died, was killed or ran out of
        time (self.killed_for / self.exit_status say which)."""
        view = memoryview(data)
        while view:
            if self.dead or self.killed_for:
                return False
            try:
                view = view[os.write(self.cmd_fd, view) :]
                continue
            except BlockingIOError:
                pass
            except OSError:
                self._wait_exit()
                return False
            if not self._select(deadline, write=True):
                return False
        return True

    def next_frame(self, deadline: float) -> tuple[bytes, bytes] | None:
        """The next frame from the child, or None when it died, was killed or ran out of time
        (self.killed_for / self.exit_status say which). A frame of an unknown kind or over its
        kind's cap ends the child with a status, never a fault of the fork server."""
        while True:
            if self.frame is not None:
                kind, view, got, blob = self.frame
                if got == len(view):
                    self.frame = None
                    return kind, blob  # type: ignore[return-value]
            elif len(self.buffer) >= FRAME_HEAD.size:
                kind, size = FRAME_HEAD.unpack_from(self.buffer)
                cap = self._cap(kind)
                if cap is None:
                    self.kill(RTE, PROTOCOL_BROKEN)
                    return None
                if size > cap:
                    if kind == b"R":
                        limit = self.limits["result_mb"]
                        self.kill(OLE, english("sandbox.result_large", size=limit))
                    else:
                        self.kill(RTE, PROTOCOL_BROKEN)
                    return None
                end = FRAME_HEAD.size + size
                if len(self.buffer) >= end:
                    payload = bytes(self.buffer[FRAME_HEAD.size : end])
                    del self.buffer[:end]
                    return kind, payload
                self._begin_frame(kind, size)
                continue
            if self.dead or self.killed_for:
                return None
            if not self._select(deadline, write=False):
                if self.dead and not self.killed_for and (self.frame or self.buffer):
                    continue  # what it sent before it ended still counts
                return None

    def _begin_frame(self, kind: bytes, size: int) -> None:
        """The rest of a large frame is read into a buffer of its own, without copies on the way:
        a result into the result arena while it has room."""
        view, place = self.server.arena_take(size) if kind == b"R" else (None, None)
        blob: bytearray | ArenaBlob
        if view is None or place is None:
            blob = bytearray(size)
            view = memoryview(blob)
        else:
            blob = place
        got = len(self.buffer) - FRAME_HEAD.size
        view[:got] = self.buffer[FRAME_HEAD.size :]
        self.buffer.clear()
        self.frame = (kind, view, got, blob)

    def _cap(self, kind: bytes) -> int | None:
        if kind == b"R":
            return self.server.result_bytes + RESULT_OVERHEAD
        if kind == b"L":
            return LOAD_BYTES
        if kind == b"F":
            return FORBIDDEN_BYTES
        if kind == b"B":
            return 0
        return None

    def _select(self, deadline: float, *, write: bool) -> bool:
        """Wait until the child sent something (or the command pipe has room); False when it is
        gone or out of time."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            self.kill(TLE, "")
            return False
        fds = [self.res_fd, self.out_fd, self.err_fd, self.pid_fd]
        ready, writable, _ = select.select(fds, [self.cmd_fd] if write else [], [], remaining)
        if self.out_fd in ready:
            self._capture(self.out_fd, self.stdout)
        if self.err_fd in ready:
            self._capture(self.err_fd, self.stderr)
        if self.killed_for:
            return False
        if self.res_fd in ready:
            if not self._read_result():
                self._wait_exit()
                return False
            return True
        if self.pid_fd in ready:
            self._drain_result()
            self._wait_exit()
            return False
        return True

    def _read_result(self) -> bool:
        """Read what the result pipe holds; False at its end."""
        try:
            if self.frame is not None:
                kind, view, got, blob = self.frame
                n = os.readv(self.res_fd, [view[got:]])
                self.frame = (kind, view, got + n, blob)
                return n > 0 or got == len(view)
            chunk = os.read(self.res_fd, 1 << 20)
        except BlockingIOError:
            return True
        except OSError:
            return False
        self.buffer += chunk
        return bool(chunk)

    def _drain_result(self) -> None:
        """After the child ended: what it wrote before still counts (within the caps)."""
        for _ in range(4096):
            if len(self.buffer) > self.server.result_bytes + RESULT_OVERHEAD:
                return
            if self.frame is not None and self.frame[2] == len(self.frame[1]):
                return
            if not self._read_result():
                return
            if self.frame is None and len(self.buffer) >= FRAME_HEAD.size:
                kind, size = FRAME_HEAD.unpack_from(self.buffer)
                cap = self._cap(kind)
                if cap is None or size > cap:
                    return
                if size + FRAME_HEAD.size > len(self.buffer):
                    self._begin_frame(kind, size)

    def _capture(self, fd: int, sink: bytearray) -> None:
        if fd < 0:
            return
        try:
            chunk = os.read(fd, 65536)
        except (BlockingIOError, OSError):
            return
        if not chunk:
            return
        room = self.server.output_cap - len(self.server.stdout) - len(self.server.stderr)
        sink += chunk[: max(0, room)]
        if len(chunk) > room:
            self.kill(OLE, english("sandbox.output_flood", size=self.server.output_cap // 1024))

    def _wait_exit(self) -> None:
        if self.dead:
            return
        self.dead = True
        status = self.zygote.wait(self.pid)
        self.exit_status = os.waitstatus_to_exitcode(status)
        self._finish()

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
        """Done with the child, its output so far captured; it is ended once the reply has gone
        (Server._after_job). Woken to die here, a process holding the torch runtime tears down
        on the fork server's core ahead of the reply (SIGKILL took 1.7 ms a job, measured).
        Until then it waits for a command that never comes, in its namespaces and cgroup."""
        if self.dead:
            self._finish(cgroup=False)
            return
        self.killed_for = self.killed_for or ("", "")
        self.dead = True
        self._capture_output()
        self.server.ending.append(self)

    def discard(self) -> None:
        """A spare the job cannot use: killed now, not waited for (it is reaped after the reply,
        Server._after_job). Waiting for a process holding the torch runtime to tear down cost a
        job of other operator families 4.5 ms before its own child was even forked."""
        if self.dead:
            self._close()
            return
        self.dead = True
        self.end()

    def end(self) -> None:
        """SIGKILL to PID 1 ends its whole PID namespace; the fork server reaps it next."""
        for kill in (os.kill, os.killpg):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                kill(self.pid, signal.SIGKILL)
        self.server.dying.append((self.zygote, self.pid))
        self._close()

    def _finish(self, *, cgroup: bool = True) -> None:
        if cgroup:
            self.server.cgroups.kill_all()
        self._capture_output()
        self._close()

    def _capture_output(self) -> None:
        # Output written just before the end still counts (and is still capped).
        for fd, sink in ((self.out_fd, self.stdout), (self.err_fd, self.stderr)):
            for _ in range(64):
                before = len(sink)
                self._capture(fd, sink)
                if len(sink) == before:
                    break

    def _close(self) -> None:
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
                return MLE, self._memory_message(phase)
            if status == TLE and not message:
                limit = self.limits["time_per_call_s"]
                message = english("sandbox.time_limit", limit=f"{limit:g}", phase=phase)
            elif message == PROTOCOL_BROKEN:
                message = english("sandbox.protocol", phase=phase)
            return status, message
        if self.server.cgroups.memory_exceeded():
            return MLE, self._memory_message(phase)
        code = self.exit_status
        if code is not None and code < 0:
            signum = -code
            if signum == signal.SIGXCPU:
                return TLE, english("sandbox.cpu_time", phase=phase)
            if signum == signal.SIGKILL and self.server.cgroups.memory_exceeded():
                return MLE, self._memory_message(phase)
            name = SIGNAL_NAMES.get(signal.Signals(signum)) or signal.Signals(signum).name
            return RTE, english("sandbox.signal", number=signum, name=name, phase=phase)
        return RTE, english("sandbox.exit_code", code=str(code), phase=phase)

    def _memory_message(self, phase: str) -> str:
        return english("sandbox.memory_limit", limit=self.limits["memory_mb"], phase=phase)


class Zygote:
    """The parent of every child of one guard configuration (Guards). None ever receives job
    data, so a child's memory holds nothing of earlier jobs. The fork server's heap would:
    sources, inputs, outputs and results of every job pass through it, and freed memory is not
    cleared. So the first zygote (no guards) is forked from the fork server before the first job,
    and every other one is forked by that first zygote when a job first needs its guards.

    A zygote installs its guards once (grader.forbidden: the operator guard of its families, then
    a guard on each forbidden name), before it forks anything, so its children start with them in
    place: a job pays nothing for its guards (the names' cost a child 2.4 ms for softmax). They
    report through whatever the child attaches (forbidden.attach_op_guard).

    It answers three requests over a Unix socket: fork a child (its pid and pipe ends come back,
    the fds by SCM_RIGHTS), wait for a child (its wait status comes back) and, the first zygote
    only, fork a zygote for some guards (its pid and socket come back). The fork server still
    drives, times and kills the children; it only cannot wait for them itself."""

    def __init__(
        self, *, pid: int, sock: socket.socket, guards: Guards, background: Background
    ) -> None:
        self.pid = pid
        self.sock = sock
        self.guards = guards
        self.background = background

    @classmethod
    def first(cls, server: Server) -> Zygote:
        """The zygote without guards, forked from the fork server before any job."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        pid = os.fork()
        if pid == 0:
            try:
                keep = theirs.fileno()
                os.closerange(3, keep)  # nothing of the fork server's: its job and reply pipes
                os.closerange(keep + 1, 1 << 16)
                _zygote_start(server, theirs, Guards())
            except BaseException:
                traceback.print_exc()
            os._exit(CHILD_FAILED)
        theirs.close()
        return cls(pid=pid, sock=ours, guards=Guards(), background=server.background)

    def spawn(self, guards: Guards) -> Zygote:
        """A zygote for these guards, forked by this one (which never saw job data)."""
        payload = protocol.encode_json([list(guards.families), list(guards.names)])
        try:
            self.sock.sendall(ZYGOTE_REQUEST.pack(b"z", len(payload)) + payload)
            message, fds, _, _ = socket.recv_fds(self.sock, ZYGOTE_REPLY.size, 1)
        except OSError as exc:
            raise InfrastructureError(f"the zygote is gone: {exc}") from exc
        pid = ZYGOTE_REPLY.unpack(message)[0] if len(message) == ZYGOTE_REPLY.size else 0
        if pid <= 0 or len(fds) != 1:
            for fd in fds:
                os.close(fd)
            raise InfrastructureError("the zygote could not fork a zygote")
        return Zygote(
            pid=pid,
            sock=socket.socket(fileno=fds[0]),
            guards=guards,
            background=self.background,
        )

    def fork(self) -> tuple[int, list[int]]:
        """A new isolated child waiting for its job: (pid, [cmd_w, res_r, out_r, err_r])."""
        try:
            self.sock.sendall(ZYGOTE_REQUEST.pack(b"f", 0))
            self.background.wait_readable(self.sock)
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
            self.background.wait_readable(self.sock)
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


def _zygote_start(server: Server, sock: socket.socket, guards: Guards) -> None:
    """In a new zygote: its guards, their caches warmed, then serve."""
    isolation.set_parent_death_signal(signal.SIGKILL)
    forbidden.install_op_guards(families=guards.families, stop=Driver.call.__code__)
    if guards.families:
        _common_ops()  # the guard's own caches, kept by every child
    forbidden.install_name_guards(forbidden=guards.names)
    gc.collect()
    gc.freeze()
    _zygote_serve(server, sock)


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
        if op == b"z":
            guards = _guards(protocol.decode_json(sock.recv(pid, socket.MSG_WAITALL)))
            ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                zygote = os.fork()
            except OSError:
                zygote = -1
            if zygote == 0:
                try:
                    sock.close()
                    ours.close()
                    os.close(own_pid_ns)
                    _zygote_start(server, theirs, guards)
                except BaseException:
                    traceback.print_exc()
                os._exit(CHILD_FAILED)
            theirs.close()
            ends = [ours.fileno()] if zygote > 0 else []
            socket.send_fds(sock, [ZYGOTE_REPLY.pack(zygote)], ends)
            ours.close()
            continue
        cmd_r, cmd_w = os.pipe()
        res_r, res_w = os.pipe()
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        for fd in (cmd_w, res_w):
            with contextlib.suppress(OSError):
                fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, protocol.PIPE_BYTES)
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


def _guards(decoded: object) -> Guards:
    """The Guards of a zygote request ([families, names]); none for anything else."""
    if not (isinstance(decoded, list) and len(decoded) == 2):
        return Guards()
    families, names = (
        tuple(str(item) for item in part) if isinstance(part, list) else () for part in decoded
    )
    return Guards(families=families, names=names)


def _child(server: Server, cmd_r: int, res_w: int, out_w: int, err_w: int) -> None:
    """In the child, PID 1 of its PID namespace: isolate; wait for the job; limit; drop
    privileges; then run it (under the operator guard its zygote installed)."""
    # Forked at idle priority (Background); its set-up is not, for it takes locks the whole host
    # shares (joining cgroups, making namespaces and mounts). It is still root here.
    isolation.priority_normal(0)
    # First, before anything else runs: the job's cgroups (the fork server no longer moves it).
    server.cgroups.join_self()
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
    streams = setup_stdio()
    report = forbidden_reporter(res_fd=4, streams=streams)
    # The zygote installed this child's guards; they report through this child.
    families, verify = forbidden.attach_op_guard(report=report)
    # The submission's environment depends on no job: set while waiting for one (0.2 ms).
    if server.isolated:
        workdir = server.plan.work_dir
    else:
        workdir = os.path.join(server.unsafe_workdir, str(os.getpid()))
    os.environ.clear()
    os.environ.update(
        {"HOME": workdir, "TMPDIR": workdir, "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    )
    _warm_child(verify)
    job = protocol.decode(protocol.read_frame(3, max_bytes=1 << 30))
    if tuple(job["forbidden_ops"]) != families:  # type: ignore[index]
        os._exit(CHILD_FAILED)
    if tuple(job["forbidden"]) != forbidden.name_guards():  # type: ignore[index]
        os._exit(CHILD_FAILED)
    limits = job["limits"]  # type: ignore[index]
    if server.isolated:
        isolation.mount_work_dir(uid=server.uid, size_mb=limits["file_size_mb"], path=workdir)
    else:
        os.mkdir(workdir, 0o700)
        os.chdir(workdir)
    _limit(limits, memory_by_cgroup=server.cgroups.limits_memory, isolated=server.isolated)
    if server.isolated:
        isolation.drop_privileges(uid=server.uid)
    isolation.no_new_privs()
    driver = Driver(
        job=job,  # type: ignore[arg-type]
        cmd_fd=3,
        res_fd=4,
        streams=streams,
        report=report,
        verify=verify,
    )
    # Set up: from the B frame on, whatever happens is the submission's doing.
    driver.main(booted=lambda: send(4, b"B"))


def _warm_child(verify: Any) -> None:
    """While the child waits for its job: the first guard check, compile and decode in a forked
    process pay for copy-on-write faults and lazy set-up (0.9 ms together, measured), which
    would otherwise fall between the job's arrival and its first call."""
    verify()
    compile("def warm(x):\n    return x\n", "<warm-up>", "exec", dont_inherit=True)
    protocol.decode(protocol.encode({"args": (np.zeros(1, np.float32),), "kwargs": {}}))


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
    def __init__(self, *, job_fd: int, reply_fd: int, isolated: bool, arena_fd: int = -1) -> None:
        self.job_fd = job_fd
        self.reply_fd = reply_fd
        self.background = Background(job_fd=job_fd)
        self.arena_fd = arena_fd
        # Shared with the worker (a memfd it made): results are read into it from the child's
        # pipe and the worker takes them from there, rather than through one more pipe. Mapped
        # only once the first zygote is forked, so no zygote or child ever has it.
        self.arena: mmap.mmap | None = None
        self.arena_view: memoryview | None = None
        self.arena_used: int | None = None  # None: not this job (see job_begin)
        # Inputs of earlier jobs the worker asked to keep, by its token (sandbox._KeptInputs).
        # Never in a zygote or child: they are forked from processes that saw no job.
        self.inputs_kept: dict[int, bytearray] = {}
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
        self.started = 0.0  # when the job in hand began
        self.guards = Guards()  # the job's
        self.ending: list[Child] = []  # done with, ended after the reply
        self.dying: list[tuple[Zygote, int]] = []
        # The first zygote, then the others from least to most recently used.
        self.zygotes: dict[Guards, Zygote] = {}

    def zygote_for(self, guards: Guards) -> Zygote:
        """The zygote of these guards, forked the first time a job needs it."""
        if guards == Guards():
            return self.zygotes[guards]
        zygote = self.zygotes.pop(guards, None)
        if zygote is None:
            zygote = self.zygotes[Guards()].spawn(guards)
        self.zygotes[guards] = zygote  # now the most recently used
        return zygote

    def _zygotes_trim(self) -> None:
        """Close the least recently used zygotes beyond ZYGOTES_KEPT. Called between jobs, when
        none of their children is alive or waiting to be reaped. Each exits when its socket
        closes, and the first zygote (its parent) reaps it."""
        first = self.zygotes[Guards()]
        others = [guards for guards in self.zygotes if guards != Guards()]
        for guards in others[: max(0, len(others) - ZYGOTES_KEPT)]:
            zygote = self.zygotes.pop(guards)
            zygote.sock.close()
            first.wait(zygote.pid)

    def serve(self) -> None:
        hello: dict[str, object] = {"ok": True, "uid": self.uid, "isolated": self.isolated}
        hello["cgroups"] = self.cgroups.describe()
        hello["idle_between_jobs"] = self.background.enabled
        self.zygotes[Guards()] = Zygote.first(self)
        self._arena_map()
        self.spare = Child(self, guards=self.guards)
        protocol.write_frame(self.reply_fd, protocol.encode_json(hello))
        while True:
            try:
                control = protocol.decode_json(protocol.read_frame(self.job_fd, max_bytes=1 << 20))
                payload = protocol.read_frame(self.job_fd, max_bytes=1 << 30)
            except EOFError:
                break
            first = self.job_begin(control, payload)  # type: ignore[arg-type]
            try:
                inputs, missing = self._inputs(control)  # type: ignore[arg-type]
            except EOFError:
                if isinstance(first, Child):
                    first.close()
                break
            if missing and isinstance(first, Child):
                first.abandon()
            if missing:
                first = InfrastructureError("inputs the worker counted on were not kept")
            try:
                if isinstance(first, InfrastructureError):
                    raise first
                reply, blobs = self.run_job(control, payload, inputs, first)  # type: ignore[arg-type]
            except InfrastructureError as exc:
                reply, blobs = {"infrastructure_error": str(exc)}, []
            del payload, inputs, first
            arena = {i: [b.offset, b.size] for i, b in enumerate(blobs) if type(b) is ArenaBlob}
            if arena:
                reply["arena"] = arena
            protocol.write_frame(self.reply_fd, protocol.encode_json(reply))
            for blob in blobs:
                if type(blob) is not ArenaBlob:
                    protocol.write_frame(self.reply_fd, blob)  # type: ignore[arg-type]
            del blobs
            self._after_job()
        if self.spare is not None:
            self.spare.close()
        for zygote in reversed(self.zygotes.values()):
            zygote.close()
        self.cgroups.remove()

    def _inputs(self, control: dict) -> tuple[list[list[bytearray]], bool]:
        """The job's inputs, per call and repetition: read from the job pipe, or the ones kept
        from an earlier job (control["inputs"]: -token kept, +token read then kept, 0 read);
        then the tokens in control["drop"] are forgotten. True when a kept one was missing."""
        codes = control.get("inputs") or []
        inputs: list[list[bytearray]] = []
        missing = False
        position = 0
        for call in control["calls"]:
            runs: list[bytearray] = []
            for _ in range(call["runs"]):
                code = codes[position] if position < len(codes) else 0
                position += 1
                if code < 0:
                    kept = self.inputs_kept.get(-code)
                    missing = missing or kept is None
                    runs.append(kept if kept is not None else bytearray())
                    continue
                blob = protocol.read_frame(self.job_fd, max_bytes=1 << 34)
                if code > 0:
                    self.inputs_kept[code] = blob
                runs.append(blob)
            inputs.append(runs)
        for token in control.get("drop") or []:
            self.inputs_kept.pop(token, None)
        return inputs, missing

    def _arena_map(self) -> None:
        if self.arena_fd < 0:
            return
        try:
            self.arena = mmap.mmap(self.arena_fd, 0, mmap.MAP_SHARED)
            self.arena.madvise(mmap.MADV_DONTFORK)
            self.arena_view = memoryview(self.arena)
        except (OSError, ValueError):
            self.arena = self.arena_view = None  # results go through the pipe
        os.close(self.arena_fd)
        self.arena_fd = -1

    def arena_take(self, size: int) -> tuple[memoryview | None, ArenaBlob | None]:
        """Room for a result frame of `size` bytes in the arena, or (None, None) when it has no
        more this job (the frame is then read into a buffer of its own)."""
        start = self.arena_used
        if start is None or self.arena_view is None or start + size > len(self.arena_view):
            return None, None
        self.arena_used = start + -(-size // protocol.ALIGN) * protocol.ALIGN
        return self.arena_view[start : start + size], ArenaBlob(start, size)

    def _after_job(self) -> None:
        """Off the critical path: clean up, then fork the next job's child ahead of time, from the
        zygote of this job's guards (the likeliest next ones). Ending the children and the fork
        run at idle priority (Background); the new child's set-up does not."""
        if self.spare is not None:
            return  # a job without calls: no child ran, and the spare still waits
        for child in self.ending:
            self.background.lower(child.pid)
            child.end()
        self.ending.clear()
        for zygote, pid in self.dying:
            zygote.wait(pid)
            self.background.forget(pid)
        self.dying.clear()
        self._zygotes_trim()
        self.cgroups.kill_all()
        if not self.isolated:
            import shutil

            for entry in os.listdir(self.unsafe_workdir):
                shutil.rmtree(os.path.join(self.unsafe_workdir, entry), ignore_errors=True)
        zygote = self.zygote_for(self.guards)
        self.background.lower(zygote.pid)
        try:
            self.spare = Child(self, guards=self.guards)
        finally:
            self.background.restore(zygote.pid)

    def _fresh_child(self) -> Child:
        """The spare, when it is alive and of this job's guards; else a child forked now."""
        child, self.spare = self.spare, None
        if child is not None and (child.dead or child.guards != self.guards):
            child.discard()
            child = None
        return child or Child(self, guards=self.guards)

    def job_begin(self, control: dict, payload: bytes) -> Child | InfrastructureError | None:
        """Set up for a job and hand its first child the submission, so that the child sets itself
        up and loads it while the job's inputs are still arriving (it sees none of them before
        its call). The child, the fault that kept it from starting, or None without calls."""
        limits = control["limits"]
        self.guards = Guards(
            families=tuple(control["forbidden_ops"]), names=tuple(control["forbidden"])
        )
        self.stdout = bytearray()
        self.stderr = bytearray()
        self.output_cap = int(limits["output_bytes"])
        self.result_bytes = int(limits["result_mb"]) * 1024 * 1024
        self.cgroups.prepare(memory_mb=int(limits["memory_mb"]), max_pids=limits["max_pids"])
        self.started = time.monotonic()
        # The worker says whether the last job's results there are gone (it decodes them in place).
        self.arena_used = 0 if control.get("arena") is True else None
        if not control["calls"]:
            return None
        try:
            return self._launch(payload, limits)
        except InfrastructureError as exc:
            return exc

    def run_job(
        self, control: dict, payload: bytes, inputs: list[list[bytes]], first: Child | None
    ) -> tuple[dict, list[Blob]]:
        """The job begun by job_begin, `first` its launched child."""
        limits = control["limits"]
        calls = control["calls"]
        result_room = int(limits["result_total_mb"]) * 1024 * 1024
        started = self.started
        total_deadline = started + float(limits["time_total_s"])
        per_call = float(limits["time_per_call_s"])
        outcomes: list[dict] = []
        blobs: list[Blob] = []
        compile_error = None
        child: Child | None = None
        try:
            for index, call_inputs in enumerate(inputs):
                if time.monotonic() >= total_deadline:
                    message = english("sandbox.total_time", limit=f"{limits['time_total_s']:g}")
                    outcomes.append({"status": NOT_RUN, "message": message})
                    continue
                if child is None:
                    launched, first = first, None
                    child, load = self._start(payload, limits, per_call, total_deadline, launched)
                    if load is not None:
                        status, message = load
                        if status == COMPILE_ERROR:
                            compile_error = message
                        else:
                            outcomes.append({"status": status, "message": message})
                        break
                outcome, results = self._call(child, index, call_inputs, per_call, total_deadline)
                size = sum(len(result) for result in results)
                if size > result_room:
                    # Bounded per job as well as per value: the worker holds them all at once.
                    total = limits["result_total_mb"]
                    outcome = {
                        "status": OLE,
                        "message": english("sandbox.results_large", size=total),
                        "times_ms": outcome.get("times_ms", []),
                    }
                    results = []
                result_room -= size if results else 0
                outcome["blobs"] = list(range(len(blobs), len(blobs) + len(results)))
                blobs.extend(results)
                outcomes.append(outcome)
                if child.dead:
                    child = None
        finally:
            for unused in (child, first):
                if unused is not None:
                    unused.abandon()
        while len(outcomes) < len(calls) and compile_error is None:
            outcomes.append({"status": NOT_RUN, "message": english("sandbox.not_run_load")})
        reply = {
            "compile_error": compile_error,
            "outcomes": outcomes,
            "stdout": self.stdout.decode("utf-8", "replace"),
            "stderr": self.stderr.decode("utf-8", "replace"),
            "wall_ms": (time.monotonic() - started) * 1000,
        }
        return reply, blobs

    def _launch(self, payload: bytes, limits: dict) -> Child:
        """A child with the job in hand, setting itself up and loading the submission."""
        for _ in range(2):
            child = self._fresh_child()
            child.attach(limits=limits)
            if child.send_job(payload, time.monotonic() + STARTUP_SECONDS):
                break
            child.close()  # a spare that died while waiting: fork another
        return child

    def _start(
        self,
        payload: bytes,
        limits: dict,
        per_call: float,
        total_deadline: float,
        launched: Child | None = None,
    ) -> tuple[Child, tuple[str, str] | None]:
        """A loaded child: (child, None), or (child, (status, message)) when loading failed."""
        child = launched or self._launch(payload, limits)
        boot = child.next_frame(time.monotonic() + STARTUP_SECONDS)
        if boot is None or boot[0] != b"B":
            child.close()
            detail = self.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
            raise InfrastructureError(f"the sandboxed child could not be set up {detail}")
        deadline = min(time.monotonic() + per_call, total_deadline)
        frame = child.next_frame(deadline)
        if frame is None:
            return child, child.death_outcome(LOADING)
        kind, data = frame
        if kind == b"F":
            child.kill(FORBIDDEN, "")
            return child, (FORBIDDEN, english("sandbox.forbidden", what=_text(data), phase=LOADING))
        if kind == b"L" and data[:1] == b"1":
            return child, None
        child.close()
        if kind == b"L" and data[:1] == b"M":
            limit = limits["memory_mb"]
            return child, (MLE, english("sandbox.memory_limit", limit=limit, phase=LOADING))
        if kind == b"L" and data[:1] == b"0":
            return child, (COMPILE_ERROR, _text(data[1:]))
        return child, (RTE, english("sandbox.protocol", phase=LOADING))

    def _call(
        self,
        child: Child,
        index: int,
        inputs: list[bytes],
        per_call: float,
        total_deadline: float,
    ) -> tuple[dict, list[Blob]]:
        """Every repetition of one call: its inputs go with its command; its time runs from the
        moment the command is sent until its result frame is complete."""
        times: list[float] = []
        results: list[Blob] = []
        deadline = min(time.monotonic() + per_call * max(1, len(inputs)), total_deadline)
        for rep, blob in enumerate(inputs):
            started = time.perf_counter()
            sent = child.send_command(index, rep, blob, deadline)
            frame = child.next_frame(deadline)
            elapsed = (time.perf_counter() - started) * 1000
            if frame is not None and frame[0] == b"F":
                return self._forbidden(child, frame[1]), []
            if not sent or frame is None:
                times.append(elapsed)
                return self._died(child, times), []
            if frame[0] != b"R":
                child.kill(RTE, PROTOCOL_BROKEN)
                return self._died(child, times), []
            times.append(elapsed)
            results.append(frame[1])
        return {"status": None, "times_ms": times}, results

    def _died(self, child: Child, times: list[float]) -> dict:
        if not child.dead:
            child.kill(RTE, "")
        status, message = child.death_outcome("")
        return {"status": status, "message": message, "times_ms": times}

    def _forbidden(self, child: Child, data: bytes) -> dict:
        child.kill(FORBIDDEN, "")
        message = english("sandbox.forbidden", what=_text(data), phase="")
        return {"status": FORBIDDEN, "message": message, "times_ms": []}


def _text(data: bytes) -> str:
    """Text a child sent, as much of it as is ever relayed."""
    return data[: 4 * MESSAGE_CHARS].decode("utf-8", "replace")[:MESSAGE_CHARS]


def _warm_up() -> None:
    """Import numpy and torch and run the common ops once, single-threaded, so children start
    warm. Children run torch with one intra-op thread: starting an OpenMP pool costs tens of
    milliseconds per child, and a child forked after a multi-threaded op would hang in OpenMP.
    They run numpy's BLAS on one thread too: a worker grades one submission per core, and BLAS
    threads spin-waiting beside another child's made a matrix product twenty times slower."""
    import numpy as np
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")  # kept for good: children inherit it
    try:
        import torch
    except ImportError:
        return
    torch.set_num_threads(1)
    with contextlib.suppress(RuntimeError):
        torch.set_num_interop_threads(1)
    _common_ops()
    torch.softmax(torch.zeros(2, 3), dim=-1).detach().cpu()
    str(torch.zeros(2))  # printing a tensor imports what it needs once, here
    # Once through a dispatch mode too: the first time an operator reaches Python, torch builds
    # its Python handle (a few hundred microseconds each), kept for every child forked after.
    from torch.utils._python_dispatch import TorchDispatchMode

    class _Through(TorchDispatchMode):
        @classmethod
        def _should_skip_dynamo(cls) -> bool:
            return False

        def __torch_dispatch__(
            self, func: Any, types: Any, args: Any = (), kwargs: Any = None
        ) -> Any:
            return func(*args, **(kwargs or {}))

    with _Through():
        _common_ops()
    forbidden.index_warm()
    del np


def _common_ops() -> None:
    """The operators most submissions and the driver use, each once (one that a guard refuses
    is skipped)."""
    import numpy as np
    import torch

    x = torch.from_numpy(np.linspace(-1, 1, 24, dtype=np.float32).reshape(2, 3, 4))
    i = torch.arange(2)
    steps = [
        lambda: (
            x + 1,
            x - 1,
            x * 2,
            x / 2,
            -x,
            1 - x,
            2 / (x + 3),
            x**2,
            x + x,
            x * x,
            x / (x + 3),
        ),
        lambda: (x.exp(), (x + 2).log(), x.log1p(), (x + 2).sqrt(), (x + 2).rsqrt(), x.abs()),
        lambda: (x.sigmoid(), x.tanh(), x.relu(), x.clamp(min=0), x.clamp(-0.5, 0.5), x.sign()),
        lambda: (torch.maximum(x, x), torch.minimum(x, x), x.floor(), x.round(), x.reciprocal()),
        lambda: (x > 0, x >= 0, x < 0, x <= 0, x == 0, x != 0, (x > 0) & (x < 1), ~(x > 0)),
        lambda: (x.isnan(), x.isinf(), x.isfinite(), torch.nan_to_num(x), x.pow(3)),
        lambda: (torch.where(x > 0, x, torch.zeros_like(x)), x.masked_fill(x < 0, float("-inf"))),
        lambda: (x.sum(), x.sum(-1, keepdim=True), x.mean(-1), x.amax(-1, keepdim=True)),
        lambda: (x.amin(-1), x.max(-1), x.min(-1), x.argmax(-1), x.argmin(-1), x.prod(-1)),
        lambda: (x.var(-1), x.std(-1), torch.logsumexp(x, -1), x.norm(), x.cumsum(-1)),
        lambda: ((x > 0).all(), (x > 0).any(), x.max(), x.sum(dim=(0, 1))),
        lambda: (x @ x.transpose(-1, -2), x[0] @ x[0].T, torch.mm(x[0], x[0].T)),
        lambda: (torch.bmm(x, x.transpose(1, 2)), torch.einsum("bij,bkj->bik", x, x)),
        lambda: (x.reshape(6, 4), x.view(-1), x.flatten(), x.unsqueeze(0), x[None].squeeze(0)),
        lambda: (x.permute(2, 0, 1), x.movedim(-1, 0), x.expand(2, 2, 3, 4), x.repeat(1, 1, 2)),
        lambda: (torch.cat([x, x]), torch.stack([x, x]), x.split(2, -1), x.chunk(2, -1)),
        lambda: (x.narrow(-1, 0, 2), x[:, 1], x[..., ::2], x[i, i], x[x > 0], x.flip(-1)),
        lambda: (x.gather(-1, torch.zeros(2, 3, 1, dtype=torch.long)), x.index_select(0, i)),
        lambda: (x.roll(1, -1), x[0].tril(), x[0].triu(), x.unfold(-1, 2, 1), x.contiguous()),
        lambda: (x.to(torch.float64), x.double(), x.float(), x.long(), x.bool(), x.type_as(x)),
        lambda: (x.clone(), x.detach(), x.cpu(), x.numpy(), x.sum().item(), x.tolist()),
        lambda: (torch.zeros(2, 3), torch.ones(2, 3), torch.full((2,), 1.0), torch.eye(3)),
        lambda: (torch.empty(2), torch.zeros_like(x), torch.ones_like(x), torch.arange(5.0)),
        lambda: (torch.tensor([1.0, 2.0]), torch.linspace(0, 1, 5), torch.outer(i, i)),
        lambda: x.clone().add_(1).mul_(2).sub_(1).div_(2).clamp_(0, 1).fill_(0).zero_(),
        lambda: x.clone().masked_fill_(x > 0, 0.0).index_put_((i,), torch.zeros(3, 4)),
        lambda: x.clone().__setitem__((i, i), 0.0),
        lambda: x.resolve_conj().resolve_neg(),
    ]
    for step in steps:
        with contextlib.suppress(RuntimeError):
            step()


def main() -> None:
    job_fd, reply_fd, isolated = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "1"
    arena_fd = int(sys.argv[4]) if len(sys.argv) > 4 else -1
    isolation.set_parent_death_signal(signal.SIGKILL)
    if os.getppid() == 1:
        os._exit(1)  # the worker is already gone
    isolation.set_subreaper()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.chdir("/")
    _warm_up()
    server = Server(job_fd=job_fd, reply_fd=reply_fd, isolated=isolated, arena_fd=arena_fd)
    # Children share the runtime's pages copy-on-write; keep the collector off them, and gather
    # them into huge pages so that forking a child and ending it cost less.
    gc.collect()
    gc.freeze()
    isolation.huge_pages_collapse()
    try:
        server.serve()
    except BaseException:
        traceback.print_exc()
        server.cgroups.remove()
        raise
