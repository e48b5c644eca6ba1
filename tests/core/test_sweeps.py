"""The periodic sweeps a worker runs: each app registers its own, one failing sweep does not
stop the rest, and one worker at a time sweeps."""

from __future__ import annotations

import pytest

from dlquiz.coding.grading import submissions_sweep
from dlquiz.core import sweeps
from dlquiz.quiz.services import attempts_expired_grade


def test_coding_and_quiz_register_their_sweeps_when_django_starts():
    registered = sweeps.sweeps_registered()
    assert registered["submissions"] is submissions_sweep
    assert registered["exam-attempts"] is attempts_expired_grade


def test_a_failing_sweep_does_not_keep_the_others_from_running(monkeypatch):
    ran: list[str] = []

    def broken() -> None:
        raise RuntimeError("database gone")

    monkeypatch.setattr(
        sweeps, "_sweeps", {"first": broken, "second": lambda: ran.append("second") or 1}
    )
    assert sweeps.sweeps_run() == {"second": 1}
    assert ran == ["second"]


@pytest.mark.integration
def test_one_worker_at_a_time_sweeps(redis_server, monkeypatch):
    """The Redis lock lasts the sweep interval: a second worker's tick in it does nothing."""
    import redis

    redis.Redis.from_url(redis_server.url).delete(sweeps.LOCK_KEY)
    ran: list[int] = []
    monkeypatch.setattr(sweeps, "_sweeps", {"count": lambda: ran.append(1)})
    assert sweeps.sweeper_tick(interval_s=30) is True
    assert sweeps.sweeper_tick(interval_s=30) is False
    assert ran == [1]
    redis.Redis.from_url(redis_server.url).delete(sweeps.LOCK_KEY)
