"""Grading a submission (the service behind the Celery task): status transitions, idempotent
redelivery, the delivery cap, the instructor's points, the sweeper."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import override_settings
from django.utils import timezone

from dlquiz.coding import grading
from dlquiz.coding.models import Exercise, GradedTest, Submission
from dlquiz.coding.services import exercises_sync

pytestmark = pytest.mark.django_db

RIGHT = """
import torch

def softmax(x, dim=-1):
    z = x - x.amax(dim=dim, keepdim=True).clamp_min(-3e38)
    e = torch.exp(z)
    return e / e.sum(dim=dim, keepdim=True)
"""


@pytest.fixture
def submission() -> Submission:
    exercises_sync()
    user = User.objects.create_user(username="ada", password="x")
    exercise = Exercise.objects.get(slug="softmax")
    # Created directly: these tests drive the task in-process instead of through the broker.
    return Submission.objects.create(
        user=user, exercise=exercise, framework="torch", code=RIGHT, max_score=exercise.max_score
    )


def test_grading_moves_a_submission_to_graded_with_per_test_rows(submission):
    grading.submission_grade(submission_id=submission.pk)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.GRADED
    assert submission.verdict == "accepted"
    assert submission.score == submission.max_score
    assert submission.attempts == 1
    rows = list(submission.tests.all())
    assert len(rows) >= 10
    assert any(row.hidden for row in rows) and any(not row.hidden for row in rows)
    assert all(row.status == "passed" for row in rows)


def test_the_exercise_rows_max_score_is_the_grades_scale(submission):
    """An instructor's points (the Exercise row, edited in the admin) win over the package's:
    the package's points only weigh the tests against each other."""
    Exercise.objects.filter(slug="softmax").update(max_score=20)
    grading.submission_grade(submission_id=submission.pk)
    submission.refresh_from_db()
    assert submission.verdict == "accepted"
    assert submission.score == submission.max_score == 20
    rows = list(submission.tests.all())
    assert sum(row.max_score for row in rows) == pytest.approx(20, abs=1e-3)
    assert all(row.score == row.max_score > 0 for row in rows)


def test_a_partly_wrong_grade_is_scaled_to_the_rows_max_score_too(submission):
    """Per-test scores and the total keep their proportions to the package's points."""
    Submission.objects.filter(pk=submission.pk).update(
        code="def softmax(x, dim=-1):\n    return x\n"
    )
    grading.submission_grade(submission_id=submission.pk)
    at_ten = submission.tests.values_list("score", "max_score")
    ten = [(score, max_score) for score, max_score in at_ten]
    submission.refresh_from_db()
    ten_total = submission.score
    Exercise.objects.filter(slug="softmax").update(max_score=5)
    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.QUEUED)
    grading.submission_grade(submission_id=submission.pk)
    submission.refresh_from_db()
    assert submission.max_score == 5
    assert submission.score == pytest.approx(ten_total / 2, abs=1e-3)
    five = list(submission.tests.values_list("score", "max_score"))
    assert five == [
        (pytest.approx(s / 2, abs=1e-3), pytest.approx(m / 2, abs=1e-3)) for s, m in ten
    ]


def test_a_worker_finds_the_grading_task_under_its_registered_name():
    """Messages already waiting in Redis name the task "grader.grade_submission"; a worker's
    autodiscovery registers it from the coding app. The sweeps are no tasks any more."""
    from dlquiz.celery import app

    app.loader.import_default_modules()
    assert app.tasks["grader.grade_submission"].run.__module__ == "dlquiz.coding.tasks"
    assert not {"grader.sweep_stuck_submissions", "quiz.attempts_expired_grade"} & set(app.tasks)


@pytest.mark.django_db(transaction=True)
def test_a_worker_keeps_its_database_connection_between_tasks():
    """Celery's Django fixup would close the connection around every task (a new one cost each
    grade about 1 ms); the worker keeps it, and closes it between tasks only once it is past
    CONN_MAX_AGE, as Django does between requests."""
    from celery.fixups.django import DjangoWorkerFixup
    from django.db import connection

    from dlquiz.celery import app
    from dlquiz.coding.tasks import database_connections_refresh, grade_submission

    connection.ensure_connection()
    raw = connection.connection
    DjangoWorkerFixup(app).close_database()
    database_connections_refresh(sender=grade_submission)
    assert connection.connection is raw
    connection.close_at = 0  # past its age
    database_connections_refresh(sender=grade_submission)
    assert connection.connection is None


def test_a_redelivered_grading_replaces_the_earlier_results(submission):
    """A task delivered twice (worker died after writing, before the ack) ends in the same state."""
    grading.submission_grade(submission_id=submission.pk)
    first = list(submission.tests.values_list("position", "name", "status"))
    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.RUNNING)
    grading.submission_grade(submission_id=submission.pk)
    assert list(submission.tests.values_list("position", "name", "status")) == first
    assert GradedTest.objects.filter(submission=submission).count() == len(first)


def test_a_duplicate_delivery_of_a_graded_submission_changes_nothing(submission):
    grading.submission_grade(submission_id=submission.pk)
    submission.refresh_from_db()
    graded_at = submission.graded_at
    grading.submission_grade(submission_id=submission.pk)
    submission.refresh_from_db()
    assert submission.graded_at == graded_at and submission.attempts == 1


@override_settings(DLQUIZ_MAX_GRADE_ATTEMPTS=2)
def test_past_the_delivery_cap_the_submission_fails_without_blaming_the_student(submission):
    Submission.objects.filter(pk=submission.pk).update(attempts=2, status=Submission.Status.RUNNING)
    grading.submission_grade(submission_id=submission.pk)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.FAILED
    assert "not a fault in your code" in submission.message
    assert submission.score is None and submission.verdict == ""
    assert not submission.tests.exists()


def test_sweeper_requeues_a_lost_submission_past_the_deadline_when_no_worker_answers(
    submission, redis_server, django_capture_on_commit_callbacks
):
    """No message in Redis and no worker answering inspect: whether a worker holds it cannot
    be known (the sweeper's own worker may just be busy), so it is sent again only once it is
    past the stuck deadline. A worker that answers without it makes it lost sooner
    (tests/chaos, tests/integration/test_worker_host.py)."""
    Submission.objects.filter(pk=submission.pk).update(
        status=Submission.Status.RUNNING,
        attempts=1,
        started_at=timezone.now() - timedelta(seconds=120),
    )
    import redis

    client = redis.Redis.from_url(redis_server.url)
    client.delete("cpu")
    assert grading.submission_ids_in_flight() is None
    with django_capture_on_commit_callbacks(execute=True):
        assert grading.submissions_sweep(lost_after_s=30) == {"requeued": 0, "failed": 0}
        counts = grading.submissions_sweep(lost_after_s=30, stuck_after_s=60)
    assert counts == {"requeued": 1, "failed": 0}
    submission.refresh_from_db()
    assert submission.status == Submission.Status.QUEUED
    assert len(client.lrange("cpu", 0, -1)) == 1
    client.delete("cpu")


def test_sweeper_leaves_a_submission_whose_message_is_still_queued(
    submission, redis_server, django_capture_on_commit_callbacks
):
    from dlquiz.coding.services import submission_enqueue

    with django_capture_on_commit_callbacks(execute=True):
        submission_enqueue(submission=submission)
    Submission.objects.filter(pk=submission.pk).update(
        created_at=timezone.now() - timedelta(seconds=120)
    )
    assert grading.submissions_sweep(lost_after_s=30) == {"requeued": 0, "failed": 0}
    import redis

    redis.Redis.from_url(redis_server.url).delete("cpu")


@override_settings(DLQUIZ_MAX_GRADE_ATTEMPTS=1)
def test_sweeper_fails_a_lost_submission_past_the_cap(submission, redis_server):
    Submission.objects.filter(pk=submission.pk).update(
        status=Submission.Status.RUNNING, attempts=1, started_at=timezone.now() - timedelta(hours=1)
    )
    assert grading.submissions_sweep() == {"requeued": 0, "failed": 1}
    submission.refresh_from_db()
    assert submission.status == Submission.Status.FAILED


@pytest.mark.parametrize(
    "second_look, requeued", [({"held"}, 0), (set(), 1), (None, 0)], ids=["seen", "lost", "unknown"]
)
def test_sweeper_requeues_only_what_two_looks_miss(
    submission, monkeypatch, django_capture_on_commit_callbacks, second_look, requeued
):
    """A message between the queue and the worker's reserved list, or a worker that answered
    inspect too late, is missing from one snapshot: only a submission missing from two is lost
    (a broker that cannot be read leaves it alone)."""
    Submission.objects.filter(pk=submission.pk).update(
        status=Submission.Status.RUNNING,
        attempts=1,
        started_at=timezone.now() - timedelta(seconds=120),
    )
    second = {submission.pk} if second_look == {"held"} else second_look
    looks = iter([set(), second])
    monkeypatch.setattr(grading, "submission_ids_in_flight", lambda: next(looks))
    monkeypatch.setattr(grading, "submission_enqueue", lambda *, submission: None)
    with django_capture_on_commit_callbacks(execute=True):
        counts = grading.submissions_sweep(lost_after_s=30)
    assert counts == {"requeued": requeued, "failed": 0}
