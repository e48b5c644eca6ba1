"""A worker on a second host: its own network namespace, joined to this one by a veth pair on a
private /30 that the test makes and removes. It reaches Redis and PostgreSQL only through that
link (its 127.0.0.1 is its own), grades correctly, loses and duplicates nothing when it is killed
mid-burst, and on SIGTERM finishes the grade in hand before it exits.

Needs root, iproute2 and a PostgreSQL server that listens beyond loopback (`make test-postgres`
starts one): with SQLite a worker on another host would need the database file, not a network."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import time
from collections.abc import Iterator

import pytest
from django.db import connection

from bench.netns import Host, host_namespace, namespace_exists, unavailable
from dlquiz.coding.models import Submission
from dlquiz.coding.services import submission_create
from tests.chaos.test_no_lost_work import RIGHT, assert_graded_exactly_once, burst, wait_all_graded
from tests.conftest import (
    RUN_DIR,
    CeleryWorker,
    RedisServer,
    broker_switched,
    free_port,
    wait_until,
    worker_database_url,
    worker_env,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# Correct, but each call spins for a while: a grade that takes seconds, for the warm shutdown.
SLOW_RIGHT = RIGHT.replace(
    "def softmax(x, dim=-1):\n",
    "def softmax(x, dim=-1):\n    for _ in range(3_000_000):\n        pass\n",
)


def skip_unless_possible() -> None:
    if why := unavailable():
        pytest.skip(why)
    if connection.vendor != "postgresql":
        pytest.skip(
            "a worker on another host needs a database server: run against PostgreSQL "
            "(`make test-postgres`); SQLite is a file on this host"
        )


@pytest.fixture
def host() -> Iterator[Host]:
    skip_unless_possible()
    with host_namespace() as made:
        yield made
    assert not namespace_exists(made.netns)


@pytest.fixture
def host_redis(host: Host) -> Iterator[RedisServer]:
    """A redis-server listening on this machine's end of the veth (and loopback), the broker of
    this process and of the host's worker."""
    port = free_port()
    data = RUN_DIR / f"redis-host-{port}"
    data.mkdir()
    password = secrets.token_hex(16)  # beyond loopback Redis serves only with a password
    server = RedisServer(
        url=f"redis://:{password}@{host.local}:{port}/0",
        port=port,
        dir=data,
        bind=f"127.0.0.1 {host.local}",
        password=password,
    )
    server.start()
    try:
        with broker_switched(server.url):
            yield server
    finally:
        server.stop()


def database_port() -> int:
    return int(connection.settings_dict["PORT"])


def host_worker(host: Host, redis: RedisServer, name: str, **env: str) -> CeleryWorker:
    """A worker in the host's namespace, its DATABASE_URL and REDIS_URL at this machine's veth
    address; started without --concurrency, so its pool is as large as the host has cores."""
    environment = worker_env(redis, database_url=worker_database_url(host=host.local))
    environment.update(REDIS_URL=redis.url, DLQUIZ_LOST_AFTER_S="3", DLQUIZ_SWEEP_INTERVAL_S="1")
    environment.update(env)
    worker = CeleryWorker(
        redis=redis,
        name=name,
        concurrency=None,
        env=environment,
        wrapper=host.wrap(),
    )
    worker.start()
    return worker


def test_a_worker_on_another_host_grades_over_the_network(host: Host, host_redis: RedisServer):
    """From its namespace the host reaches Redis and PostgreSQL only at this machine's veth
    address, not at loopback; its worker (a pool as large as its cores) grades right and wrong
    code correctly."""
    pg_port = database_port()
    try:
        socket.create_connection((host.local, pg_port), timeout=2).close()
    except OSError:
        pytest.skip("PostgreSQL listens on loopback only: start it with PG_LISTEN='*'")
    assert host.reaches(host.local, host_redis.port)
    assert host.reaches(host.local, pg_port)
    assert not host.reaches("127.0.0.1", host_redis.port)
    assert not host.reaches("127.0.0.1", pg_port)

    worker = host_worker(host, host_redis, f"host-a{os.getpid()}")
    try:
        from dlquiz.celery import app

        stats = app.control.inspect(timeout=5).stats() or {}
        pools = [s["pool"]["max-concurrency"] for n, s in stats.items() if n.startswith("host-a")]
        assert pools == [os.cpu_count()]
        ids = burst(12)
        wait_all_graded(ids, timeout=180)
        assert_graded_exactly_once(ids)
        workers = set(Submission.objects.filter(pk__in=ids).values_list("worker", flat=True))
        assert workers == {host.name}
    finally:
        worker.stop()


def test_killing_the_hosts_worker_mid_burst_loses_and_duplicates_nothing(
    host: Host, host_redis: RedisServer
):
    """A burst shared by a worker here and one on the host; the host's worker is SIGKILLed
    (main process and pool) twice while it grades and comes back once; every submission ends
    graded exactly once with the right verdict."""
    env = worker_env(host_redis)
    env.update(DLQUIZ_LOST_AFTER_S="3", DLQUIZ_SWEEP_INTERVAL_S="1")
    here = CeleryWorker(redis=host_redis, name=f"here{os.getpid()}", concurrency=1, env=env)
    here.start()
    remote = host_worker(host, host_redis, f"host-k{os.getpid()}")
    try:
        ids = burst(60)
        wait_until(
            lambda: Submission.objects.filter(pk__in=ids, worker=host.name).exists(),
            timeout=60,
            what="the host's worker to take a submission",
        )
        remote.kill()
        remote.start()
        time.sleep(2.0)
        remote.kill()
        wait_all_graded(ids, timeout=300)
        assert_graded_exactly_once(ids)
    finally:
        here.stop()
        remote.stop()


def test_sigterm_lets_the_hosts_worker_finish_the_grade_in_hand(
    host: Host, host_redis: RedisServer
):
    """SIGTERM to the worker's main process (what `systemctl stop` sends with KillMode=mixed) while
    it grades: the grade completes on that delivery, then the worker exits cleanly."""
    from dlquiz.coding.models import Exercise
    from dlquiz.coding.services import exercises_sync
    from tests.coding.factories import student_create

    worker = host_worker(host, host_redis, f"host-t{os.getpid()}")
    exercises_sync()
    exercise = Exercise.objects.get(slug="softmax")
    exercise.time_limit_multiplier = 10.0
    exercise.save(update_fields=["time_limit_multiplier"])
    submission, _ = submission_create(
        user=student_create(username="warm-shutdown"),
        exercise=exercise,
        framework="torch",
        code=SLOW_RIGHT,
    )
    try:
        wait_until(
            lambda: Submission.objects.get(pk=submission.pk).status == Submission.Status.RUNNING,
            timeout=60,
            what="the grade to start",
        )
        stopped_at = time.time()
        os.kill(worker.process.pid, signal.SIGTERM)
        assert worker.process.wait(timeout=180) == 0
        exited_at = time.time()
    finally:
        worker.kill()
    graded = Submission.objects.get(pk=submission.pk)
    assert graded.status == Submission.Status.GRADED, graded.message
    assert graded.attempts == 1
    assert graded.tests.count() >= 10
    assert stopped_at < graded.graded_at.timestamp() <= exited_at
