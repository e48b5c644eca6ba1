"""A graded submission names the typical mistake its failing outputs match, in the API in the
request's language, for the student who made it; a correct submission has none."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from dlquiz.coding import grading
from dlquiz.coding.models import Exercise, Submission
from dlquiz.coding.services import exercises_sync
from exercises.registry import exercise_get

pytestmark = pytest.mark.django_db


def _graded(*, source: str, framework: str) -> tuple[Submission, APIClient]:
    exercises_sync()
    user = User.objects.create_user(username="ada", password="x")
    exercise = Exercise.objects.get(slug="softmax")
    submission = Submission.objects.create(
        user=user, exercise=exercise, framework=framework, code=source, max_score=10
    )
    grading.submission_grade(submission_id=submission.pk)
    submission.refresh_from_db()
    client = APIClient()
    client.force_authenticate(user)
    return submission, client


def test_a_known_mistake_is_named_in_both_languages():
    """softmax without the max shift: the stored diagnosis names it; the API gives its text in
    English on Accept-Language en and in Chinese by default."""
    mistake = next(m for m in exercise_get("softmax").mistakes if m.name == "no_max_shift")
    submission, client = _graded(source=mistake.source, framework="numpy")
    assert submission.verdict == "invalid_output"
    assert submission.diagnosis["mistake"] == "no_max_shift"
    english = client.get(f"/api/submissions/{submission.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["diagnosis"] == {"mistake": "no_max_shift", "message": mistake.diagnosis["en"]}
    chinese = client.get(f"/api/submissions/{submission.pk}/").json()
    assert chinese["diagnosis"]["message"] == mistake.diagnosis["zh"]


def test_a_correct_submission_has_no_diagnosis():
    """An accepted submission's diagnosis is null."""
    source = exercise_get("softmax").solution_source(framework="numpy")
    submission, client = _graded(source=source, framework="numpy")
    assert submission.verdict == "accepted"
    assert client.get(f"/api/submissions/{submission.pk}/").json()["diagnosis"] is None
