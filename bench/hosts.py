"""Two worker hosts against one: the exam mix graded by one host, then by that host and a second
one in its own network namespace, in the same run.

A "host" here is a worker pinned to one CPU (`taskset -c`), so that the two stand for machines of
one core each rather than for two pools contending for the same two cores; the second reaches
Redis and PostgreSQL only over its veth link (bench/netns.py), as a worker on another machine
does. Web, Redis and PostgreSQL float over both CPUs in both phases. Needs root, iproute2 and
PostgreSQL (scripts/postgres.sh installs it on Debian)."""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.exam_burst import ExamBurst, exam_burst_run
from bench.netns import Host, host_namespace, unavailable
from bench.stack import ROOT, Stack, StackConfig, running_stack, wait_for


@dataclass
class HostsRun:
    submissions: int
    window_s: float
    one_host: ExamBurst
    two_hosts: ExamBurst
    second_host_graded: int  # of the two-host phase, by the worker in the namespace

    @property
    def speedup(self) -> float:
        return self.two_hosts.per_second / self.one_host.per_second


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """A throwaway PostgreSQL cluster listening beyond loopback; yields its DATABASE_URL."""
    where = Path(tempfile.mkdtemp(prefix="dlquiz-bench-pg-"))
    script = str(ROOT / "scripts" / "postgres.sh")
    env = os.environ | {"PG_LISTEN": "*"}
    try:
        url = subprocess.run(
            ["bash", script, "start", str(where)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
            timeout=600,
        ).stdout.strip()
        yield url
    finally:
        subprocess.run(["bash", script, "stop", str(where)], capture_output=True, timeout=120)
        subprocess.run(["rm", "-rf", str(where)], check=False)


def second_host_start(*, stack: Stack, host: Host, database_url: str) -> None:
    """A one-process worker in the namespace on CPU 1, its database and broker at this machine's
    end of the veth; returns once it has warmed up."""
    env = {
        "DATABASE_URL": database_url.replace("@127.0.0.1:", f"@{host.local}:"),
        "REDIS_URL": stack.redis_url_at(host.local),
    }
    argv = Stack.worker_argv(concurrency=1, name="bench-host-b")
    stack._spawn("celery-host-b", [*host.wrap(), "taskset", "-c", "1", *argv], env=env)
    wait_for(
        lambda: stack.worker_warm("celery-host-b", processes=1),
        timeout=240,
        interval=0.5,
        what="the second host's worker to warm up",
    )


def hosts_run(
    *, submissions: int = 120, window_s: float = 5.0, log: Callable[[str], None] = print
) -> HostsRun:
    if why := unavailable():
        raise RuntimeError(f"the two-host scenario cannot run here: {why}")
    if (os.cpu_count() or 1) < 2:
        raise RuntimeError("the two-host scenario needs two CPUs, one per host")
    log("PostgreSQL server for the two-host scenario")
    with postgres_server() as database_url, host_namespace("dlq-bench") as host:
        config = StackConfig(celery_concurrency=1, instructors=1, students=submissions)
        with running_stack(
            config,
            log=log,
            database_url=database_url,
            redis_bind=f"127.0.0.1 {host.local}",
            redis_password=secrets.token_hex(16),
            worker_cpus="0",
        ) as stack:
            students = stack.students()
            log(f"one host: {submissions} exam submissions within {window_s:.0f} s")
            one = exam_burst_run(stack=stack, students=students, window_s=window_s, processes=1)
            log("second host: a worker in its own network namespace")
            second_host_start(stack=stack, host=host, database_url=database_url)
            log(f"two hosts: the same {submissions} students submit again")
            two = exam_burst_run(stack=stack, students=students, window_s=window_s, processes=2)
            second = graded_by(stack=stack, worker=host.name)
    return HostsRun(
        submissions=submissions,
        window_s=window_s,
        one_host=one,
        two_hosts=two,
        second_host_graded=second,
    )


def graded_by(*, stack: Stack, worker: str) -> int:
    """How many submissions the worker on host `worker` graded (Submission.worker)."""
    code = (
        "import django; django.setup()\n"
        "from dlquiz.coding.models import Submission\n"
        f"print(Submission.objects.filter(worker={worker!r}, status='graded').count())\n"
    )
    out = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "-c", code],
        cwd=ROOT,
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return int(out.stdout.strip())


def hosts_print(run: HostsRun) -> None:
    print(
        f"worker hosts: the exam mix, {run.submissions} submissions within {run.window_s:.0f} s, "
        "one CPU per host, PostgreSQL"
    )
    for label, burst in (("one host ", run.one_host), ("two hosts", run.two_hosts)):
        print(
            f"  {label}  drained in {burst.drain_s:5.1f} s = {burst.per_second:5.2f} graded/s; "
            f"queue wait p50 {burst.wait_p50_s:.2f} s p95 {burst.wait_p95_s:.2f} s; "
            f"lost {burst.lost}, failed {burst.failed}"
        )
    print(
        f"  two hosts / one host = {run.speedup:.2f}x throughput; the second host graded "
        f"{run.second_host_graded} of {run.two_hosts.graded}"
    )
    print()
