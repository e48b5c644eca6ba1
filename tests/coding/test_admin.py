"""Instructor admin: exercise settings, submissions with hidden tests, regrade jobs, grades CSV,
score distribution."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from dlquiz.coding.models import Exercise, RegradeJob, Submission
from tests.coding.factories import (
    PASSWORD,
    exercise_create,
    graded_submission_create,
    student_create,
    teacher_create,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_instructor(client):
    teacher_create("prof")
    client.login(username="prof", password=PASSWORD)
    client.cookies["django_language"] = "en"
    return client


def test_instructors_edit_points_publication_due_date_and_time_multiplier(
    admin_client_instructor,
):
    exercise = exercise_create("softmax")
    page = admin_client_instructor.get("/admin/coding/exercise/")
    assert page.status_code == 200
    form = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-id": str(exercise.pk),
        "form-0-max_score": "20",
        "form-0-is_published": "",
        "form-0-due_at_0": "2030-01-31",
        "form-0-due_at_1": "23:59:00",
        "form-0-time_limit_multiplier": "2.5",
        "_save": "Save",
    }
    response = admin_client_instructor.post("/admin/coding/exercise/", form)
    assert response.status_code == 302
    exercise.refresh_from_db()
    assert exercise.max_score == 20 and not exercise.is_published
    assert exercise.time_limit_multiplier == 2.5
    assert exercise.due_at.date().isoformat() == "2030-01-31"


def test_students_cannot_enter_the_admin(client):
    student_create("lin")
    client.login(username="lin", password=PASSWORD)
    assert client.get("/admin/coding/submission/").status_code == 302
    assert client.get("/admin/coding/exercise/grades.csv").status_code == 302


def test_submission_page_shows_code_and_hidden_test_details(admin_client_instructor):
    exercise = exercise_create("softmax")
    secret = "expected 0.8766 at [1]"
    submission = graded_submission_create(
        user=student_create("lin"),
        exercise=exercise,
        code="def softmax(x, dim=-1):\n    return x  # <b>mine</b>\n",
        tests=[("stable", True, "wrong_answer", 0, 1, secret)],
    )
    submission.tests.update(time_ms=41.25, time_limit_ms=123.5)
    page = admin_client_instructor.get(f"/admin/coding/submission/{submission.pk}/change/")
    text = page.content.decode()
    assert page.status_code == 200
    assert secret in text
    assert "41.25" in text and "123.5" in text  # the exact time and its limit
    assert "&lt;b&gt;mine&lt;/b&gt;" in text
    assert "Regrade this submission" in text


def test_regrade_selected_creates_a_job_with_visible_progress(admin_client_instructor):
    exercise = exercise_create("softmax")
    student = student_create("lin")
    submissions = [
        graded_submission_create(
            user=student, exercise=exercise, tests=[("a", False, "passed", 10, 10, "")]
        )
        for _ in range(2)
    ]
    selected = {"action": "regrade_selected", "_selected_action": [s.pk for s in submissions]}
    asked = admin_client_instructor.post("/admin/coding/submission/", selected)
    text = asked.content.decode()
    assert asked.status_code == 200
    assert "2 submissions will go back into the grading queue" in text
    assert "softmax: 2 submissions" in text and "Yes, regrade them" in text
    assert not RegradeJob.objects.exists()
    assert set(Submission.objects.values_list("status", flat=True)) == {"graded"}
    response = admin_client_instructor.post(
        "/admin/coding/submission/", {**selected, "post": "yes"}
    )
    job = RegradeJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/coding/regradejob/{job.pk}/change/"
    assert job.total == 2
    assert set(Submission.objects.values_list("status", flat=True)) == {"queued"}
    page = admin_client_instructor.get(response["Location"]).content.decode()
    assert "0/2 graded" in page and 'data-refresh-seconds="2"' in page
    Submission.objects.filter(pk=submissions[0].pk).update(
        status="graded", graded_at=timezone.now()
    )
    assert "1/2 graded" in admin_client_instructor.get(response["Location"]).content.decode()


def test_regrade_all_submissions_of_an_exercise(admin_client_instructor):
    exercise = exercise_create("softmax")
    other = exercise_create("attention", position=1)
    student = student_create("lin")
    for target in (exercise, exercise, other):
        graded_submission_create(
            user=student, exercise=target, tests=[("a", False, "passed", 1, 1, "")]
        )
    graded_submission_create(
        user=student,
        exercise=exercise,
        kind=Submission.Kind.SAMPLES,
        tests=[("a", False, "passed", 1, 1, "")],
    )
    admin_client_instructor.post(
        "/admin/coding/exercise/",
        {"action": "regrade_all_submissions", "_selected_action": [exercise.pk], "post": "yes"},
    )
    job = RegradeJob.objects.get()
    assert job.total == 2 and job.exercise == exercise
    assert Submission.objects.filter(status="queued").count() == 2
    change = admin_client_instructor.get(f"/admin/coding/exercise/{exercise.pk}/change/")
    assert "0/2 graded" in change.content.decode()


def test_regrade_one_submission_from_its_page(admin_client_instructor):
    exercise = exercise_create("softmax")
    submission = graded_submission_create(
        user=student_create("lin"), exercise=exercise, tests=[("a", False, "passed", 1, 1, "")]
    )
    response = admin_client_instructor.post(f"/admin/coding/submission/{submission.pk}/regrade/")
    assert response.status_code == 302
    assert RegradeJob.objects.get().total == 1
    submission.refresh_from_db()
    assert submission.status == Submission.Status.QUEUED


def test_grades_csv_has_best_score_at_the_due_date(admin_client_instructor):
    due = timezone.now() - timedelta(days=1)
    softmax = exercise_create("softmax")
    Exercise.objects.filter(pk=softmax.pk).update(due_at=due)
    attention = exercise_create("attention", position=1)
    lin, mei = student_create("lin"), student_create("mei")
    student_create("=cmd")  # a name a spreadsheet would run
    graded_submission_create(
        user=lin,
        exercise=softmax,
        tests=[("a", False, "wrong_answer", 6, 10, "")],
        created_at=due - timedelta(hours=1),
    )
    graded_submission_create(
        user=lin,
        exercise=softmax,
        tests=[("a", False, "passed", 10, 10, "")],
        created_at=due + timedelta(hours=1),
    )
    graded_submission_create(
        user=lin, exercise=attention, tests=[("a", False, "wrong_answer", 2.5, 10, "")]
    )
    graded_submission_create(
        user=mei, exercise=attention, tests=[("a", False, "passed", 10, 10, "")]
    )
    response = admin_client_instructor.get("/admin/coding/exercise/grades.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["student", "softmax", "attention", "total"]
    by_name = {row[0]: row for row in rows[2:]}
    assert by_name["lin"] == ["lin", "6", "2.5", "8.5"]
    assert by_name["mei"] == ["mei", "", "10", "10"]
    assert "'=cmd" in by_name
    assert "prof" not in by_name


def test_exercise_page_shows_a_score_histogram(admin_client_instructor):
    exercise = exercise_create("softmax")
    for name, score in (("a", 10), ("b", 10), ("c", 4.2), ("d", 0)):
        graded_submission_create(
            user=student_create(name),
            exercise=exercise,
            tests=[("t", False, "passed" if score == 10 else "wrong_answer", score, 10, "")],
        )
    page = admin_client_instructor.get(f"/admin/coding/exercise/{exercise.pk}/change/")
    text = page.content.decode()
    assert "<svg" in text and "score-histogram" in text
    assert "<title>2 students</title>" in text  # the full-marks bin
    assert "4 students with a graded submission." in text


def test_instructors_write_an_exercises_hints_on_its_admin_page(admin_client_instructor):
    """Hints are edited inline on the exercise page, in Chinese and English."""
    from dlquiz.coding.models import ExerciseHint

    exercise = exercise_create("softmax")
    ExerciseHint.objects.create(exercise=exercise, position=0, text="旧提示", text_en="old")
    url = f"/admin/coding/exercise/{exercise.pk}/change/"
    page = admin_client_instructor.get(url).content.decode()
    assert "旧提示" in page and 'name="hints-0-text_en"' in page
    hint = exercise.hints.get()
    form = {
        "max_score": "10",
        "is_published": "on",
        "due_at_0": "",
        "due_at_1": "",
        "time_limit_multiplier": "1.0",
        "slug": exercise.slug,
        "title": exercise.title,
        "title_en": exercise.title_en,
        "statement": exercise.statement,
        "statement_en": exercise.statement_en,
        "frameworks": exercise.frameworks,
        "starter_code-keys": ",".join(exercise.starter_code),
        **{f"starter_code-{fw}": code for fw, code in exercise.starter_code.items()},
        "samples-TOTAL": str(len(exercise.samples)),
        **{
            f"samples-{i}-{key}": sample[key]
            for i, sample in enumerate(exercise.samples)
            for key in ("name", "call", "expected")
        },
        "position": "0",
        "difficulty": "easy",
        "topic": "activations",
        "hints-TOTAL_FORMS": "2",
        "hints-INITIAL_FORMS": "1",
        "hints-MIN_NUM_FORMS": "0",
        "hints-MAX_NUM_FORMS": "1000",
        "hints-0-id": str(hint.pk),
        "hints-0-exercise": str(exercise.pk),
        "hints-0-position": "0",
        "hints-0-text": "先减去最大值",
        "hints-0-text_en": "Subtract the max first",
        "hints-1-exercise": str(exercise.pk),
        "hints-1-position": "1",
        "hints-1-text": "保持维度",
        "hints-1-text_en": "Keep the dimension",
        "_save": "Save",
    }
    response = admin_client_instructor.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(exercise.hints.values_list("position", "text", "text_en")) == [
        (0, "先减去最大值", "Subtract the max first"),
        (1, "保持维度", "Keep the dimension"),
    ]
