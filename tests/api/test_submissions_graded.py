"""Submissions graded for real (in-process, through the grading task's own function): the result
shape of CONTRACT §2 and what a student may see of hidden tests."""

from __future__ import annotations

import pytest

from dlquiz.coding.models import Exercise, Submission
from dlquiz.coding.services import exercises_sync
from grader.tasks import submission_grade
from tests.coding.factories import (
    SOFTMAX_TORCH,
    SOFTMAX_WRONG_TORCH,
    api_client_for,
    student_create,
    teacher_create,
)

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

TEST_STATUSES = {
    "passed",
    "wrong_answer",
    "invalid_output",
    "runtime_error",
    "time_limit_exceeded",
    "memory_limit_exceeded",
    "output_limit_exceeded",
    "too_slow",
    "forbidden_api",
    "not_run",
}


@pytest.fixture(autouse=True)
def exercises():
    exercises_sync()


def graded(client, code: str, *, path: str = "/api/submissions/") -> dict:
    created = client.post(
        path, {"exercise": "softmax", "framework": "torch", "code": code}, format="json"
    )
    assert created.status_code == 201, created.content
    submission_grade(submission_id=created.json()["id"])
    return client.get(f"/api/submissions/{created.json()['id']}/").json()


def test_a_correct_softmax_is_accepted_with_full_marks():
    data = graded(api_client_for(student_create()), SOFTMAX_TORCH)
    assert data["status"] == "graded" and data["verdict"] == "accepted"
    assert data["score"] == data["max_score"] == Exercise.objects.get(slug="softmax").max_score
    assert data["tests"] and all(t["status"] == "passed" for t in data["tests"])
    assert any(t["hidden"] for t in data["tests"])
    for test in data["tests"]:
        assert set(test) >= {"name", "hidden", "status", "score", "max_score", "time_ms", "message"}


def test_a_wrong_softmax_shows_visible_messages_and_hides_hidden_ones():
    student = api_client_for(student_create())
    data = graded(student, SOFTMAX_WRONG_TORCH)
    assert data["verdict"] == "wrong_answer"
    assert data["score"] < data["max_score"]
    assert {t["status"] for t in data["tests"]} <= TEST_STATUSES
    failed_visible = [t for t in data["tests"] if not t["hidden"] and t["status"] != "passed"]
    assert failed_visible and all(t["message"] for t in failed_visible)
    hidden = [t for t in data["tests"] if t["hidden"]]
    assert hidden and all(t["message"] == "" for t in hidden)
    teacher = api_client_for(teacher_create()).get(f"/api/submissions/{data['id']}/").json()
    assert any(t["message"] for t in teacher["tests"] if t["hidden"])


def test_code_without_the_entry_point_is_a_compile_error():
    data = graded(api_client_for(student_create()), "def soft_max(x):\n    return x\n")
    assert data["status"] == "graded" and data["verdict"] == "compile_error"
    assert data["score"] == 0


def test_run_samples_grades_visible_tests_only_and_stays_out_of_history():
    client = api_client_for(student_create())
    data = graded(client, SOFTMAX_TORCH, path="/api/submissions/run-samples/")
    assert data["kind"] == "samples" and data["status"] == "graded"
    assert data["tests"] and not any(t["hidden"] for t in data["tests"])
    assert client.get("/api/submissions/").json() == []
    assert Submission.objects.get().kind == Submission.Kind.SAMPLES
