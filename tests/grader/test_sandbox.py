"""The sandbox's normal behaviour: frameworks, value kinds, exceptions, load failures, timing,
unsafe mode, the self-test and the CUDA helpers."""

from __future__ import annotations

import os
import platform
import socket
import subprocess
import sys
import time

import numpy as np
import pytest

from grader import isolation, protocol
from grader import sandbox as sandbox_module
from grader.child import TorchAdapter, cuda_device_nodes
from grader.forkserver import ZYGOTES_KEPT, Background
from grader.sandbox import Call, Job, Limits, Sandbox, sandbox_self_test, scrubbed_environment

from .conftest import SMALL_LIMITS, assert_grades_softmax, softmax_job

NUMPY_SOFTMAX = (
    "import numpy as np\ndef softmax(x, dim=-1):\n    e = np.exp(x - x.max(axis=dim, keepdims=True))\n"
    "    return e / e.sum(axis=dim, keepdims=True)\n"
)


def _run(sandbox, source, *calls, framework="python", entry="f", limits=SMALL_LIMITS):
    job = Job(
        source=source,
        entry_point=entry,
        framework=framework,
        calls=tuple(Call(name=f"c{i}", args=a, kwargs=k) for i, (a, k) in enumerate(calls)),
        limits=limits,
    )
    return sandbox.run(job)


def test_torch_softmax_round_trip(sandbox):
    """Under torch, ndarray inputs arrive as tensors and returned tensors come back as ndarrays."""
    assert_grades_softmax(sandbox)


def test_inputs_are_tensors_with_the_same_dtype(sandbox):
    """float32 stays float32, int64 stays int64, bool stays bool, on the CPU."""
    source = "import torch\ndef f(*xs):\n    return [(type(x).__name__, str(x.dtype), str(x.device)) for x in xs]\n"
    arrays = (np.zeros(2, np.float32), np.zeros(2, np.int64), np.zeros(2, bool))
    outcome = _run(sandbox, source, (arrays, {}), framework="torch").outcomes[0]
    assert outcome.value == [
        ("Tensor", "torch.float32", "cpu"),
        ("Tensor", "torch.int64", "cpu"),
        ("Tensor", "torch.bool", "cpu"),
    ]
    assert outcome.value_kind == "python"


def test_numpy_framework_and_value_kind(sandbox):
    """Under numpy the function gets ndarrays; the kind of what it returns is reported."""
    x = np.random.default_rng(3).standard_normal((2, 3)).astype(np.float32)
    outcome = _run(sandbox, NUMPY_SOFTMAX, ((x,), {}), framework="numpy", entry="softmax").outcomes[
        0
    ]
    assert outcome.status == "ok" and outcome.value_kind == "ndarray"
    assert outcome.value.dtype == np.float32
    np.testing.assert_allclose(outcome.value.sum(axis=-1), 1, rtol=1e-6)


def test_ndarray_returned_under_torch_is_flagged(sandbox):
    """A checker can tell an ndarray returned under framework torch."""
    source = "def f(x):\n    return x.numpy()\n"
    outcome = _run(sandbox, source, ((np.ones(2, np.float32),), {}), framework="torch").outcomes[0]
    assert outcome.status == "ok" and outcome.value_kind == "ndarray"


def test_python_values_keep_int_float_and_tuple(sandbox):
    """conv-output-size style returns: a tuple of Python ints stays a tuple of ints."""
    source = "def f(h, w, k=1):\n    return ((h - k) // 1 + 1, (w - k) // 1 + 1), 2.0, {'a': [None, True]}\n"
    outcome = _run(sandbox, source, ((5, 7), {"k": 3})).outcomes[0]
    assert outcome.value == ((3, 5), 2.0, {"a": [None, True]})
    assert type(outcome.value[0][0]) is int and type(outcome.value[1]) is float


def test_scalars_come_back_as_zero_d_arrays(sandbox):
    """A 0-d tensor and a numpy scalar come back as 0-d ndarrays with their dtype."""
    source = "import numpy as np\ndef f(x):\n    return x.sum(), np.float32(2.5)\n"
    outcome = _run(sandbox, source, ((np.ones(3, np.float32),), {}), framework="torch").outcomes[0]
    total, scalar = outcome.value
    assert total.shape == () and total.dtype == np.float32 and float(total) == 3.0
    assert scalar.shape == () and scalar.dtype == np.float32


def test_raised_exception_chain_and_line(sandbox):
    """A raised exception is reported with its class chain and the student's line number."""
    source = "def f(k):\n    if k <= 0:\n        raise ValueError('kernel must be positive')\n    return k\n"
    outcome = _run(sandbox, source, ((0,), {})).outcomes[0]
    assert outcome.status == "raised"
    assert outcome.exception.split(",")[:2] == ["ValueError", "Exception"]
    assert outcome.message == "ValueError: kernel must be positive (line 3)"


@pytest.mark.parametrize(
    "source, fragment",
    [
        ("def f(x:\n    return x\n", "SyntaxError"),
        ("raise RuntimeError('boom at import')\ndef f(x):\n    return x\n", "boom at import"),
        ("def g(x):\n    return x\n", "does not define f()"),
        ("f = 3\n", "not a function"),
        ("import sys\nsys.exit(3)\n", "sys.exit"),
    ],
)
def test_compile_errors(sandbox, source, fragment):
    """Syntax errors, exceptions at import and a missing entry point are compile errors."""
    result = _run(sandbox, source, ((1,), {}), ((2,), {}))
    assert result.compile_error and fragment in result.compile_error
    assert [o.status for o in result.outcomes] == ["not_run", "not_run"]


def test_inputs_are_fresh_copies_for_every_call(sandbox):
    """Modifying an input in place does not affect the next call or repetition."""
    source = "def f(x):\n    x += 1\n    return x.sum()\n"
    x = np.zeros(4, np.float32)
    job = Job(
        source=source,
        entry_point="f",
        framework="numpy",
        calls=(Call("a", (x,), {}), Call("b", (x,), {}, repetitions=(((x,), {}),) * 3)),
        limits=SMALL_LIMITS,
    )
    result = sandbox.run(job)
    assert [float(o.value) for o in result.outcomes] == [4.0, 4.0]
    assert [float(v) for v in result.outcomes[1].values] == [4.0, 4.0, 4.0]
    assert not x.any()


def test_every_repetition_gets_its_own_inputs_and_returns_its_own_value(sandbox):
    """A repeated call runs once per repetition on that repetition's inputs; every value comes
    back, in order, with the kind of each."""
    source = "def f(x, k=0):\n    return x * 2 + k\n"
    runs = tuple(((np.full(3, i, np.float32),), {"k": 10 * i}) for i in range(4))
    job = Job(
        source=source,
        entry_point="f",
        framework="torch",
        calls=(Call("perf", runs[0][0], runs[0][1], repetitions=runs),),
        limits=SMALL_LIMITS,
    )
    outcome = sandbox.run(job).outcomes[0]
    assert outcome.status == "ok"
    assert [float(v[0]) for v in outcome.values] == [0.0, 12.0, 24.0, 36.0]
    assert outcome.value_kinds == ("tensor",) * 4
    assert len(outcome.times_ms) == 4 and outcome.time_ms == pytest.approx(sum(outcome.times_ms))


def test_time_is_measured_outside_and_summed_over_repetitions(sandbox):
    """time_ms reflects the call's real duration, every repetition of it; a student cannot
    report its own."""
    source = "import time\ndef f(x):\n    time.sleep(0.05)\n    return 0\n"
    job = Job(
        source=source,
        entry_point="f",
        framework="python",
        calls=(Call("a", (0,), {}, repetitions=(((0,), {}),) * 3),),
        limits=SMALL_LIMITS,
    )
    outcome = sandbox.run(job).outcomes[0]
    assert outcome.status == "ok"
    assert all(45 <= t < 500 for t in outcome.times_ms)
    assert 150 <= outcome.time_ms < 1500


def test_numpy_runs_blas_on_one_thread_in_the_child(sandbox):
    """A worker grades one submission per core: a child's BLAS threads spin-waiting beside
    another child's made a matrix product many times slower and judged a model solution
    too slow, so children inherit a one-thread BLAS from the fork server."""
    source = (
        "import numpy as np\n"
        "from threadpoolctl import threadpool_info\n"
        "def f():\n"
        "    a = np.ones((256, 256))\n"
        "    a @ a\n"
        "    return [p['num_threads'] for p in threadpool_info() if p['user_api'] == 'blas']\n"
    )
    job = Job(
        source=source,
        entry_point="f",
        framework="numpy",
        calls=(Call("threads", (), {}),),
        limits=SMALL_LIMITS,
    )
    outcome = sandbox.run(job).outcomes[0]
    assert outcome.status == "ok", outcome
    assert outcome.value == [1]


def test_a_job_cut_short_after_its_submission_ends_the_child_it_started(monkeypatch):
    """The fork server hands the submission to a child before the job's inputs arrive. When the
    worker's end goes away in between, that fork server ends the child and exits cleanly, and the
    retry grades in a fresh one."""
    box = Sandbox(unsafe=False)
    box.start()
    cut = box._process
    frames: list[int] = []
    write_frame_parts = protocol.write_frame_parts

    def write_but_the_first_inputs(fd: int, parts: list) -> None:
        # The control frame and the submission went (write_frame); the inputs do not.
        frames.append(fd)
        if len(frames) == 1:
            raise BrokenPipeError
        write_frame_parts(fd, parts)

    monkeypatch.setattr(protocol, "write_frame_parts", write_but_the_first_inputs)
    try:
        job, expected = softmax_job()
        outcome = box.run(job).outcomes[0]
    finally:
        box.close()
    assert cut is not None and cut.returncode == 0
    assert len(frames) == 2  # cut once, then the retry's inputs
    assert outcome.status == "ok"
    np.testing.assert_allclose(outcome.value, expected, rtol=1e-5, atol=1e-6)


def test_a_repetition_that_raises_is_the_calls_outcome(sandbox):
    """When one repetition raises, the call raised, and the message says which repetition."""
    source = "def f(x):\n    if x == 2:\n        raise ValueError('two')\n    return x\n"
    runs = tuple(((i,), {}) for i in range(3))
    job = Job(
        source=source,
        entry_point="f",
        framework="python",
        calls=(Call("a", (0,), {}, repetitions=runs),),
        limits=SMALL_LIMITS,
    )
    outcome = sandbox.run(job).outcomes[0]
    assert outcome.status == "raised" and "ValueError" in outcome.exception
    assert outcome.message.startswith("repetition 3 of 3: ValueError: two")


def test_stdout_and_stderr_are_captured(sandbox):
    """Both streams are captured, separately."""
    source = (
        "import sys\ndef f(x):\n    print('out')\n    print('err', file=sys.stderr)\n    return 1\n"
    )
    result = _run(sandbox, source, ((0,), {}))
    assert result.stdout == "out\n" and result.stderr == "err\n"


def test_memory_limit_maps_to_status(sandbox):
    """Allocating past the memory limit is memory_limit_exceeded, naming the limit."""
    source = "import numpy as np\ndef f(x):\n    a = np.ones(64 << 20)\n    return float(a.sum())\n"
    limits = Limits(time_per_call_s=2, time_total_s=4, memory_mb=128)
    outcome = _run(sandbox, source, ((0,), {}), limits=limits).outcomes[0]
    assert outcome.status == "memory_limit_exceeded"
    assert "128 MB" in outcome.message


def test_each_job_gets_its_own_limits_in_the_cgroups(sandbox):
    """The limits are written only when they differ from the last job's; a job with other
    limits gets them, and one back at the first limits gets those again, so a memory hog is
    still stopped at the lower limit after a job with a higher one."""
    source = "import numpy as np\ndef f(x):\n    a = np.ones(x << 20)\n    return float(a.sum())\n"
    for memory_mb, max_pids, megabytes, status in (
        (128, 16, 1, "ok"),
        (384, 32, 24, "ok"),  # 192 MB of float64: over 128, under 384
        (384, 32, 24, "ok"),
        (128, 16, 24, "memory_limit_exceeded"),
    ):
        limits = Limits(time_per_call_s=2, time_total_s=4, memory_mb=memory_mb, max_pids=max_pids)
        outcome = _run(sandbox, source, ((megabytes,), {}), limits=limits).outcomes[0]
        assert outcome.status == status, (memory_mb, outcome)
        cgroups = sandbox.info["cgroups"]
        if cgroups["pids"]:
            with open(os.path.join(cgroups["pids"], "pids.max")) as handle:
                assert handle.read().strip() == str(max_pids)
        if cgroups["memory"]:
            with open(os.path.join(cgroups["memory"], "memory.limit_in_bytes")) as handle:
                assert int(handle.read()) == memory_mb << 20


def test_a_child_forked_for_other_operator_families_is_held_by_the_cgroups(sandbox):
    """A child moves itself into the job's cgroups before anything else runs. One forked on the
    spot, for operator families the waiting spare lacks, is limited like any other; the spare it
    replaced is gone once the reply is in, leaving only the next job's spare."""
    job, _ = softmax_job(forbidden_ops=("softmax",))
    assert sandbox.run(job).outcomes[0].status == "ok"
    source = "import numpy as np\ndef f(x):\n    a = np.ones(64 << 20)\n    return float(a.sum())\n"
    limits = Limits(time_per_call_s=2, time_total_s=4, memory_mb=128, max_pids=16)
    outcome = _run(sandbox, source, ((0,), {}), limits=limits).outcomes[0]
    assert outcome.status == "memory_limit_exceeded", outcome
    procs = os.path.join(sandbox.info["cgroups"]["pids"], "cgroup.procs")
    deadline = time.monotonic() + 10
    while True:
        with open(procs) as handle:
            members = [int(line) for line in handle if line.strip()]
        if len(members) == 1 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert len(members) == 1, members


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as handle:
            found += [int(child) for child in handle.read().split()]
    return found


# readv(2), which the fork server blocks in while it waits for its next job.
READV_SYSCALL = {"x86_64": 19, "aarch64": 65}.get(platform.machine(), 19)


def _fork_server_idle(pid: int) -> None:
    """Until the fork server waits for its next job, blocked reading its job pipe: its work
    between jobs (ending the last child, at idle priority, and forking the next) is done."""
    deadline = time.monotonic() + 10
    while True:
        with open(f"/proc/{pid}/syscall") as handle:
            fields = handle.read().split()
        reading = fields[0] == str(READV_SYSCALL)
        if reading and os.readlink(f"/proc/{pid}/fd/{int(fields[1], 16)}").startswith("pipe:"):
            return
        assert time.monotonic() < deadline, fields
        time.sleep(0.01)


def _status(pid: int) -> dict[str, str]:
    with open(f"/proc/{pid}/status") as handle:
        return dict(line.rstrip("\n").split(":\t", 1) for line in handle if ":\t" in line)


def test_each_set_of_forbidden_names_gets_a_zygote_and_few_are_kept():
    """A child starts with its job's forbidden names guarded by the zygote it was forked from,
    one zygote per set of names. The least recently used beyond ZYGOTES_KEPT are closed and
    reaped; a set seen again gets a zygote again."""
    box = Sandbox(unsafe=False)
    box.start()
    calls = (Call("sqrt", (4.0,), {}), Call("floor", (2.5,), {}))
    source = (
        "import math\n"
        "def f(x):\n"
        "    return getattr(math, 'sqrt' if x == 4.0 else 'fl' + 'oor')(x)\n"
    )
    try:
        sets = [(f"math.no_such_{n}", "math.floor") for n in range(ZYGOTES_KEPT + 3)]
        for names in sets + sets[:1]:
            job = Job(source, "f", "python", calls, limits=SMALL_LIMITS, forbidden=names)
            outcomes = box.run(job).outcomes
            assert outcomes[0].status == "ok" and outcomes[0].value == 2.0, outcomes[0]
            assert outcomes[1].status == "forbidden_api", outcomes[1]
            assert "math.floor" in outcomes[1].message
        job = Job(source, "f", "python", calls[:1], limits=SMALL_LIMITS)
        assert box.run(job).outcomes[0].value == 2.0  # no names: the first zygote's child
        _fork_server_idle(box.pid)
        (first,) = _children(box.pid)
        # Zygotes live in the fork server's PID namespace; children in namespaces of their own.
        processes = [_status(pid) for pid in _children(first)]
        zygotes = [p for p in processes if len(p["NSpid"].split()) == 1]
        assert [p for p in processes if p["State"].startswith("Z")] == []
        assert len(zygotes) == ZYGOTES_KEPT
    finally:
        box.close()


PR_CAPBSET_DROP = 24
may_renice = pytest.mark.skipif(
    not isolation.may_raise_priority(), reason="lowering needs CAP_SYS_NICE to raise back"
)


@may_renice
def test_work_between_jobs_gives_way_until_a_job_arrives():
    """Lowered, a process runs at idle priority while the fork server waits for its zygote's
    reply; a job arriving first raises it back to normal before the reply comes."""
    job_r, job_w = os.pipe()
    ours, theirs = socket.socketpair()
    sleeper = subprocess.Popen(["sleep", "60"])
    background = Background(job_fd=job_r)
    try:
        assert background.enabled
        background.lower(sleeper.pid)
        assert os.sched_getscheduler(sleeper.pid) == os.SCHED_IDLE
        theirs.send(b"r")
        background.wait_readable(ours)
        assert os.sched_getscheduler(sleeper.pid) == os.SCHED_IDLE  # the reply came first
        ours.recv(1)
        os.write(job_w, b"j")
        background.wait_readable(ours)
        assert os.sched_getscheduler(sleeper.pid) == os.SCHED_OTHER
        assert background.lowered == set()
    finally:
        sleeper.kill()
        sleeper.wait()
        for end in (ours, theirs):
            end.close()
        os.close(job_r)
        os.close(job_w)


def _python_apart(script: str, **options) -> str:
    """What a script run in a Python of its own, from the project's root, prints."""
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=sandbox_module.PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
        **options,
    )
    return done.stdout


def _drop_cap_sys_nice() -> None:
    isolation.prctl(PR_CAPBSET_DROP, isolation.CAP_SYS_NICE)


def test_without_cap_sys_nice_nothing_is_lowered():
    """A process lowered could never be raised back: such a fork server lowers nothing."""
    script = (
        "import os\n"
        "from grader import isolation\n"
        "from grader.forkserver import Background\n"
        "background = Background(job_fd=0)\n"
        "background.lower(os.getpid())\n"
        "print(isolation.may_raise_priority(), background.enabled, os.sched_getscheduler(0))\n"
    )
    # Out of the bounding set, root's exec leaves it out of the effective set too.
    out = _python_apart(script, preexec_fn=_drop_cap_sys_nice if os.geteuid() == 0 else None)
    assert out.split() == ["False", "False", str(os.SCHED_OTHER)]


@may_renice
def test_a_submission_and_the_next_child_run_at_normal_priority(sandbox):
    """Only ending a child and forking the next are lowered: the submission runs at normal
    priority, and once the next job's child is forked, it (which raised itself) and its zygote
    are normal."""
    source = "import os\ndef f():\n    return os.sched_getscheduler(0)\n"
    assert _run(sandbox, source, ((), {})).outcomes[0].value == os.SCHED_OTHER
    assert sandbox.info["idle_between_jobs"] is True
    _fork_server_idle(sandbox.pid)
    (first,) = _children(sandbox.pid)
    spares = [p for p in _children(first) if len(_status(p)["NSpid"].split()) == 2]
    assert len(spares) == 1
    assert [os.sched_getscheduler(pid) for pid in [first, *spares]] == [os.SCHED_OTHER] * 2


def test_a_job_without_calls_leaves_the_waiting_child_as_it_was(sandbox):
    """No child runs such a job, so the one waiting for a job keeps waiting: none is killed and
    left unreaped, and no descriptor of one is left open."""
    assert_grades_softmax(sandbox)
    _fork_server_idle(sandbox.pid)
    (first,) = _children(sandbox.pid)
    waiting = _children(first)
    descriptors = len(os.listdir(f"/proc/{sandbox.pid}/fd"))
    for _ in range(3):
        assert _run(sandbox, "def f():\n    return 1\n").outcomes == []
    _fork_server_idle(sandbox.pid)
    assert _children(first) == waiting
    assert len(os.listdir(f"/proc/{sandbox.pid}/fd")) == descriptors
    assert_grades_softmax(sandbox)


def _anon_huge_kb(pid: int | str) -> int:
    with open(f"/proc/{pid}/smaps_rollup") as handle:
        line = next(line for line in handle if line.startswith("AnonHugePages:"))
    return int(line.split()[1])


collapse_needed = pytest.mark.skipif(
    tuple(int(part) for part in os.uname().release.split(".")[:2] if part.isdigit()) < (6, 1),
    reason="MADV_COLLAPSE needs Linux 6.1",
)


@collapse_needed
def test_huge_pages_collapse_gathers_anonymous_memory_into_2_mb_pages():
    """Run apart, on 16 MB written in 4 KB pages: they end up in huge pages."""
    script = (
        "import mmap\n"
        "from grader import isolation\n"
        "block = mmap.mmap(-1, 16 << 20, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)\n"
        "block.write(b'x' * (16 << 20))\n"
        "print(isolation.huge_pages_collapse())\n"
    )
    assert (
        int(_python_apart(script)) >= 14 << 20
    )  # the 16 MB block, less what its alignment leaves out


@collapse_needed
def test_the_fork_servers_runtime_is_in_huge_pages(sandbox):
    """Forking each child and ending it costs less when the memory the children share is in
    2 MB pages: the fork server gathers its runtime into them before the first zygote."""
    _run(sandbox, "def f():\n    return 1\n", ((), {}))
    assert _anon_huge_kb(sandbox.pid) > 32 << 10  # torch's runtime is over 100 MB


def _arena_places(box: Sandbox, monkeypatch) -> list[list[int]]:
    """Every arena place the worker decodes a result from, as it takes it."""
    places: list[list[int]] = []
    take = box._arena_blob

    def recorded(place, *, max_bytes):
        places.append(list(place))
        return take(place, max_bytes=max_bytes)

    monkeypatch.setattr(box, "_arena_blob", recorded)
    return places


def test_results_come_through_the_arena_and_are_the_workers_own(sandbox, monkeypatch):
    """A child's results are read into the arena the worker shares with the fork server and
    decoded there in place. While a value of one job is held, the next job's results come
    through the pipe and leave it unchanged; once it is dropped, the arena is used again."""
    places = _arena_places(sandbox, monkeypatch)
    source = "import numpy as np\ndef f(x):\n    return np.full(300_000, x, np.float32)\n"
    first = _run(sandbox, source, ((1.0,), {}), framework="numpy").outcomes[0]
    assert places == [[0, places[0][1]]]
    assert first.value.flags.writeable  # as a result from the pipe is
    second = _run(sandbox, source, ((2.0,), {}), framework="numpy").outcomes[0]
    assert len(places) == 1  # the first value still views the arena
    assert (first.value == 1.0).all() and (second.value == 2.0).all()
    del first
    third = _run(sandbox, source, ((3.0,), {}), framework="numpy").outcomes[0]
    assert len(places) == 2 and places[1][0] == 0
    assert (second.value == 2.0).all() and (third.value == 3.0).all()
    # A view derived from a value holds the arena as the value did.
    tail = third.value[-10:]
    del third
    fourth = _run(sandbox, source, ((4.0,), {}), framework="numpy").outcomes[0]
    assert len(places) == 2
    assert (tail == 3.0).all() and (fourth.value == 4.0).all()


def test_results_beyond_the_arena_come_through_the_pipe(monkeypatch):
    """What the arena has no more room for this job crosses the pipe, in order; without an arena
    at all (no memfd) every result does."""
    # Over 1 MB each, so none arrives whole in the fork server's first read of the pipe.
    source = "import numpy as np\ndef f(x):\n    return np.full(300_000, x, np.float32)\n"
    calls = tuple(Call(f"c{i}", (float(i),), {}) for i in range(4))
    job = Job(source, "f", "numpy", calls, limits=SMALL_LIMITS)
    monkeypatch.setattr(sandbox_module, "RESULT_ARENA_BYTES", 3 << 20)  # room for two
    box = Sandbox(unsafe=False)
    try:
        places = _arena_places(box, monkeypatch)
        outcomes = box.run(job).outcomes
        assert [o.value[0] for o in outcomes] == [0.0, 1.0, 2.0, 3.0]
        assert len(places) == 2
    finally:
        box.close()

    def no_memfd(*args):
        raise OSError("no memfd here")

    monkeypatch.setattr(os, "memfd_create", no_memfd)
    box = Sandbox(unsafe=False)
    try:
        outcomes = box.run(job).outcomes
        assert [o.value[0] for o in outcomes] == [0.0, 1.0, 2.0, 3.0]
        assert box._arena is None
    finally:
        box.close()


def test_no_zygote_or_child_has_the_arena(sandbox):
    """The arena holds other students' results: only the worker and the fork server map it."""
    source = (
        "import os\n"
        "def f():\n"
        "    maps = open('/proc/self/maps').read()\n"
        "    fds = []\n"
        "    for n in os.listdir('/proc/self/fd'):\n"
        "        try:\n"
        "            fds.append(os.readlink(f'/proc/self/fd/{n}'))\n"
        "        except OSError:\n"
        "            pass  # the listing's own\n"
        "    return [line for line in maps.splitlines() + fds if 'memfd' in line]\n"
    )
    outcome = _run(sandbox, source, ((), {})).outcomes[0]
    assert outcome.status == "ok" and outcome.value == [], outcome
    with open(f"/proc/{sandbox.pid}/maps") as handle:
        assert "dlquiz-results" in handle.read()
    _fork_server_idle(sandbox.pid)
    (first,) = _children(sandbox.pid)
    for pid in [first, *_children(first)]:
        with open(f"/proc/{pid}/maps") as handle:
            assert "dlquiz-results" not in handle.read()


def _frozen(array: np.ndarray) -> np.ndarray:
    array = np.array(array, copy=True)
    array.flags.writeable = False
    return array


def _sent_inputs(monkeypatch) -> list[int]:
    """Every inputs frame the worker writes, as it writes it (its size in bytes)."""
    sent: list[int] = []
    write_frame_parts = protocol.write_frame_parts

    def recorded(fd: int, parts: list) -> None:
        sent.append(sum(len(part) for part in parts))
        write_frame_parts(fd, parts)

    monkeypatch.setattr(protocol, "write_frame_parts", recorded)
    return sent


SUM_SOURCE = "import numpy as np\ndef f(x, scale=1.0):\n    return float(x.sum()) * scale\n"


def test_read_only_inputs_are_sent_once_and_kept_by_the_fork_server(monkeypatch):
    """The grader's frozen inputs cross the pipe the first time only; a job that uses them again
    gets them from the fork server. The same arrays with other scalars, or writeable arrays, are
    other inputs and are sent."""
    box = Sandbox(unsafe=False)
    sent = _sent_inputs(monkeypatch)
    x = _frozen(np.arange(1000, dtype=np.float32))
    y = _frozen(np.ones(10, np.float32))

    def job(*calls):
        return Job(SUM_SOURCE, "f", "numpy", calls, limits=SMALL_LIMITS)

    try:
        first = box.run(job(Call("a", (x,), {}), Call("b", (y,), {"scale": 2.0})))
        assert [o.value for o in first.outcomes] == [499500.0, 20.0]
        assert len(sent) == 2
        again = box.run(job(Call("b", (y,), {"scale": 2.0}), Call("a", (x,), {})))
        assert [o.value for o in again.outcomes] == [20.0, 499500.0]
        assert len(sent) == 2  # nothing sent: both kept
        other = box.run(job(Call("b", (y,), {"scale": 3.0}), Call("w", (np.ones(4),), {})))
        assert [o.value for o in other.outcomes] == [30.0, 4.0]
        assert len(sent) == 4
        writeable = np.ones(4)
        box.run(job(Call("w", (writeable,), {})))
        assert len(sent) == 5  # never kept: it could have changed
    finally:
        box.close()


def test_kept_inputs_stay_within_their_budget_least_recently_used_dropped(monkeypatch):
    """Beyond INPUT_CACHE_BYTES the inputs used longest ago are dropped, in the worker's account
    and in the fork server alike, and are sent again when needed."""
    monkeypatch.setattr(sandbox_module, "INPUT_CACHE_BYTES", 10_000)
    box = Sandbox(unsafe=False)
    sent = _sent_inputs(monkeypatch)
    arrays = [_frozen(np.full(1000, n, np.float32)) for n in range(3)]  # 4 KB and a header each

    def run(n: int) -> float:
        job = Job(SUM_SOURCE, "f", "numpy", (Call("c", (arrays[n],), {}),), limits=SMALL_LIMITS)
        return box.run(job).outcomes[0].value

    try:
        assert [run(0), run(1), run(0)] == [0.0, 1000.0, 0.0]
        assert len(sent) == 2
        assert run(2) == 2000.0  # the third does not fit: 1, used longest ago, is dropped
        assert box._kept.nbytes <= 10_000 and len(box._kept.entries) == 2
        assert [run(0), run(2)] == [0.0, 2000.0]
        assert len(sent) == 3
        assert run(1) == 1000.0
        assert len(sent) == 4
    finally:
        box.close()


def test_a_kept_input_the_fork_server_lacks_restarts_it_and_the_job_is_graded(monkeypatch):
    """Should the worker's account and the fork server ever disagree, the job is not graded on
    anything else: the fork server answers with an infrastructure error, is restarted, and the
    retry sends everything again."""
    box = Sandbox(unsafe=False)
    x = _frozen(np.arange(10, dtype=np.float32))
    job = Job(SUM_SOURCE, "f", "numpy", (Call("c", (x,), {}),), limits=SMALL_LIMITS)
    try:
        assert box.run(job).outcomes[0].value == 45.0
        before = box.pid
        box._kept.last_token += 1  # the fork server keeps it under another token than this
        ((key, (_, size)),) = box._kept.entries.items()
        box._kept.entries[key] = (box._kept.last_token, size)
        assert box.run(job).outcomes[0].value == 45.0
        assert box.pid != before
    finally:
        box.close()


def test_malformed_jobs_are_the_callers_error(sandbox):
    """An unknown framework is a ValueError of the trusted caller, not a verdict."""
    with pytest.raises(ValueError):
        sandbox.run(Job(source="", entry_point="f", framework="java", calls=()))


def test_scrubbed_environment_holds_no_settings():
    """The fork server starts with only what Python needs."""
    env = scrubbed_environment()
    assert set(env) <= {"PATH", "LANG", "LC_ALL", "HOME"}


def test_self_test_passes_on_this_host():
    """Isolation works here (root, namespaces, cgroups): the worker may start."""
    assert sandbox_self_test() is None


def test_unsafe_mode_runs_the_same_code_path():
    """Without isolation (development only) jobs still run through the fork server."""
    box = Sandbox(unsafe=True)
    try:
        job, expected = softmax_job()
        outcome = box.run(job).outcomes[0]
        assert outcome.status == "ok"
        np.testing.assert_allclose(outcome.value, expected, rtol=1e-5, atol=1e-6)
        assert box.info["isolated"] is False
    finally:
        box.close()


def test_cuda_device_nodes_lists_nvidia_nodes(tmp_path):
    """A CUDA child gets every /dev/nvidia* node (and nvidia-caps/*), nothing else."""
    for name in ("nvidia0", "nvidiactl", "nvidia-uvm", "null", "sda"):
        (tmp_path / name).touch()
    (tmp_path / "nvidia-caps").mkdir()
    (tmp_path / "nvidia-caps" / "nvidia-cap1").touch()
    nodes = cuda_device_nodes(dev_dir=str(tmp_path))
    names = sorted(p.replace(str(tmp_path) + "/", "") for p in nodes)
    assert names == ["nvidia-caps/nvidia-cap1", "nvidia-uvm", "nvidia0", "nvidiactl"]


def test_torch_adapter_converts_both_ways_on_cpu():
    """Arrays become fresh tensors of the same dtype; tensors (also non-contiguous, requiring
    grad) become plain ndarrays."""
    torch = pytest.importorskip("torch")
    adapter = TorchAdapter(device="cpu")
    array = np.arange(6, dtype=np.float32).reshape(2, 3)
    tensor = adapter.to_student(array)
    assert type(tensor) is torch.Tensor and tensor.dtype == torch.float32
    tensor += 1
    assert array[0, 0] == 0  # a copy
    back = adapter.to_plain(tensor.t().requires_grad_())
    assert type(back) is np.ndarray and back.shape == (3, 2)
    np.testing.assert_array_equal(back, (array + 1).T)


@pytest.mark.skipif(not __import__("torch").cuda.is_available(), reason="needs a CUDA device")
def test_cuda_round_trip(sandbox):
    """On a GPU host, inputs arrive on the GPU and results come back as ndarrays."""
    source = "def f(x):\n    assert x.is_cuda\n    return (x * 2)\n"
    job = Job(
        source=source,
        entry_point="f",
        framework="torch",
        calls=(Call("a", (np.ones(3, np.float32),), {}),),
        device="cuda",
        limits=Limits(time_per_call_s=30, time_total_s=60, memory_mb=4096),
    )
    outcome = sandbox.run(job).outcomes[0]
    assert outcome.status == "ok", outcome
    np.testing.assert_array_equal(outcome.value, np.full(3, 2, np.float32))
