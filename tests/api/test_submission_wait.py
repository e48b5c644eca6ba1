"""`GET /api/submissions/<id>/?wait=<s>` holds the answer until the grade is in (Redis pub/sub,
published by the worker after it commits), so a client needs one request instead of polling."""

from __future__ import annotations

import time

import pytest
from django.test import override_settings

from dlquiz.coding.models import Exercise, Submission
from dlquiz.coding.services import exercises_sync
from tests.coding.factories import SOFTMAX_TORCH, api_client_for, student_create

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _submit(client) -> int:
    response = client.post(
        "/api/submissions/",
        {"exercise": "softmax", "framework": "torch", "code": SOFTMAX_TORCH},
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def test_one_request_with_wait_returns_the_grade(celery_worker):
    exercises_sync()
    client = api_client_for(student_create())
    submission_id = _submit(client)
    response = client.get(f"/api/submissions/{submission_id}/?wait=20")
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "graded" and body["verdict"] == "accepted", body
    assert len(body["tests"]) >= 10
    # Already graded: answered at once, same body.
    again = client.get(f"/api/submissions/{submission_id}/?wait=20").json()
    assert again == body


def test_wait_ends_at_its_timeout_with_the_submission_still_pending(redis_server):
    """Nothing grades a submission that was never enqueued: the answer comes after `wait`."""
    exercises_sync()
    user = student_create()
    submission = Submission.objects.create(
        user=user, exercise=Exercise.objects.get(slug="softmax"), framework="torch", code="x = 1"
    )
    started = time.monotonic()
    body = api_client_for(user).get(f"/api/submissions/{submission.pk}/?wait=1").json()
    assert body["status"] == "queued"
    assert time.monotonic() - started >= 0.9


def test_no_free_waiting_slot_answers_at_once(redis_server):
    exercises_sync()
    user = student_create()
    submission = Submission.objects.create(
        user=user, exercise=Exercise.objects.get(slug="softmax"), framework="torch", code="x = 1"
    )
    with override_settings(DLQUIZ_API_MAX_WAITERS=0):
        started = time.monotonic()
        body = api_client_for(user).get(f"/api/submissions/{submission.pk}/?wait=15").json()
    assert body["status"] == "queued"
    assert time.monotonic() - started < 10


@pytest.mark.parametrize("value", ["abc", "-1", "20.5", "nan", "inf", ""])
def test_a_bad_wait_is_a_400_naming_the_field(value):
    exercises_sync()
    user = student_create()
    submission = Submission.objects.create(
        user=user, exercise=Exercise.objects.get(slug="softmax"), framework="torch", code="x = 1"
    )
    response = api_client_for(user).get(f"/api/submissions/{submission.pk}/?wait={value}")
    assert response.status_code == 400
    assert "wait" in response.json()


def test_wait_does_not_reveal_another_students_submission():
    exercises_sync()
    owner, other = student_create("owner"), student_create("other")
    submission = Submission.objects.create(
        user=owner, exercise=Exercise.objects.get(slug="softmax"), framework="torch", code="x = 1"
    )
    response = api_client_for(other).get(f"/api/submissions/{submission.pk}/?wait=5")
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("threads", "configured", "slots"),
    [(None, None, 1), (None, 3, 3), (2, None, 1), (4, None, 3), (1, None, 0), (2, 8, 1), (4, 2, 2)],
)
def test_waiting_never_takes_the_last_thread_of_a_process(threads, configured, slots, monkeypatch):
    """With gunicorn's thread count known, at most threads - 1 requests of a process wait, also
    when DLQUIZ_API_MAX_WAITERS asks for more; a lower setting lowers it."""
    from dlquiz.coding import notify

    monkeypatch.setattr(notify, "_web_threads", threads)
    with override_settings(DLQUIZ_API_MAX_WAITERS=configured):
        assert notify.waiter_slots() == slots
