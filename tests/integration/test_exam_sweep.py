"""An exam attempt left open past its deadline is graded by the worker on its own: the student
need not come back, and no operator has to run `exam_sweep`."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from dlquiz.content.models import Topic
from dlquiz.quiz import services
from dlquiz.quiz.models import ExamAttempt, Question
from tests.conftest import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_the_worker_grades_an_expired_attempt(celery_worker):
    topic = Topic.objects.create(slug="cnn", name_zh="卷积网络", name_en="CNNs", position=0)
    for i in range(3):
        Question.objects.create(
            key=f"sweep-q{i}", topic=topic, kind="single", prompt=f"q{i}?",
            choices=["a", "b"], answer={"choice": 0}, explanation="a",
        )  # fmt: skip
    student = User.objects.create_user("sweep-student", password="pw-sweep-123")
    started = timezone.now() - timedelta(minutes=2)
    attempt = services.attempt_create(
        user=student, topics=["cnn"], count=3, time_limit_minutes=1, now=started, seed=1
    )
    first = attempt.items.get(position=1)
    services.attempt_answer(
        attempt=attempt, position=1, answer=first.expected["choice"], now=started
    )
    assert ExamAttempt.objects.get(pk=attempt.pk).status == "in_progress"

    def graded() -> ExamAttempt | None:
        fresh = ExamAttempt.objects.get(pk=attempt.pk)
        return fresh if fresh.status == "graded" else None

    # The worker's sweeper runs every DLQUIZ_SWEEP_INTERVAL_S (10 s by default).
    fresh = wait_until(graded, timeout=45, interval=0.5, what="the sweeper to grade the attempt")
    assert fresh.timed_out
    assert fresh.score == 1 and fresh.max_score == 3
