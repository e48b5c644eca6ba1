"""The audit log records instructors' changes to exercises, regrades and hand-made grade changes,
with who and what changed; the admin shows it read-only."""

from __future__ import annotations

import pytest
from django.test import Client

from dlquiz.coding.models import Exercise, Submission
from dlquiz.ops.context import current_actor
from dlquiz.ops.models import AuditEntry
from tests.coding.factories import (
    exercise_create,
    graded_submission_create,
    student_create,
    teacher_create,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def instructor_client() -> Client:
    client = Client()
    client.force_login(teacher_create("prof"))
    return client


def test_an_exercise_edit_in_the_admin_is_logged_with_old_and_new_values(instructor_client):
    exercise = exercise_create("softmax")
    form = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-id": str(exercise.pk),
        "form-0-max_score": "20",
        "form-0-is_published": "on",
        "form-0-due_at_0": "",
        "form-0-due_at_1": "",
        "form-0-time_limit_multiplier": "2.5",
        "_save": "Save",
    }
    assert instructor_client.post("/admin/coding/exercise/", form).status_code == 302
    entry = AuditEntry.objects.get()
    assert entry.actor_name == "prof" and entry.actor is not None
    assert entry.action == AuditEntry.Action.EXERCISE_CHANGE
    assert entry.target_type == "coding.exercise" and entry.target_id == str(exercise.pk)
    assert entry.changes == {"max_score": [10.0, 20.0], "time_limit_multiplier": [1.0, 2.5]}


def test_publishing_and_unpublishing_from_the_admin_action_are_logged(instructor_client):
    exercise = exercise_create("softmax")
    for action in ("unpublish", "publish"):
        response = instructor_client.post(
            "/admin/coding/exercise/", {"action": action, "_selected_action": [exercise.pk]}
        )
        assert response.status_code == 302
    assert [e.action for e in AuditEntry.objects.order_by("id")] == [
        AuditEntry.Action.EXERCISE_UNPUBLISH,
        AuditEntry.Action.EXERCISE_PUBLISH,
    ]
    assert Exercise.objects.get(pk=exercise.pk).is_published


def test_a_regrade_is_logged_with_its_size_and_who_started_it(instructor_client):
    exercise = exercise_create("softmax")
    submission = graded_submission_create(
        user=student_create("lin"), exercise=exercise, code="x = 1\n", tests=[]
    )
    instructor_client.post(f"/admin/coding/submission/{submission.pk}/regrade/")
    entry = AuditEntry.objects.get(action=AuditEntry.Action.REGRADE)
    assert entry.actor_name == "prof"
    assert entry.target_type == "coding.regradejob"
    assert entry.changes == {"submissions": [None, 1]}


def test_a_grade_changed_by_a_person_is_logged_but_grading_itself_is_not():
    exercise = exercise_create("softmax")
    submission = graded_submission_create(
        user=student_create("lin"), exercise=exercise, code="x = 1\n", tests=[]
    )
    # Grading (no person acting) writes grades without an entry.
    submission.score = 3.0
    submission.save()
    assert not AuditEntry.objects.exists()

    token = current_actor.set(teacher_create("prof"))
    try:
        submission = Submission.objects.get(pk=submission.pk)
        submission.score = 9.5
        submission.save()
    finally:
        current_actor.reset(token)
    entry = AuditEntry.objects.get()
    assert entry.action == AuditEntry.Action.GRADE_OVERRIDE
    assert entry.changes == {"score": [3.0, 9.5]}


def test_the_log_is_read_only_in_the_admin_for_instructors(instructor_client):
    exercise = exercise_create("softmax")
    exercise_create("attention")
    instructor_client.post(
        "/admin/coding/exercise/", {"action": "unpublish", "_selected_action": [exercise.pk]}
    )
    entry = AuditEntry.objects.get()
    listing = instructor_client.get("/admin/ops/auditentry/", HTTP_ACCEPT_LANGUAGE="en")
    assert listing.status_code == 200
    assert "exercise unpublished" in listing.content.decode()
    assert instructor_client.get(f"/admin/ops/auditentry/{entry.pk}/change/").status_code == 200
    assert instructor_client.get("/admin/ops/auditentry/add/").status_code == 403
    delete = instructor_client.post(f"/admin/ops/auditentry/{entry.pk}/delete/", {"post": "yes"})
    assert delete.status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_the_log_speaks_chinese_by_default(instructor_client):
    exercise = exercise_create("softmax")
    instructor_client.post(
        "/admin/coding/exercise/", {"action": "unpublish", "_selected_action": [exercise.pk]}
    )
    page = instructor_client.get("/admin/ops/auditentry/").content.decode()
    assert "审计日志" in page and "练习已下架" in page


def test_students_cannot_see_the_log(client):
    client.force_login(student_create("lin"))
    assert client.get("/admin/ops/auditentry/").status_code == 302
