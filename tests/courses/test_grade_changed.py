"""Every way an assignment's exam gets graded tells the course: the deadline sweep grading an
attempt nobody handed in, the student finishing it on the quiz page or through the API, opening
it after its deadline, and the courses service. Each sends `grade_changed` once, after the
grade commits; a practice exam sends nothing. The receiver here records the calls, as the LTI
grade passback (tests/lti/test_passback.py) is the receiver in production."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings
from django.utils import timezone

from dlquiz.coding.models import Submission
from dlquiz.core import sweeps
from dlquiz.courses import services
from dlquiz.courses.models import Assignment, GradeHistory
from dlquiz.courses.signals import grade_changed
from dlquiz.quiz.models import ExamAttempt, Question
from dlquiz.quiz.services import attempt_create
from tests.coding.factories import SOFTMAX_TORCH, api_client_for
from tests.courses.factories import (
    assignment_create,
    course_create,
    exam_create,
    instructor_of,
    member_add,
)

pytestmark = pytest.mark.django_db

Call = tuple[int, int]  # (assignment id, student id)


@pytest.fixture
def received() -> Iterator[list[Call]]:
    calls: list[Call] = []

    def receiver(sender: object, *, assignment: Assignment, user: User, **kwargs: object) -> None:
        calls.append((assignment.pk, user.pk))

    grade_changed.connect(receiver)
    yield calls
    grade_changed.disconnect(receiver)


@pytest.fixture
def exam_assignment(questions: list[Question]) -> tuple[Assignment, User]:
    course = course_create()
    student = member_add(course, "lin")
    return assignment_create(course, exam=exam_create(questions[:2])), student


def expired_attempt(assignment: Assignment, student: User) -> ExamAttempt:
    """Started two hours ago on a 30-minute exam: past its deadline, never handed in."""
    attempt = services.assignment_exam_start(
        user=student, item=assignment.items.get(), now=timezone.now() - timedelta(hours=2)
    )
    assert attempt.status == ExamAttempt.Status.IN_PROGRESS
    return attempt


def session(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def by_the_sweep(attempt: ExamAttempt, student: User) -> None:
    # What a worker's sweeper thread runs on its tick: every registered sweep.
    sweeps.sweeps_run()


def finished_on_the_page(attempt: ExamAttempt, student: User) -> None:
    response = session(student).post(f"/exams/attempts/{attempt.pk}/finish/")
    assert response.status_code == 302


def finished_through_the_api(attempt: ExamAttempt, student: User) -> None:
    response = api_client_for(student).post(f"/api/exams/attempts/{attempt.pk}/finish/")
    assert response.status_code == 200


def opened_after_the_deadline(attempt: ExamAttempt, student: User) -> None:
    assert session(student).get(f"/exams/attempts/{attempt.pk}/").status_code == 200


def handed_in_through_the_course(attempt: ExamAttempt, student: User) -> None:
    services.assignment_exam_finish(user=student, attempt=attempt)


PATHS: list[Callable[[ExamAttempt, User], None]] = [
    by_the_sweep,
    finished_on_the_page,
    finished_through_the_api,
    opened_after_the_deadline,
    handed_in_through_the_course,
]


@pytest.mark.parametrize("grade", PATHS, ids=[path.__name__ for path in PATHS])
def test_every_grading_of_an_assignments_exam_sends_grade_changed_once(
    exam_assignment, received, grade, django_capture_on_commit_callbacks
):
    assignment, student = exam_assignment
    attempt = expired_attempt(assignment, student)
    with django_capture_on_commit_callbacks(execute=True):
        grade(attempt, student)
    attempt.refresh_from_db()
    assert attempt.status == ExamAttempt.Status.GRADED and attempt.timed_out
    assert received == [(assignment.pk, student.pk)]
    # Nothing changes the second time: no second signal.
    with django_capture_on_commit_callbacks(execute=True):
        grade(attempt, student)
    assert received == [(assignment.pk, student.pk)]


def test_nothing_is_sent_before_the_grade_commits(
    exam_assignment, received, django_capture_on_commit_callbacks
):
    """The receivers read the grade again, so they hear of it only once it is committed."""
    assignment, student = exam_assignment
    expired_attempt(assignment, student)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        sweeps.sweeps_run()
    assert received == [] and callbacks
    with django_capture_on_commit_callbacks(execute=True):  # the commit
        for callback in callbacks:
            callback()
    assert received == [(assignment.pk, student.pk)]


def test_a_practice_exam_graded_by_the_sweep_is_no_course_grade(
    questions, received, django_capture_on_commit_callbacks
):
    student = User.objects.create_user("mei", password="pw-mei-123456")
    attempt = attempt_create(
        user=student,
        topics=["cnn"],
        count=2,
        time_limit_minutes=5,
        now=timezone.now() - timedelta(hours=1),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert sweeps.sweeps_run()["exam-attempts"] == 1
    attempt.refresh_from_db()
    assert attempt.status == ExamAttempt.Status.GRADED
    assert received == []


@override_settings(DLQUIZ_MAX_GRADE_ATTEMPTS=1)
def test_a_regrade_the_sweeper_gives_up_on_tells_the_course(
    received, monkeypatch, django_capture_on_commit_callbacks
):
    """A regraded submission that no worker finished loses its score when the sweeper gives up
    on it; the course hears of it (an LMS must not keep the old score), and the history shows
    the regrade's outcome."""
    from dlquiz.coding import grading

    course = course_create()
    student = member_add(course, "lin")
    assignment = assignment_create(course)
    submission = services.assignment_submit(
        user=student, item=assignment.items.get(), framework="torch", code=SOFTMAX_TORCH
    )
    Submission.objects.filter(pk=submission.pk).update(
        status=Submission.Status.GRADED, score=8, graded_at=timezone.now()
    )
    # Queued after its commit, which a test's transaction never reaches: no broker needed.
    services.assignment_regrade(assignment=assignment, actor=instructor_of(course))
    assert received == []
    Submission.objects.filter(pk=submission.pk).update(
        status=Submission.Status.RUNNING, attempts=1, started_at=timezone.now() - timedelta(hours=1)
    )
    monkeypatch.setattr(grading, "submission_ids_in_flight", lambda: None)
    with django_capture_on_commit_callbacks(execute=True):
        assert grading.submissions_sweep() == {"requeued": 0, "failed": 1}
    assert received == [(assignment.pk, student.pk)]
    entry = GradeHistory.objects.get(submission=submission)
    assert (entry.reason, entry.old_score, entry.new_score) == ("regrade", 8, None)
    assert Submission.objects.get(pk=submission.pk).status == Submission.Status.FAILED
