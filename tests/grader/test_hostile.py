"""Hostile submissions: each ends in its expected status, leaks nothing, leaves nothing running,
and the same sandbox grades a correct softmax right afterwards."""

from __future__ import annotations

import os
import textwrap
import time

import numpy as np
import pytest

from exercises.registry import exercise_get
from grader import isolation
from grader.grading import grade
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
    assert seen["env"]["HOME"] == seen["env"]["TMPDIR"] == seen["cwd"]  # the work dir
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


# --- judge integrity: what a submission can do to the judge itself --------------------------------


def _grade(sandbox, slug: str, framework: str, source: str, **options):
    return grade(
        exercise=exercise_get(slug),
        framework=framework,
        source=textwrap.dedent(source),
        sandbox=sandbox,
        **options,
    )


def _perf_test(result):
    return next(test for test in result.tests if test.name.startswith("fast enough"))


# A correct torch softmax that is slow (a sleep) on the performance input only: hundreds of times
# the model solution, whatever the host.
SLOW_SOFTMAX = """
import time
import torch

def _softmax(x, dim=-1):
    e = torch.exp(x - x.amax(dim=dim, keepdim=True))
    return e / e.sum(dim=dim, keepdim=True)

def _slow(x, dim=-1):
    if x.numel() > 100_000:
        time.sleep(0.4)
    return _softmax(x, dim)
"""

TIMING_FORGERS = [
    (
        "slow work in the driver's argument conversion, before the call starts",
        SLOW_SOFTMAX
        + """
import sys
CACHE = []
driver = sys.modules["grader.child"].Driver
convert = driver._to_student

def _to_student(self, value):
    out = convert(self, value)
    if type(out) is tuple and out and isinstance(out[0], torch.Tensor) and out[0].numel() > 100_000:
        CACHE.append(_slow(out[0]))
    return out

driver._to_student = _to_student

def softmax(x, dim=-1):
    return CACHE.pop() if CACHE else _softmax(x, dim)
""",
    ),
    (
        "slow work in numpy's array copy, which converted the arguments",
        SLOW_SOFTMAX
        + """
import numpy as np
CACHE = []
copy = np.array

def array(obj, *args, **kwargs):
    out = copy(obj, *args, **kwargs)
    if isinstance(obj, np.ndarray) and obj.size > 100_000 and obj.dtype == np.float32:
        CACHE.append(_slow(torch.from_numpy(copy(obj))))
    return out

np.array = array
torch_from_numpy = torch.from_numpy

def softmax(x, dim=-1):
    return CACHE.pop() if CACHE else _slow(x, dim)
""",
    ),
    (
        "slow work in the frames the driver sends once the call returned",
        SLOW_SOFTMAX
        + """
import sys
child = sys.modules["grader.child"]
for name in ("send", "_flush"):
    original = getattr(child, name, None)
    if original is not None:
        setattr(child, name, lambda *a, _o=original, **k: (time.sleep(0.4), _o(*a, **k))[1])
child.Driver._send_parts = (lambda send: lambda self, kind, parts: (
    time.sleep(0.4) if kind == b"R" else None, send(self, kind, parts))[1]
)(child.Driver._send_parts)

def softmax(x, dim=-1):
    return _slow(x, dim)
""",
    ),
]


@pytest.mark.parametrize(
    "case_id, source", TIMING_FORGERS, ids=[forger[0] for forger in TIMING_FORGERS]
)
def test_slow_work_cannot_be_moved_out_of_the_timed_window(sandbox, case_id, source):
    """A solution hundreds of times too slow is too_slow wherever it hides its slow work: the fork
    server times each repetition from sending its inputs until its result arrived, and the child
    reports no time of its own."""
    result = _grade(sandbox, "softmax", "torch", source)
    perf = _perf_test(result)
    assert perf.status == "too_slow", (perf, result.stderr[-300:])
    assert perf.time_ms >= 3 * 400
    assert all(t.status == "passed" for t in result.tests if t is not perf)
    assert_no_sandbox_process_left(sandbox)


def test_stdout_replaced_to_finish_the_result_after_the_call_gets_no_pass(sandbox):
    """A submission that returns a placeholder and fills it in from sys.stdout.flush (which the
    driver used to call after the call's timer stopped) gets wrong_answer: the driver flushes its
    own streams, and the result it sends is the one returned."""
    source = """
    import sys, torch
    PENDING = []

    class Out:
        def write(self, text):
            return len(text)

        def flush(self):
            while PENDING:
                out, x = PENDING.pop()
                e = torch.exp(x - x.amax(-1, keepdim=True))
                out.copy_(e / e.sum(-1, keepdim=True))

    sys.stdout = Out()

    def softmax(x, dim=-1):
        out = torch.zeros_like(x)
        PENDING.append((out, x))
        return out
    """
    result = _grade(sandbox, "softmax", "torch", source)
    assert result.verdict == "wrong_answer"
    assert result.tests[0].status == "wrong_answer"


@pytest.mark.parametrize(
    "source",
    [
        # Garbage on every repetition but the last one.
        """
        import torch
        SEEN = []
        def softmax(x, dim=-1):
            if x.numel() > 100_000:
                SEEN.append(1)
                if len(SEEN) < 3:
                    return torch.zeros_like(x)
            e = torch.exp(x - x.amax(dim=dim, keepdim=True))
            return e / e.sum(dim=dim, keepdim=True)
        """,
        # The first repetition's result, cached by shape, returned for the others.
        """
        import torch
        CACHE = {}
        def softmax(x, dim=-1):
            key = (tuple(x.shape), dim)
            if key not in CACHE:
                e = torch.exp(x - x.amax(dim=dim, keepdim=True))
                CACHE[key] = e / e.sum(dim=dim, keepdim=True)
            return CACHE[key].clone()
        """,
    ],
    ids=["garbage on early repetitions", "result cached across repetitions"],
)
def test_every_repetition_is_checked(sandbox, source):
    """Every repetition of the performance test is checked on inputs of its own: garbage on the
    first ones, or one result reused for all, is wrong_answer."""
    result = _grade(sandbox, "softmax", "torch", source)
    perf = _perf_test(result)
    assert perf.status == "wrong_answer", perf
    assert perf.message.startswith("repetition ")


FORBIDDEN_BYPASSES = [
    # (id, exercise, framework, source)
    (
        "aten kernel fetched by name through TorchScript's operator lookup",
        "softmax",
        "torch",
        """
        import torch
        def softmax(x, dim=-1):
            op, _ = getattr(torch._C, "_jit_get_" + "operation")("aten::" + "_soft" + "max")
            return op(x, dim, False)
        """,
    ),
    (
        "private _safe_softmax",
        "softmax",
        "torch",
        """
        import torch
        def softmax(x, dim=-1):
            return getattr(torch, "_safe_" + "soft" + "max")(x, dim)
        """,
    ),
    (
        "private _masked_softmax",
        "softmax",
        "torch",
        """
        import torch
        def softmax(x, dim=-1):
            mask = torch.zeros(x.shape, dtype=torch.bool)
            return getattr(torch, "_masked_" + "soft" + "max")(x, mask, dim)
        """,
    ),
    (
        "sparse softmax",
        "softmax",
        "torch",
        """
        import torch
        def softmax(x, dim=-1):
            return getattr(torch.sparse, "soft" + "max")(x.to_sparse(), dim).to_dense()
        """,
    ),
    (
        "softmax out of scaled_dot_product_attention",
        "softmax",
        "torch",
        """
        import torch
        def softmax(x, dim=-1):
            rows = x.movedim(dim, -1).reshape(-1, x.shape[dim])
            n = rows.shape[-1]
            q = torch.ones(rows.shape[0], 1, 1)
            k = rows.unsqueeze(-1)
            v = torch.eye(n).expand(rows.shape[0], n, n)
            sdpa = getattr(torch.nn.functional, "scaled_dot_product_" + "attention")
            out = sdpa(q, k, v, scale=1.0).squeeze(1)
            return out.reshape(x.movedim(dim, -1).shape).movedim(-1, dim)
        """,
    ),
    (
        "softmax out of multi_head_attention_forward's weights",
        "softmax",
        "torch",
        """
        import torch
        def softmax(x, dim=-1):
            rows = x.movedim(dim, -1).reshape(-1, x.shape[dim])
            count, n = rows.shape
            one = torch.ones(1, 1)
            mha = getattr(torch.nn.functional, "multi_head_" + "attention_forward")
            _, weights = mha(
                torch.ones(1, count, 1), rows.T.unsqueeze(-1), rows.T.unsqueeze(-1), 1, 1,
                None, None, None, None, False, 0.0, one, torch.zeros(1), training=False,
                need_weights=True, use_separate_proj_weight=True, q_proj_weight=one,
                k_proj_weight=one, v_proj_weight=one,
            )
            return weights.squeeze(1).reshape(x.movedim(dim, -1).shape).movedim(-1, dim)
        """,
    ),
    (
        "conv-output-size from a 3-D convolution of depth 1 on meta tensors",
        "conv-output-size",
        "python",
        """
        import torch
        def _pair(v):
            return tuple(v) if isinstance(v, (tuple, list)) else (v, v)
        def conv2d_output_size(h, w, kernel_size, stride=1, padding=0, dilation=1):
            (kh, kw), (sh, sw), (ph, pw), (dh, dw) = map(_pair, (kernel_size, stride, padding, dilation))
            conv = getattr(torch.nn.functional, "conv" + "3d")
            x = torch.empty(1, 1, 1, h, w, device="meta")
            k = torch.empty(1, 1, 1, kh, kw, device="meta")
            out = conv(x, k, stride=(1, sh, sw), padding=(0, ph, pw), dilation=(1, dh, dw))
            return tuple(out.shape[-2:])
        """,
    ),
    (
        "conv-output-size from a dilated max pooling on meta tensors",
        "conv-output-size",
        "python",
        """
        import torch
        def _pair(v):
            return tuple(v) if isinstance(v, (tuple, list)) else (v, v)
        def conv2d_output_size(h, w, kernel_size, stride=1, padding=0, dilation=1):
            pool = getattr(torch.nn.functional, "max_" + "pool2d")
            x = torch.empty(1, 1, h, w, device="meta")
            out = pool(x, _pair(kernel_size), _pair(stride), _pair(padding), _pair(dilation))
            return tuple(out.shape[-2:])
        """,
    ),
    (
        "autograd through a fresh engine instance",
        "mlp-backprop",
        "torch",
        """
        import torch
        def mlp_backward(x, y, w1, b1, w2, b2):
            engine = getattr(torch._C, "_Imperative" + "Engine")()
            return engine
        """,
    ),
    (
        "autograd by calling the graph's own nodes by hand",
        "mlp-backprop",
        "torch",
        """
        import torch
        def mlp_backward(x, y, w1, b1, w2, b2):
            w1 = w1.clone().detach()
            setattr(w1, "requires_" + "grad", True)
            h = torch.relu(x @ w1 + b1)
            loss = (h @ w2 + b2).sum()
            node = loss.grad_fn
            grads = node(torch.ones(()))
            return {"loss": loss.detach(), "dw1": grads, "db1": b1, "dw2": w2, "db2": b2}
        """,
    ),
    (
        "lstm_cell through torch._VF",
        "lstm-step",
        "torch",
        """
        import torch
        def lstm_step(x, h, c, w_ih, w_hh, b_ih, b_hh):
            cell = getattr(getattr(torch, "_" + "VF"), "lstm" + "_cell")
            return cell(x, (h, c), w_ih, w_hh, b_ih, b_hh)
        """,
    ),
    (
        "the guard's dispatch mode popped, then the library softmax",
        "softmax",
        "torch",
        """
        import importlib, torch
        dispatch = importlib.import_module("torch.utils._python" + "_dispatch")
        def softmax(x, dim=-1):
            getattr(dispatch, "_pop" + "_mode")()
            return getattr(torch, "soft" + "max")(x, dim)
        """,
    ),
    (
        "the Python dispatch key excluded, then the library softmax",
        "softmax",
        "torch",
        """
        import torch
        def softmax(x, dim=-1):
            getattr(torch._C, "_dispatch_tls_set_dispatch_key_" + "excluded")(
                torch._C.DispatchKey.Python, True)
            return getattr(torch, "soft" + "max")(x, dim)
        """,
    ),
    (
        "the library softmax in a thread of its own",
        "softmax",
        "torch",
        """
        import threading, torch
        def softmax(x, dim=-1):
            out = []
            worker = threading.Thread(target=lambda: out.append(getattr(x, "soft" + "max")(dim)))
            worker.start()
            worker.join()
            return out[0]
        """,
    ),
]


@pytest.mark.parametrize(
    "case_id, slug, framework, source",
    FORBIDDEN_BYPASSES,
    ids=[bypass[0] for bypass in FORBIDDEN_BYPASSES],
)
def test_forbidden_routines_are_refused_however_reached(sandbox, case_id, slug, framework, source):
    """A library routine of a forbidden operator family is forbidden_api whatever the route: by
    an operator's name, a private kernel, a sibling routine that computes it, autograd machinery,
    or switching the guard off first."""
    result = _grade(sandbox, slug, framework, source)
    assert result.verdict == "forbidden_api", (
        [(t.name, t.status, t.message) for t in result.tests[:3]],
        result.stderr[-500:],
    )
    assert {t.status for t in result.tests} == {"forbidden_api"}
    assert result.score == 0
    assert_no_sandbox_process_left(sandbox)


HIDDEN_MARK = 9876.125  # exact in float32; only the hidden inputs hold it
SCAN_FOR_HIDDEN_INPUTS = """
import ctypes, gc, sys
import numpy as np

WORD = int(np.array(MARK, dtype=np.float32).view(np.uint32))


def run_of_marks(words):
    hits = np.flatnonzero(words == WORD)
    return hits.size >= 8 and bool((hits[7:] - hits[:-7] == 7).any())


def scan():
    found = []
    for obj in gc.get_objects():
        try:
            if isinstance(obj, np.ndarray) and obj.dtype == np.float32 and (obj == MARK).any():
                found.append("ndarray")
            elif type(obj).__name__ == "Tensor" and bool((obj == MARK).any()):
                found.append("tensor")
        except Exception:
            pass
    frame = sys._getframe()
    while frame is not None:
        for value in list(frame.f_locals.values()):
            if isinstance(value, (bytes, bytearray)) and len(value) >= 32:
                usable = len(value) // 4 * 4
                if run_of_marks(np.frombuffer(value[:usable], dtype=np.uint32)):
                    found.append("frame " + frame.f_code.co_name)
        frame = frame.f_back
    # Every anonymous writable page of the process, read in place.
    with open("/proc/self/maps") as maps:
        regions = [line.split() for line in maps]
    for fields in regions:
        if fields[1].startswith("rw") and (len(fields) < 6 or fields[5] == "[heap]"):
            start, end = (int(part, 16) for part in fields[0].split("-"))
            memory = (ctypes.c_uint32 * ((end - start) // 4)).from_address(start)
            if run_of_marks(np.frombuffer(memory, dtype=np.uint32)):
                found.append("memory")
    return sorted(set(found))


AT_IMPORT = scan()


def f(x):
    return {"import": AT_IMPORT, "call": scan()}
"""


def test_hidden_inputs_reach_the_child_only_with_their_call(sandbox):
    """A submission that walks gc.get_objects(), its frames and its own memory at import and in
    the first (visible) call finds no hidden input: each call's inputs arrive with its command.
    The same scan does find the hidden input in the hidden call itself."""
    sample = np.arange(16, dtype=np.float32)
    hidden = np.full(64, HIDDEN_MARK, dtype=np.float32)
    later = tuple(((np.full(32, HIDDEN_MARK, dtype=np.float32) + i,), {}) for i in range(3))
    job = Job(
        source=f"MARK = {HIDDEN_MARK!r}\n" + SCAN_FOR_HIDDEN_INPUTS,
        entry_point="f",
        framework="torch",
        calls=(
            Call("sample", (sample,), {}),
            Call("hidden", (hidden,), {}),
            Call("performance", later[0][0], {}, repetitions=later),
        ),
        limits=Limits(time_per_call_s=10, time_total_s=30, memory_mb=256, max_pids=16),
    )
    result = sandbox.run(job)
    first, second = result.outcomes[0], result.outcomes[1]
    assert first.status == "ok" and second.status == "ok", (result.compile_error, first, second)
    assert first.value == {"import": [], "call": []}
    assert second.value["import"] == [] and "memory" in second.value["call"]  # the scan works


def _crafted(frames_code: str, *, at_import: bool = False, result_mb: int = 16) -> Job:
    """A submission that writes `frames_code`'s bytes (a name FRAMES) to the result pipe itself,
    then waits for the fork server to act on them."""
    body = (
        "import json, os, struct, time\n"
        "def head(kind, size):\n    return kind + struct.pack('>Q', size)\n"
        "def blob(header, body=b''):\n"
        "    raw = json.dumps(header).encode()\n"
        "    raw += b' ' * (-(4 + len(raw)) % 64)\n"
        "    return struct.pack('>I', len(raw)) + raw + body\n"
        "def frame(kind, payload):\n    return head(kind, len(payload)) + payload\n"
        "def send():\n"
        f"{textwrap.indent(frames_code.strip(), '    ')}\n"
        "    for part in FRAMES:\n"
        "        view = memoryview(part)\n"
        "        while view:\n            view = view[os.write(4, view):]\n"
        "    time.sleep(30)\n"
    )
    body += "send()\ndef f(x):\n    return x\n" if at_import else "def f(x):\n    send()\n"
    limits = Limits(time_per_call_s=5, time_total_s=10, memory_mb=256, result_mb=result_mb)
    return Job(
        source=body,
        entry_point="f",
        framework="torch",
        calls=(Call("c0", (np.ones(4, np.float32),), {}),),
        limits=limits,
    )


CRAFTED_FRAMES = [
    # (id, code building FRAMES, at import, expected status)
    ("oversized load report", "FRAMES = [head(b'L', 1 << 30), b'0' * (1 << 20)]", True,
     "runtime_error"),
    ("load report just over its cap", "FRAMES = [frame(b'L', b'0' + b'x' * 60000)]", True,
     "runtime_error"),
    ("the old start frame", "FRAMES = [frame(b'S', b'')]", False, "runtime_error"),
    ("an unknown frame kind", "FRAMES = [frame(b'Z', b'anything')]", False, "runtime_error"),
    ("forbidden report over its cap", "FRAMES = [frame(b'F', b'x' * 100000)]", False,
     "runtime_error"),
    ("result frame larger than the limit", "FRAMES = [head(b'R', 1 << 40)]", False,
     "output_limit_exceeded"),
    ("result that is not a protocol blob", "FRAMES = [frame(b'R', b'\\xff' * 1000)]", False,
     "invalid_output"),
    ("result whose decoding numpy would refuse",
     "FRAMES = [frame(b'R', blob({'array': ['<f4', [0, 2**62, 2**62], 0]}))]", False,
     "invalid_output"),
    ("result claiming a status of its own",
     "FRAMES = [frame(b'R', blob({'dict': [['status', 'accepted']]}))]", False,
     "invalid_output"),
    ("result that is not a dict", "FRAMES = [frame(b'R', blob({'list': [1, 2]}))]", False,
     "invalid_output"),
    ("result with an int of 100000 digits", "FRAMES = [frame(b'R', b'\\0\\0\\x86\\xa0' + b'9' * 100000)]",
     False, "invalid_output"),
    ("result header nested 100000 deep",
     "FRAMES = [frame(b'R', struct.pack('>I', 200000) + b'[' * 100000 + b']' * 100000)]", False,
     "invalid_output"),
    ("result whose arrays all point at the same bytes",
     "arr = {'array': ['<f8', [1 << 19], 0]}\n"
     "FRAMES = [frame(b'R', blob({'dict': [['status', 'ok'], ['value_kind', 'python'],"
     " ['value', {'list': [arr] * 64}]]}, bytes(8 << 20)))]", False, "invalid_output"),
]  # fmt: skip


@pytest.mark.parametrize(
    "case_id, code, at_import, expected",
    CRAFTED_FRAMES,
    ids=[crafted[0] for crafted in CRAFTED_FRAMES],
)
def test_crafted_frames_end_in_a_verdict(sandbox, case_id, code, at_import, expected):
    """Whatever a submission writes to the result pipe itself ends in a status of its call, never
    in a fault of the sandbox: the fork server is the same process afterwards, and what the worker
    decoded stayed within the job's budget."""
    import tracemalloc

    server = sandbox.pid or (assert_grades_softmax(sandbox), sandbox.pid)[1]
    tracemalloc.start()
    try:
        result = sandbox.run(_crafted(code, at_import=at_import))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    outcome = result.outcomes[0]
    assert result.compile_error is None
    assert outcome.status == expected, (outcome, result.stderr[-300:])
    assert peak < 48 << 20  # 64 views of 8 MB would have been 512 MB
    assert sandbox.pid == server
    assert_grades_softmax(sandbox)
    assert sandbox.pid == server


def test_values_count_toward_the_result_limit(sandbox):
    """Strings count toward the result-size limit like arrays; so do many small values."""
    limits = Limits(time_per_call_s=5, time_total_s=10, memory_mb=512, result_mb=16)
    big_string = sandbox.run(_job("def f(x):\n    return 'x' * (20 << 20)\n", limits=limits))
    assert big_string.outcomes[0].status == "output_limit_exceeded"
    keys = sandbox.run(_job("def f(x):\n    return {str(i) * 100: i for i in range(200_000)}\n",
                            limits=limits))  # fmt: skip
    assert keys.outcomes[0].status == "output_limit_exceeded"


def test_the_worker_holds_a_bounded_amount_of_results_per_job(sandbox):
    """Calls that each return as much as allowed fill the job's total; the later ones are
    output_limit_exceeded, and the worker never held more than that total."""
    import tracemalloc

    source = "import numpy as np\ndef f(x):\n    return np.ones(15 << 18, dtype=np.float32)\n"
    limits = Limits(time_per_call_s=5, time_total_s=30, memory_mb=512, result_mb=16,
                    result_total_mb=32)  # fmt: skip
    tracemalloc.start()
    try:
        result = sandbox.run(_job(source, limits=limits, calls=6))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    statuses = [o.status for o in result.outcomes]
    assert statuses[:2] == ["ok", "ok"]
    assert set(statuses[2:]) == {"output_limit_exceeded"}
    assert peak < 48 << 20


def test_messages_and_outputs_are_capped_in_the_grade(sandbox):
    """A check message quoting what was returned, stdout and the compile message are capped:
    a megabyte string returned where an error belongs is stored as a short message."""
    result = _grade(
        sandbox,
        "conv-output-size",
        "python",
        """
        import sys
        print("y" * (1 << 20))
        def conv2d_output_size(h, w, kernel_size, stride=1, padding=0, dilation=1):
            return "x" * (1 << 20)
        """,
    )
    assert result.verdict != "accepted"
    assert max(len(t.message) for t in result.tests) <= 2000
    assert len(result.stdout) <= 64 * 1024
    failing = _grade(sandbox, "softmax", "torch", "raise ValueError('z' * (1 << 20))\n")
    assert failing.verdict == "compile_error" and len(failing.compile_message) <= 2000
