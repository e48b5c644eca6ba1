"""Hostile submissions: each ends in its expected status, leaks nothing, leaves nothing running,
and the same sandbox grades a correct softmax right afterwards."""

from __future__ import annotations

import os
import time

import numpy as np
import pytest

from grader import isolation
from grader.sandbox import Call, Job, Limits

from .conftest import SMALL_LIMITS, assert_grades_softmax

SECRET_ENV = "DLQUIZ_TEST_SECRET"
SECRET_VALUE = "s3cr3t-value-only-in-the-worker"
# Lives only in the trusted (test) process; no submission may find it.
EXPECTED_SENTINEL = np.full(7, 1234.5678, dtype=np.float64)

PROBE = "def f(x):\n    return {body}\n"
# Present in the worker's environment before the sandbox starts; must never reach a child.
os.environ[SECRET_ENV] = SECRET_VALUE


def _job(source: str, *, limits: Limits = SMALL_LIMITS, calls: int = 1) -> Job:
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    return Job(
        source=source,
        entry_point="f",
        framework="torch",
        calls=tuple(Call(name=f"c{i}", args=(x,), kwargs={}) for i in range(calls)),
        limits=limits,
    )


HOSTILE = [
    # (id, source, expected status of the first call)
    ("infinite loop", "def f(x):\n    while True:\n        pass\n", "time_limit_exceeded"),
    ("sleep", "import time\ndef f(x):\n    time.sleep(30)\n", "time_limit_exceeded"),
    ("loop at import", "while True:\n    pass\ndef f(x):\n    return x\n", "time_limit_exceeded"),
    (
        "memory bomb",
        "def f(x):\n    blocks = []\n    while True:\n        blocks.append(bytearray(16 << 20))\n",
        "memory_limit_exceeded",
    ),
    (
        "numpy memory bomb",
        "import numpy as np\ndef f(x):\n    a = np.ones((1 << 30,), dtype=np.float64)\n    return float(a.sum())\n",
        "memory_limit_exceeded",
    ),
    (
        "fork bomb",
        "import os\ndef f(x):\n    n = 0\n    while True:\n        try:\n            if os.fork() == 0:\n"
        "                import time; time.sleep(60)\n            n += 1\n        except OSError:\n"
        "            return n\n",
        "ok",
    ),
    (
        "thread bomb",
        "import threading, time\ndef f(x):\n    n = 0\n    while True:\n        try:\n"
        "            threading.Thread(target=time.sleep, args=(60,), daemon=True).start()\n"
        "            n += 1\n        except RuntimeError:\n            return n\n",
        "ok",
    ),
    (
        "output flood",
        "def f(x):\n    while True:\n        print('x' * 1000)\n",
        "output_limit_exceeded",
    ),
    (
        "stderr flood",
        "import sys, os\ndef f(x):\n    while True:\n        os.write(2, b'y' * 4096)\n",
        "output_limit_exceeded",
    ),
    (
        "disk fill",
        "def f(x):\n    with open('fill', 'wb') as out:\n        while True:\n"
        "            out.write(b'0' * (1 << 20))\n",
        "raised",
    ),
    ("sys.exit", "import sys\ndef f(x):\n    sys.exit(0)\n", "runtime_error"),
    ("os._exit", "import os\ndef f(x):\n    os._exit(0)\n", "runtime_error"),
    ("segfault", "import ctypes\ndef f(x):\n    return ctypes.string_at(0)\n", "runtime_error"),
    (
        "deep recursion",
        "def f(x, n=0):\n    return f(x, n + 1)\n",
        "raised",
    ),
    (
        "kill the parent",
        "import os, signal\ndef f(x):\n    for pid in (os.getppid(), 1, -1):\n        try:\n"
        "            os.kill(pid, signal.SIGKILL)\n        except OSError:\n            pass\n"
        "    return x\n",
        None,  # dies (runtime_error) or survives (ok): either way the grading goes on
    ),
    (
        "always-equal object",
        "class Eq:\n    def __eq__(self, other):\n        return True\n    __hash__ = None\n"
        "def f(x):\n    return Eq()\n",
        "invalid_output",
    ),
    (
        "tensor subclass",
        "import torch\nclass T(torch.Tensor):\n    def __eq__(self, o):\n        return True\n"
        "def f(x):\n    return x.as_subclass(T)\n",
        "invalid_output",
    ),
    (
        "ndarray subclass",
        "import numpy as np\nclass A(np.ndarray):\n    pass\ndef f(x):\n    return np.zeros(3).view(A)\n",
        "invalid_output",
    ),
    (
        "parameter",
        "import torch\ndef f(x):\n    return torch.nn.Parameter(x)\n",
        "invalid_output",
    ),
    (
        "pickle payload",
        "import pickle, os\nclass P:\n    def __reduce__(self):\n        return (os.system, ('true',))\n"
        "def f(x):\n    return {'value': pickle.dumps(P())}\n",
        "invalid_output",
    ),
    (
        "object array",
        "import numpy as np\ndef f(x):\n    return np.array([object()], dtype=object)\n",
        "invalid_output",
    ),
    (
        "oversized return",
        "import numpy as np\ndef f(x):\n    return np.zeros((5 << 20,), dtype=np.float32)\n",
        "output_limit_exceeded",
    ),
    (
        "network connect",
        "import socket\ndef f(x):\n    socket.create_connection(('1.1.1.1', 80), timeout=1)\n    return 'connected'\n",
        "raised",
    ),
]


@pytest.mark.parametrize("case_id, source, expected", HOSTILE, ids=[c[0] for c in HOSTILE])
def test_hostile_submission_gets_its_status(sandbox, case_id, source, expected):
    """The hostile submission ends in the expected status; the next job is graded correctly."""
    # A memory bomb gets more time: on a loaded host, reaching the cgroup limit (page faults,
    # reclaim, the OOM kill) can take longer than a second, which would read as a time limit.
    per_call = 5.0 if expected == "memory_limit_exceeded" else 1.0
    limits = Limits(
        time_per_call_s=per_call, time_total_s=4.0 * per_call, memory_mb=256, max_pids=16,
        result_mb=16, output_bytes=16 * 1024, file_size_mb=4,
    )  # fmt: skip
    started = time.monotonic()
    result = sandbox.run(_job(source, limits=limits))
    assert time.monotonic() - started < 15
    outcome = result.outcomes[0]
    if expected is not None:
        assert outcome.status == expected, (outcome, result.compile_error, result.stderr[-500:])
    else:
        assert outcome.status in ("ok", "runtime_error"), outcome
    if expected == "ok":
        assert 0 <= outcome.value < limits.max_pids  # the bomb hit the process limit
    assert_no_sandbox_process_left(sandbox)
    assert_grades_softmax(sandbox)


def test_c_stack_overflow_is_a_runtime_error(sandbox):
    """Overflowing the C stack (recursion limit lifted) kills the process: runtime_error."""
    source = (
        "import sys\nsys.setrecursionlimit(10**8)\ndef f(x):\n    nested = []\n"
        "    for _ in range(60000):\n        nested = [nested]\n    return repr(nested)\n"
    )
    limits = Limits(time_per_call_s=8.0, time_total_s=10.0, memory_mb=256, max_pids=16)
    outcome = sandbox.run(_job(source, limits=limits)).outcomes[0]
    assert outcome.status == "runtime_error"
    assert "segmentation fault" in outcome.message
    assert_grades_softmax(sandbox)


def test_loading_loop_leaves_remaining_calls_not_run(sandbox):
    """A loop at import uses the first call's time; the others are not run."""
    result = sandbox.run(_job("while True:\n    pass\ndef f(x):\n    return x\n", calls=3))
    assert [o.status for o in result.outcomes] == [
        "time_limit_exceeded",
        "not_run",
        "not_run",
    ]
    assert "loading" in result.outcomes[0].message


def test_a_crash_only_costs_its_own_call(sandbox):
    """After a call kills its process, the next call runs in a fresh one."""
    source = "import os\ndef f(x):\n    if x.sum() > 100:\n        os._exit(3)\n    return x.sum().item()\n"
    small = np.ones(3, dtype=np.float32)
    big = np.full(3, 100, dtype=np.float32)
    job = Job(
        source=source,
        entry_point="f",
        framework="torch",
        calls=(
            Call("big", (big,), {}),
            Call("small", (small,), {}),
            Call("loop", (big,), {}),
        ),
        limits=SMALL_LIMITS,
    )
    result = sandbox.run(job)
    assert [o.status for o in result.outcomes] == ["runtime_error", "ok", "runtime_error"]
    assert result.outcomes[1].value == 3.0
    assert "code 3" in result.outcomes[0].message


def test_time_limit_per_call_then_fresh_child(sandbox):
    """A call that times out is killed; the remaining calls still run within the total."""
    source = "import time\ndef f(x):\n    if x.sum() > 100:\n        time.sleep(10)\n    return 1\n"
    job = Job(
        source=source,
        entry_point="f",
        framework="torch",
        calls=(
            Call("slow", (np.full(3, 100, dtype=np.float32),), {}),
            Call("fast", (np.ones(3, dtype=np.float32),), {}),
        ),
        limits=SMALL_LIMITS,
    )
    result = sandbox.run(job)
    assert [o.status for o in result.outcomes] == ["time_limit_exceeded", "ok"]
    assert "time limit" in result.outcomes[0].message


def test_total_time_limit_marks_remaining_calls_not_run(sandbox):
    """When the job's total wall time is used up, the remaining calls are not run."""
    source = "import time\ndef f(x):\n    time.sleep(0.6)\n    return 1\n"
    limits = Limits(time_per_call_s=1.0, time_total_s=1.5, memory_mb=256, max_pids=16)
    result = sandbox.run(_job(source, limits=limits, calls=4))
    statuses = [o.status for o in result.outcomes]
    assert statuses[:2] == ["ok", "ok"]
    assert "not_run" in statuses[2:] and "ok" not in statuses[2:]


def test_secrets_are_not_visible(sandbox):
    """Environment variables of the worker, /proc/1/environ and the project's files are out of
    reach of the submission."""
    settings = os.path.join(PROJECT_ROOT, "dlquiz", "settings.py")
    manage = os.path.join(PROJECT_ROOT, "manage.py")
    body = (
        "{'env': dict(os.environ), 'proc1': _read('/proc/1/environ'),"
        " 'self': _read('/proc/self/environ'),"
        f" 'settings': _read({settings!r}), 'root': os.path.exists('/root/.bashrc'),"
        f" 'work': os.path.exists({manage!r}), 'tmp': os.listdir('/tmp'),"
        " 'cwd_entries': os.listdir('.'),"
        " 'pids': sorted(os.listdir('/proc'))[:50], 'uid': os.getuid(), 'cwd': os.getcwd()}"
    )
    source = (
        "import os\ndef _read(path):\n    try:\n        with open(path, 'rb') as f:\n"
        "            return f.read().decode('latin-1')\n    except OSError as e:\n"
        "        return 'ERR ' + type(e).__name__\n" + PROBE.format(body=body)
    )
    result = sandbox.run(_job(source))
    outcome = result.outcomes[0]
    assert outcome.status == "ok", outcome
    seen = outcome.value
    text = repr(seen)
    assert SECRET_VALUE not in text
    assert "DJANGO" not in text and "REDIS_URL" not in text and "DATABASE_URL" not in text
    assert sorted(seen["env"]) == ["HOME", "LANG", "PATH", "TMPDIR"]
    assert seen["settings"].startswith("ERR")
    assert seen["root"] is False and seen["work"] is False
    # The host's /tmp is not there: the child's /tmp is its empty work dir, or (when the runtime
    # itself lives under /tmp) only the path down to the read-only runtime.
    plan = isolation.fs_plan()
    runtime_under_tmp = {path.split("/")[2] for path in plan.read_only if path.startswith("/tmp/")}
    assert set(seen["tmp"]) == runtime_under_tmp
    assert seen["cwd"] == plan.work_dir and seen["cwd_entries"] == []
    assert seen["uid"] != 0
    # Only the submission's own process is visible in its PID namespace.
    assert [p for p in seen["pids"] if p.isdigit()] == ["1"]


def test_no_expected_values_in_reach(sandbox):
    """gc and frame inspection find nothing but the submission's own data: a sentinel held by the
    trusted process never reaches the child."""
    assert EXPECTED_SENTINEL.sum() > 0
    source = (
        "import gc, sys, numpy as np\ndef f(x):\n    hits = 0\n"
        "    for obj in gc.get_objects():\n"
        "        try:\n"
        "            if isinstance(obj, np.ndarray) and obj.size == 7 and float(obj.flat[0]) == 1234.5678:\n"
        "                hits += 1\n"
        "        except Exception:\n            pass\n"
        "    frame = sys._getframe()\n    depth = 0\n"
        "    while frame is not None:\n        depth += 1\n        frame = frame.f_back\n"
        "    raw = b''\n"
        "    with open('/proc/self/maps') as maps:\n        regions = maps.read()\n"
        "    return hits, depth, np.float64(1234.5678).tobytes() in open('/proc/self/cmdline','rb').read()\n"
    )
    result = sandbox.run(_job(source))
    outcome = result.outcomes[0]
    assert outcome.status == "ok", outcome
    hits, _, in_cmdline = outcome.value
    assert hits == 0 and in_cmdline is False


def test_monkeypatching_comparisons_only_changes_the_child(sandbox):
    """Patching numpy/torch comparison functions in the child cannot change the data returned:
    the value that comes back is the real array."""
    source = (
        "import numpy as np, torch\n"
        "np.allclose = lambda *a, **k: True\nnp.testing.assert_allclose = lambda *a, **k: None\n"
        "np.array_equal = lambda *a, **k: True\ntorch.allclose = lambda *a, **k: True\n"
        "torch.Tensor.__eq__ = lambda *a: True\n"
        "def f(x):\n    return x * 0 + 7\n"
    )
    result = sandbox.run(_job(source))
    outcome = result.outcomes[0]
    assert outcome.status == "ok"
    assert type(outcome.value) is np.ndarray
    assert not np.allclose(outcome.value, np.arange(6, dtype=np.float32).reshape(2, 3))
    assert (outcome.value == 7).all()
    assert_grades_softmax(sandbox)


def test_fake_result_on_stdout_is_ignored(sandbox):
    """Printing something that looks like a result changes nothing: stdout is only captured."""
    fake = '{"status": "ok", "value": [1, 2, 3], "time_ms": 0.001}'
    source = f"def f(x):\n    print({fake!r})\n    return 'real'\n"
    result = sandbox.run(_job(source))
    assert result.outcomes[0].value == "real"
    assert fake in result.stdout


def test_daemon_does_not_outlive_grading(sandbox):
    """A forked daemon (double fork, new session) and daemon threads die with the job."""
    source = (
        "import os, time, threading\n"
        "def f(x):\n"
        "    threading.Thread(target=time.sleep, args=(60,), daemon=True).start()\n"
        "    if os.fork() == 0:\n"
        "        os.setsid()\n"
        "        if os.fork() == 0:\n"
        "            time.sleep(60)\n"
        "        os._exit(0)\n"
        "    return 1\n"
    )
    result = sandbox.run(_job(source))
    assert result.outcomes[0].status == "ok"
    assert_no_sandbox_process_left(sandbox)


def test_fork_server_death_is_survived(sandbox):
    """If the fork server dies, the sandbox restarts it and the job still runs."""
    import signal

    old = sandbox.pid
    os.kill(old, signal.SIGKILL)
    time.sleep(0.1)
    assert_grades_softmax(sandbox)
    assert sandbox.pid != old


PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def assert_no_sandbox_process_left(sandbox) -> None:
    """No process runs as the sandbox uid (within a short grace for the kernel's teardown)."""
    uid = sandbox.info.get("uid")
    deadline = time.monotonic() + 3
    while True:
        left = []
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/status") as status:
                    for line in status:
                        if line.startswith("Uid:"):
                            if int(line.split()[1]) == uid:
                                left.append(pid)
                            break
            except OSError:
                continue
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert not left, f"processes of the sandbox uid {uid} still alive: {left}"
