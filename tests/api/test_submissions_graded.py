"""Submissions graded for real (in-process, through the grading task's own function): the result
shape of CONTRACT §2 and what a student may see of hidden tests."""

from __future__ import annotations

import re

import pytest
from django.template.defaultfilters import floatformat
from django.test import Client

from dlquiz.coding.grading import submission_grade
from dlquiz.coding.models import Exercise, Submission
from dlquiz.coding.services import exercises_sync
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


TIME_PHRASES = tuple(
    f"within the allowed time ({tenths / 10:.1f}x of the limit)" for tenths in range(1, 11)
)


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
    assert hidden and all(t["message"] in ("", *TIME_PHRASES) for t in hidden)
    assert any(t["message"] == "" and t["status"] == "wrong_answer" for t in hidden)
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


def test_a_student_sees_no_exact_time_of_a_hidden_test_and_an_instructor_does():
    """Code that busy-waits by its inputs would spell hidden inputs out in milliseconds: a
    student's API answer and page carry no time of a hidden test (the performance test says only
    how it compares to the limit, to a tenth); an instructor's carry every time."""
    student = student_create()
    data = graded(api_client_for(student), SOFTMAX_TORCH)
    visible = [t for t in data["tests"] if not t["hidden"]]
    hidden = [t for t in data["tests"] if t["hidden"]]
    assert visible and all(t["time_ms"] is not None for t in visible)
    assert hidden and all(t["time_ms"] is None for t in hidden)
    performance = [t for t in hidden if t["message"]]
    assert len(performance) == 1 and performance[0]["message"] in TIME_PHRASES, hidden

    teacher = teacher_create()
    full = api_client_for(teacher).get(f"/api/submissions/{data['id']}/").json()
    times = {t["name"]: t["time_ms"] for t in full["tests"] if t["hidden"]}
    assert times and all(time_ms is not None and time_ms > 0 for time_ms in times.values())

    def page_for(user) -> str:
        client = Client()
        client.force_login(user)
        response = client.get(f"/submissions/{data['id']}/", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200
        return response.content.decode()

    def hidden_time_cells(page: str) -> list[str]:
        rows = re.findall(r'<tr class="test test-.*?</tr>', page, flags=re.S)
        hidden_rows = [row for row in rows if 'class="badge"' in row]
        assert len(hidden_rows) == len(times)
        return [re.findall(r"<td>(.*?)</td>", row, flags=re.S)[2] for row in hidden_rows]

    student_page, teacher_page = page_for(student), page_for(teacher)
    assert hidden_time_cells(student_page) == [""] * len(times)
    assert hidden_time_cells(teacher_page) == [
        f"{floatformat(time_ms, '-2')} ms" for time_ms in times.values()
    ]
    assert performance[0]["message"] in student_page
