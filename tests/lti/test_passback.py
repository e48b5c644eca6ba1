"""Grade passback end to end: an instructor's override commits, the courses app sends
grade_changed, the LTI receiver queues a task on the real Redis, a real Celery worker sends the
score to the played platform."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from dlquiz.content.models import Topic
from dlquiz.courses.models import Enrollment
from dlquiz.courses.services import (
    AssignmentInput,
    assignment_create,
    assignment_exam_start,
    grade_override_set,
)
from dlquiz.lti.models import CourseLink, GradeSend
from dlquiz.quiz.models import Exam, ExamAttempt, ExamQuestion, Question
from dlquiz.quiz.services import attempt_answer
from tests.coding.factories import exercise_create
from tests.conftest import wait_until
from tests.lti.test_launch import launch

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("lti_cache"),
]


def test_an_override_reaches_the_platform_through_the_worker(platform, registration, celery_worker):
    launch(Client(), platform, registration, sub="teacher-1", roles=["Instructor"])
    link = CourseLink.objects.select_related("course").get()
    teacher = Enrollment.objects.get(course=link.course).user
    assignment = assignment_create(
        course=link.course,
        actor=teacher,
        data=AssignmentInput(
            title="Softmax",
            due_at=timezone.now() + timedelta(days=7),
            is_published=True,
            exercises=[exercise_create("softmax")],
            points=10,
        ),
    )
    launch(
        Client(),
        platform,
        registration,
        sub="student-1",
        roles=["Learner"],
        custom={"assignment": str(assignment.pk)},
        resource_link="link-2",
    )
    student = Enrollment.objects.get(course=link.course, role=Enrollment.Role.STUDENT).user
    grade_override_set(
        item=assignment.items.get(), actor=teacher, user=student, score=6, comment="partial"
    )
    wait_until(lambda: platform.scores, timeout=60, interval=0.2, what="the score on the LMS")
    assert platform.scores[0]["userId"] == "student-1"
    assert platform.scores[0]["scoreGiven"] == 6
    wait_until(
        lambda: GradeSend.objects.filter(status=GradeSend.Status.SENT).exists(),
        timeout=10,
        what="the recorded send",
    )


def test_an_exam_nobody_handed_in_reaches_the_platform_once_the_sweep_grades_it(
    platform, registration, celery_worker
):
    """A student starts an assignment's exam, answers one question of three and leaves. The
    worker's deadline sweep grades the attempt; grade_changed follows the commit in the worker,
    and the platform receives the score without anyone opening a page."""
    launch(Client(), platform, registration, sub="teacher-2", roles=["Instructor"])
    link = CourseLink.objects.select_related("course").get()
    teacher = Enrollment.objects.get(course=link.course).user
    topic = Topic.objects.create(slug="cnn", name_zh="卷积网络", name_en="CNNs", position=0)
    exam = Exam.objects.create(title="Quiz 1", time_limit_minutes=1)
    for i in range(3):
        question = Question.objects.create(
            key=f"passback-q{i}", topic=topic, kind="single", prompt=f"q{i}?",
            choices=["a", "b"], answer={"choice": 0}, explanation="a",
        )  # fmt: skip
        ExamQuestion.objects.create(exam=exam, question=question, position=i)
    assignment = assignment_create(
        course=link.course,
        actor=teacher,
        data=AssignmentInput(
            title="Quiz 1",
            due_at=timezone.now() + timedelta(days=7),
            is_published=True,
            exam=exam,
            points=9,
        ),
    )
    launch(
        Client(),
        platform,
        registration,
        sub="student-2",
        roles=["Learner"],
        custom={"assignment": str(assignment.pk)},
        resource_link="link-3",
    )
    student = Enrollment.objects.get(course=link.course, role=Enrollment.Role.STUDENT).user
    started = timezone.now() - timedelta(minutes=2)
    attempt = assignment_exam_start(user=student, item=assignment.items.get(), now=started)
    first = attempt.items.get(position=1)
    attempt_answer(attempt=attempt, position=1, answer=first.expected["choice"], now=started)
    assert platform.scores == []

    def scored() -> list[dict]:
        return [score for score in platform.scores if score.get("scoreGiven") is not None]

    # The worker's sweeper runs every DLQUIZ_SWEEP_INTERVAL_S (10 s by default).
    wait_until(scored, timeout=90, interval=0.5, what="the swept exam's score on the LMS")
    assert ExamAttempt.objects.get(pk=attempt.pk).timed_out
    (score,) = scored()
    assert score["userId"] == "student-2"
    assert score["scoreGiven"] == pytest.approx(3.0)  # 1 of 3 questions, on 9 points
    assert score["gradingProgress"] == "FullyGraded"
