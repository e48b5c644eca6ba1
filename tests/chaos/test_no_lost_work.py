"""No submission is lost or graded twice when workers are killed or Redis restarts.

Each test has its own redis-server and its own workers, so killing them touches nothing else.
The workers sweep every second and call a submission lost after 3 s without a message."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import time

import pytest
from django.contrib.auth.models import User

from dlquiz.coding.models import Exercise, GradedTest, Submission
from dlquiz.coding.services import exercises_sync, submission_create
from tests.conftest import CeleryWorker, RedisServer, own_broker, worker_env

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

RIGHT = """
import torch

def softmax(x, dim=-1):
    z = x - x.amax(dim=dim, keepdim=True).clamp_min(-3e38)
    e = torch.exp(z)
    return e / e.sum(dim=dim, keepdim=True)
"""
WRONG = """
def softmax(x, dim=-1):
    return x * 0.5
"""


def chaos_worker(server: RedisServer, name: str) -> CeleryWorker:
    env = worker_env(server)
    env.update(DLQUIZ_LOST_AFTER_S="3", DLQUIZ_SWEEP_INTERVAL_S="1")
    worker = CeleryWorker(redis=server, name=name, concurrency=2, env=env)
    worker.start()
    return worker


def burst(count: int) -> list[int]:
    exercises_sync()
    exercise = Exercise.objects.get(slug="softmax")
    # Killed and restarted workers on two cores slow everything down; the verdicts checked here
    # are about right and wrong code, not speed, so give the performance test room.
    exercise.time_limit_multiplier = 5.0
    exercise.save(update_fields=["time_limit_multiplier"])
    users = [User.objects.create_user(username=f"chaos{i}", password="x") for i in range(20)]
    ids = []
    for i in range(count):
        submission, _ = submission_create(
            user=users[i % len(users)],
            exercise=exercise,
            framework="torch",
            code=WRONG if i % 10 == 3 else RIGHT,
        )
        ids.append(submission.pk)
    return ids


def wait_all_graded(ids: list[int], *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pending = Submission.objects.filter(pk__in=ids).exclude(status=Submission.Status.GRADED)
        if not pending.exists():
            return
        time.sleep(0.5)
    states = list(pending.values_list("pk", "status", "attempts")[:10])
    raise AssertionError(f"{pending.count()} submissions not graded, e.g. {states}")


def assert_graded_exactly_once(ids: list[int]) -> None:
    """Every submission graded, with one full set of per-test rows and the right verdict."""
    expected_tests = GradedTest.objects.filter(submission_id=ids[0]).count()
    assert expected_tests >= 10
    for submission in Submission.objects.filter(pk__in=ids):
        assert submission.status == Submission.Status.GRADED
        positions = list(submission.tests.values_list("position", flat=True))
        assert positions == list(range(expected_tests)), submission.pk
        want = "accepted" if submission.code == RIGHT else "wrong_answer"
        assert submission.verdict == want, (submission.pk, submission.verdict)


def test_sigkilled_workers_during_a_burst_lose_nothing_and_grade_once():
    with own_broker() as server:
        first = chaos_worker(server, f"chaos-a{os.getpid()}")
        second = chaos_worker(server, f"chaos-b{os.getpid()}")
        try:
            ids = burst(200)
            rng = random.Random(7)
            for round_ in range(6):
                time.sleep(1.0)
                victim = rng.choice([first, second])
                if round_ == 3:
                    victim.kill()  # the whole worker, main process included
                    victim.start()
                else:
                    for pid in victim.pool_pids():
                        with contextlib.suppress(ProcessLookupError):
                            os.kill(pid, signal.SIGKILL)
            wait_all_graded(ids, timeout=240)
            assert_graded_exactly_once(ids)
        finally:
            first.stop()
            second.stop()


def test_redis_restart_mid_burst_loses_nothing():
    with own_broker() as server:
        worker = chaos_worker(server, f"chaos-r{os.getpid()}")
        try:
            ids = burst(60)
            time.sleep(0.5)
            server.restart()  # AOF replays the queued messages
            wait_all_graded(ids, timeout=180)
            assert_graded_exactly_once(ids)
        finally:
            worker.stop()


def test_submissions_made_while_the_only_worker_is_down_are_graded_when_it_returns():
    with own_broker() as server:
        worker = chaos_worker(server, f"chaos-s{os.getpid()}")
        worker.stop()
        ids = burst(20)
        time.sleep(1)
        assert Submission.objects.filter(pk__in=ids, status=Submission.Status.QUEUED).count() == 20
        worker.start()
        try:
            wait_all_graded(ids, timeout=120)
            assert_graded_exactly_once(ids)
        finally:
            worker.stop()
