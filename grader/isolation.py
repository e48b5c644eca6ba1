"""Linux isolation primitives for the sandboxed child: namespaces, a minimal read-only filesystem
view, cgroups (v1, or v2 where delegated), resource limits and dropping privileges.

Everything here runs in the fork server or its children, never in the trusted worker.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import os
import platform
import resource
import sys
from dataclasses import dataclass, field

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
NAMESPACES = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNET

MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
MNT_DETACH = 2

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38
PR_SET_DUMPABLE = 4

SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}.get(platform.machine(), 155)

# Where the new root's tmpfs is built, inside the private mount namespace: the first of these
# that hides none of the paths bound into it (a virtualenv under /tmp rules out /tmp).
NEW_ROOT_CANDIDATES = ("/tmp", "/mnt", "/media", "/srv", "/opt", "/run")
OLD_ROOT = ".old-root"
# The child's working directory (also HOME and TMPDIR): /tmp unless that would hide a bound path.
WORK_DIR_CANDIDATES = ("/tmp", "/sandbox")
DEV_NODES = ("null", "zero", "full", "random", "urandom")

_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
_libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong,
                        ctypes.c_char_p]  # fmt: skip
_libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
_libc.unshare.argtypes = [ctypes.c_int]
_libc.setns.argtypes = [ctypes.c_int, ctypes.c_int]
_libc.sethostname.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
_libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong,
                        ctypes.c_ulong]  # fmt: skip
_libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]

MADV_COLLAPSE = 25  # Linux 6.1
CAP_SYS_NICE = 23
HUGE_PAGE = 2 << 20


class IsolationError(OSError):
    pass


def _check(result: int, what: str) -> None:
    if result != 0:
        code = ctypes.get_errno()
        raise IsolationError(code, f"{what}: {os.strerror(code)}")


def unshare(flags: int) -> None:
    _check(_libc.unshare(flags), "unshare")


def setns(fd: int, flags: int) -> None:
    _check(_libc.setns(fd, flags), "setns")


def mount(source: str | None, target: str, fstype: str | None, flags: int, data: str = "") -> None:
    _check(
        _libc.mount(
            source.encode() if source else None,
            target.encode(),
            fstype.encode() if fstype else None,
            flags,
            data.encode() if data else None,
        ),
        f"mount {target}",
    )


def prctl(option: int, value: int) -> None:
    _check(_libc.prctl(option, value, 0, 0, 0), f"prctl {option}")


def huge_pages_collapse() -> int:
    """Gather this process's anonymous memory (its heaps: for the fork server, the runtime that
    every child shares) into 2 MB pages where the kernel can; the bytes gathered. A fork then
    copies one entry per 2 MB instead of 512, and an exit frees as few: for torch's 150 MB,
    fork and exit each took about half as long (measured, 2.1 and 2.0 ms against 0.7 and 0.9).
    A page written after a fork is still copied 4 KB at a time. Best effort: older kernels lack
    MADV_COLLAPSE, and memory it cannot gather stays as it is."""
    gathered = 0
    with open("/proc/self/maps") as maps:
        regions = [line.split() for line in maps]
    for fields in regions:
        # Private, writable and anonymous (no file), or the brk heap.
        if fields[1][:2] != "rw" or fields[1][3] != "p" or fields[4] != "0":
            continue
        if len(fields) > 5 and fields[5] != "[heap]":
            continue
        low, high = (int(bound, 16) for bound in fields[0].split("-"))
        start = -(-low // HUGE_PAGE) * HUGE_PAGE
        end = high // HUGE_PAGE * HUGE_PAGE
        if end > start and _libc.madvise(start, end - start, MADV_COLLAPSE) == 0:
            gathered += end - start
    return gathered


def may_raise_priority() -> bool:
    """Whether this process may take another out of SCHED_IDLE again (CAP_SYS_NICE): without it,
    a process lowered could never be raised back."""
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("CapEff:"):
                    return bool(int(line.split()[1], 16) >> CAP_SYS_NICE & 1)
    except (OSError, ValueError):
        pass
    return False


def priority_idle(pid: int) -> bool:
    """SCHED_IDLE for pid's main thread: it runs only on CPU time no other process wants, and
    what it forks starts so too. False when it is gone."""
    return _scheduler_set(pid, os.SCHED_IDLE)


def priority_normal(pid: int) -> bool:
    """Back to SCHED_OTHER (pid 0: this thread); False when pid is gone or this is not allowed."""
    return _scheduler_set(pid, os.SCHED_OTHER)


def _scheduler_set(pid: int, policy: int) -> bool:
    try:
        os.sched_setscheduler(pid, policy, os.sched_param(0))
    except (ProcessLookupError, PermissionError):
        return False
    return True


def set_subreaper() -> None:
    prctl(PR_SET_CHILD_SUBREAPER, 1)


def set_parent_death_signal(signum: int) -> None:
    prctl(PR_SET_PDEATHSIG, signum)


def runtime_paths() -> list[str]:
    """Directories the Python runtime and its libraries live in, to show read-only in the child:
    the interpreter's prefixes (base and virtualenv), and the system library directories."""
    paths = {sys.base_prefix, sys.base_exec_prefix, sys.prefix, sys.exec_prefix}
    for module_name in ("numpy", "torch"):
        module = sys.modules.get(module_name)
        location = getattr(module, "__file__", None)
        if location and not any(location.startswith(p + os.sep) for p in paths):
            paths.add(os.path.dirname(os.path.dirname(location)))
    for lib in ("/usr/lib", "/usr/lib64", "/usr/lib32", "/usr/local/lib"):
        if os.path.isdir(lib) and not os.path.islink(lib):
            paths.add(lib)
    return sorted(p for p in paths if os.path.isdir(p))


@dataclass
class FsPlan:
    """What the child's filesystem holds; computed once in the fork server."""

    read_only: list[str]
    links: dict[str, str]  # top-level symlinks such as /lib -> usr/lib
    devices: list[str] = field(default_factory=list)
    extra_read_only: list[str] = field(default_factory=list)  # e.g. /sys for CUDA
    new_root: str = "/tmp"
    work_dir: str = "/tmp"


def _overlaps(path: str, paths: list[str]) -> bool:
    return any(p == path or p.startswith(path + "/") or path.startswith(p + "/") for p in paths)


def staging_dir(*, paths: list[str]) -> str:
    """A directory to mount the new root on that is not, and does not contain, any bound path."""
    for candidate in NEW_ROOT_CANDIDATES:
        if not os.path.isdir(candidate) or os.path.islink(candidate):
            continue
        if not _overlaps(candidate, paths):
            return candidate
    raise IsolationError(f"no place to build the sandbox root: {paths} cover all of "
                         f"{NEW_ROOT_CANDIDATES}")  # fmt: skip


def work_dir_for(*, paths: list[str]) -> str:
    """The child's working directory: a tmpfs mounted there must hide none of the bound paths."""
    for candidate in WORK_DIR_CANDIDATES:
        if not _overlaps(candidate, paths):
            return candidate
    raise IsolationError(f"no place for the sandbox work dir among {WORK_DIR_CANDIDATES}")


def fs_plan() -> FsPlan:
    links = {}
    for name in ("lib", "lib64", "lib32", "bin", "sbin"):
        path = "/" + name
        if os.path.islink(path):
            links[path] = os.readlink(path)
    devices = [f"/dev/{name}" for name in DEV_NODES if os.path.exists(f"/dev/{name}")]
    extra: list[str] = []
    from grader.child import cuda_device_nodes

    gpu_nodes = cuda_device_nodes()
    if gpu_nodes:  # a GPU host: CUDA needs its device nodes and reads /sys
        devices += gpu_nodes
        extra = [p for p in ("/sys",) if os.path.isdir(p)]
    read_only = runtime_paths()
    return FsPlan(
        read_only=read_only,
        links=links,
        devices=devices,
        extra_read_only=extra,
        new_root=staging_dir(paths=read_only + extra + devices),
        work_dir=work_dir_for(paths=read_only + extra + devices + list(links)),
    )


def build_root(*, plan: FsPlan) -> None:
    """In a fresh mount namespace (as root): a tmpfs root holding read-only binds of the runtime,
    a private /proc and a minimal /dev; then pivot_root into it and forget the old root. The work
    dir is mounted once the job (and its size limit) is known: mount_work_dir."""
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    root = plan.new_root
    mount("sandbox", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=4m,mode=0755")

    def inside(path: str) -> str:
        return root + path

    for path in plan.read_only + plan.extra_read_only:
        target = inside(path)
        os.makedirs(target, exist_ok=True)
        mount(path, target, None, MS_BIND | MS_REC)
        mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
    for link, dest in plan.links.items():
        if not os.path.lexists(inside(link)):
            os.symlink(dest, inside(link))
    os.makedirs(inside("/dev"), exist_ok=True)
    mount("dev", inside("/dev"), "tmpfs", MS_NOSUID | MS_NOEXEC, "size=64k,mode=0755")
    for node in plan.devices:
        target = inside(node)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "w"):
            pass
        mount(node, target, None, MS_BIND)
    for name, dest in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
                       ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")):  # fmt: skip
        os.symlink(dest, inside(f"/dev/{name}"))
    os.makedirs(inside("/proc"), exist_ok=True)
    mount("proc", inside("/proc"), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    os.makedirs(inside(plan.work_dir), exist_ok=True)
    os.makedirs(inside("/" + OLD_ROOT), exist_ok=True)
    _check(
        _libc.syscall(SYS_PIVOT_ROOT, root.encode(), inside("/" + OLD_ROOT).encode()),
        "pivot_root",
    )
    os.chdir("/")
    _check(_libc.umount2(("/" + OLD_ROOT).encode(), MNT_DETACH), "umount old root")
    os.rmdir("/" + OLD_ROOT)
    mount(None, "/", None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)


def mount_work_dir(*, uid: int, size_mb: int, path: str) -> None:
    """The empty, size-limited, student-owned tmpfs that is cwd, HOME and TMPDIR."""
    mount(
        "work",
        path,
        "tmpfs",
        MS_NOSUID | MS_NODEV,
        f"size={max(1, size_mb)}m,mode=0700,uid={uid},gid={uid},nr_inodes=4096",
    )
    os.chdir(path)


def set_hostname(name: str) -> None:
    data = name.encode()
    _check(_libc.sethostname(data, len(data)), "sethostname")


def drop_privileges(*, uid: int) -> None:
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    if os.getuid() != uid or os.geteuid() != uid or os.getegid() != uid:
        raise IsolationError(errno.EPERM, "could not drop privileges")


def no_new_privs() -> None:
    prctl(PR_SET_NO_NEW_PRIVS, 1)


def set_limit(kind: int, value: int) -> None:
    try:
        resource.setrlimit(kind, (value, value))
    except (ValueError, OSError):
        soft, hard = resource.getrlimit(kind)
        if hard != resource.RLIM_INFINITY:
            resource.setrlimit(kind, (min(value, hard), hard))


def virtual_memory_bytes() -> int:
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[0])
        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


# cgroups -----------------------------------------------------------------------------------------


class Cgroups:
    """Per-fork-server cgroup(s) a child joins: the memory and pids controllers of cgroup v1, or
    one delegated cgroup v2 directory. Each attribute is None when unavailable."""

    def __init__(self, *, name: str) -> None:
        self.memory: str | None = None
        self.pids: str | None = None
        self.v2: str | None = None
        self.procs_files: list[str] = []
        self._oom_kills = 0
        self._v2_max_hits = 0
        self._limits: tuple[int, int] | None = None  # the last ones written
        own = _own_cgroups()
        for controller in ("memory", "pids"):
            base = f"/sys/fs/cgroup/{controller}"
            if controller in own and os.path.isdir(base):
                _remove_stale(base + own[controller], prefix=name.rsplit("-", 1)[0] + "-")
                path = _make(os.path.join(base + own[controller], name))
                setattr(self, controller, path)
        if self.memory is None and self.pids is None and "" in own:
            self.v2 = _make_v2(own[""], name)
        for path in (self.memory, self.pids, self.v2):
            if path:
                self.procs_files.append(os.path.join(path, "cgroup.procs"))

    def describe(self) -> dict:
        return {"memory": self.memory, "pids": self.pids, "v2": self.v2}

    def prepare(self, *, memory_mb: int, max_pids: int) -> None:
        """Before each job: its limits (written only when they differ from the last job's: the
        writes took 0.2-0.3 ms of the job's start) and fresh counts of limits hit."""
        memory = str(memory_mb * 1024 * 1024)
        write = self._limits != (memory_mb, max_pids)
        self._limits = (memory_mb, max_pids)
        if self.memory:
            _write(self.memory, "memory.failcnt", "0")
            if write:
                _write_limit_v1(self.memory, memory)
            self._oom_kills = self._read_memory_event()
        if self.pids and write:
            _write(self.pids, "pids.max", str(max_pids))
        if self.v2:
            if write:
                _write(self.v2, "memory.max", memory)
                _write(self.v2, "memory.swap.max", "0")
                _write(self.v2, "pids.max", str(max_pids))
            self._oom_kills = self._read_memory_event()
            self._v2_max_hits = self._read_memory_event("max")

    @property
    def limits_memory(self) -> bool:
        return bool(self.memory or (self.v2 and os.path.exists(f"{self.v2}/memory.max")))

    def join_self(self) -> None:
        """Move the calling process, single-threaded, into the cgroups. Its own thread written as
        "0" to a v1 `tasks` file is moved without the global lock that moving another process
        takes: the fork server's join of a new child waited 6-9 ms for that lock while the child
        built its namespaces."""
        for procs in self.procs_files:
            directory = os.path.dirname(procs)
            tasks = os.path.join(directory, "tasks")
            path = tasks if directory != self.v2 and os.path.exists(tasks) else procs
            fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
            try:
                os.write(fd, b"0")
            finally:
                os.close(fd)

    def _read_memory_event(self, counter: str = "oom_kill") -> int:
        """A counter of the memory controller's events (oom_kill; on v2 also max)."""
        path = self.memory or self.v2
        if not path:
            return 0
        name = "memory.oom_control" if self.memory else "memory.events"
        try:
            with open(os.path.join(path, name)) as handle:
                for line in handle:
                    key, _, value = line.partition(" ")
                    if key == counter:
                        return int(value)
        except (OSError, ValueError):
            pass
        return 0

    def memory_exceeded(self) -> bool:
        if self.memory:
            try:
                with open(os.path.join(self.memory, "memory.failcnt")) as handle:
                    if int(handle.read().strip() or 0) > 0:
                        return True
            except (OSError, ValueError):
                pass
        if self.v2 and self._read_memory_event("max") > self._v2_max_hits:
            return True  # usage reached memory.max (v1's failcnt)
        return self._read_memory_event() > self._oom_kills

    def pids_in(self) -> list[int]:
        found: set[int] = set()
        for procs in self.procs_files:
            try:
                with open(procs) as handle:
                    found.update(int(line) for line in handle if line.strip())
            except (OSError, ValueError):
                pass
        return sorted(found)

    def kill_all(self) -> None:
        if self.v2 and os.path.exists(os.path.join(self.v2, "cgroup.kill")):
            _write(self.v2, "cgroup.kill", "1")
        for _ in range(100):
            pids = self.pids_in()
            if not pids:
                return
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, 9)
            reap()
            if self.pids_in():
                os.sched_yield()

    def remove(self) -> None:
        self.kill_all()
        for path in (self.memory, self.pids, self.v2):
            if path:
                with contextlib.suppress(OSError):
                    os.rmdir(path)


# Exit statuses of children reaped while cleaning up, for whoever waits on them afterwards.
REAPED: dict[int, int] = {}


def reap() -> None:
    """Reap exited children (a subreaper inherits the orphans of every job)."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        REAPED[pid] = status
        if len(REAPED) > 1000:
            REAPED.clear()


def wait_child(pid: int) -> int:
    """os.waitpid(pid, 0)'s status, also when _reap got there first."""
    if pid in REAPED:
        return REAPED.pop(pid)
    try:
        return os.waitpid(pid, 0)[1]
    except ChildProcessError:
        return REAPED.pop(pid, 0)


def _own_cgroups() -> dict[str, str]:
    """controller -> own cgroup path ("" key for the v2 unified hierarchy)."""
    own: dict[str, str] = {}
    try:
        with open("/proc/self/cgroup") as handle:
            for line in handle:
                _, controllers, path = line.rstrip("\n").split(":", 2)
                for controller in controllers.split(","):
                    own[controller] = path
    except OSError:
        pass
    return own


def _remove_stale(parent: str, *, prefix: str) -> None:
    """Remove the empty cgroups of fork servers that died without cleaning up."""
    try:
        entries = os.listdir(parent)
    except OSError:
        return
    for entry in entries:
        owner = entry[len(prefix) :]
        if not entry.startswith(prefix) or not owner.isdigit():
            continue
        if os.path.exists(f"/proc/{owner}"):
            continue
        with contextlib.suppress(OSError):
            os.rmdir(os.path.join(parent, entry))


def _make(path: str) -> str | None:
    try:
        os.makedirs(path, exist_ok=True)
    except OSError:
        return None
    return path if os.access(os.path.join(path, "cgroup.procs"), os.W_OK) else None


def _make_v2(own: str, name: str) -> str | None:
    base = "/sys/fs/cgroup"
    if not os.path.exists(os.path.join(base, "cgroup.controllers")):
        return None
    parent = os.path.join(base + own)
    try:
        with open(os.path.join(parent, "cgroup.subtree_control")) as handle:
            enabled = handle.read().split()
    except OSError:
        return None
    if "memory" not in enabled or "pids" not in enabled:
        return None  # not delegated with the controllers needed; rlimits take over
    return _make(os.path.join(parent, name))


def _write(directory: str, name: str, value: str) -> None:
    try:
        with open(os.path.join(directory, name), "w") as handle:
            handle.write(value)
    except OSError:
        pass


def _write_limit_v1(directory: str, memory: str) -> None:
    swap = os.path.join(directory, "memory.memsw.limit_in_bytes")
    if os.path.exists(swap):
        # memsw must stay >= the memory limit: try both orders.
        _write(directory, "memory.memsw.limit_in_bytes", memory)
        _write(directory, "memory.limit_in_bytes", memory)
        _write(directory, "memory.memsw.limit_in_bytes", memory)
    else:
        _write(directory, "memory.limit_in_bytes", memory)
