"""A small world for the security tests: two students, an instructor, a published and an
unpublished exercise, a topic with a card, and graded submissions whose hidden tests carry
messages a student must never see. Everything is built through the product's models and
services; nothing is graded (no worker needed)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client

from dlquiz.coding.models import Exercise, Submission
from dlquiz.coding.services import exercises_sync
from dlquiz.content.models import Card, Topic
from dlquiz.quiz.models import Exam, ExamAttempt, ExamQuestion, Question
from dlquiz.quiz.services import attempt_create
from tests.coding.factories import (
    api_client_for,
    graded_submission_create,
    student_create,
    teacher_create,
)

ROOT = Path(__file__).resolve().parents[2]

XSS_SCRIPT = "<script>alert(1)</script>"
XSS_ATTR = '"><img src=x onerror=alert(1)>'
XSS_PAYLOADS = (XSS_SCRIPT, XSS_ATTR)

# A student's own attempt, written differently from the model solution so that a scan for the
# reference's lines does not match the student's own code.
STUDENT_CODE = """import torch


def softmax(x, dim=-1):
    p = torch.exp(x - torch.max(x, dim=dim, keepdim=True).values)
    return p / torch.sum(p, dim=dim, keepdim=True)
"""


@dataclass
class World:
    student_a: User
    student_b: User
    instructor: User
    exercise: Exercise
    unpublished: Exercise
    topic: Topic
    card: Card
    hidden_topic: Topic
    hidden_card: Card
    submission_a: Submission
    submission_b: Submission
    question: Question
    exam: Exam
    attempt_a: ExamAttempt
    attempt_b: ExamAttempt
    # Messages of hidden tests: only instructors may ever read them.
    hidden_secrets: tuple[str, ...]
    # The explanation of a quiz question: shown only once an attempt is graded.
    explanation_secret: str


@pytest.fixture(autouse=True)
def throttle_counts_start_empty():
    cache.clear()
    yield
    cache.clear()


def secret(label: str) -> str:
    return f"HIDDEN-{label}-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def world(db, settings) -> World:
    # The world is rebuilt for each test; the production hasher would dominate the run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    exercises_sync()
    exercise = Exercise.objects.get(slug="softmax")
    unpublished = Exercise.objects.get(slug="attention")
    unpublished.is_published = False
    unpublished.save(update_fields=["is_published"])

    student_a = student_create("alice")
    student_b = student_create("bob")
    instructor = teacher_create("prof")

    topic = Topic.objects.create(slug="sec-topic", name_zh="安全", name_en="Security", position=0)
    card = Card.objects.create(
        topic=topic, question="What is softmax?", answer="A normalised exponential.", key="sec-1"
    )
    hidden_topic = Topic.objects.create(
        slug="sec-hidden", name_zh="隐藏", name_en="Hidden", position=1, is_hidden=True
    )
    hidden_card = Card.objects.create(
        topic=hidden_topic, question="Hidden question?", answer="Hidden answer.", key="sec-2"
    )

    secrets_a = (secret("A"), secret("A2"))
    secrets_b = (secret("B"),)
    submission_a = graded_submission_create(
        user=student_a,
        exercise=exercise,
        code=STUDENT_CODE + "# alice-private-marker-7e2a\n",
        tests=[
            ("sample 1", False, "passed", 1, 1, ""),
            ("stable for large logits", True, "wrong_answer", 0, 1, secrets_a[0]),
            ("negative dim", True, "passed", 1, 1, secrets_a[1]),
        ],
    )
    submission_b = graded_submission_create(
        user=student_b,
        exercise=exercise,
        code=STUDENT_CODE + "# bob-private-marker-5d1c\n",
        tests=[("stable for large logits", True, "wrong_answer", 0, 1, secrets_b[0])],
    )
    explanation = secret("EXPLANATION")
    question = Question.objects.create(
        key="sec-q1",
        topic=topic,
        kind=Question.Kind.SINGLE,
        prompt="Which function normalises logits into probabilities?",
        choices=["relu", "softmax", "tanh"],
        answer={"choice": 1},
        explanation=explanation,
        source=Question.Source.ADMIN,
    )
    exam = Exam.objects.create(title="Security exam", time_limit_minutes=10, is_published=True)
    ExamQuestion.objects.create(exam=exam, question=question, position=0)
    attempt_a = attempt_create(
        user=student_a, topics=[topic.slug], count=1, time_limit_minutes=30, seed=1
    )
    attempt_b = attempt_create(
        user=student_b, topics=[topic.slug], count=1, time_limit_minutes=30, seed=2
    )
    return World(
        student_a=student_a,
        student_b=student_b,
        instructor=instructor,
        exercise=exercise,
        unpublished=unpublished,
        topic=topic,
        card=card,
        hidden_topic=hidden_topic,
        hidden_card=hidden_card,
        submission_a=submission_a,
        submission_b=submission_b,
        hidden_secrets=secrets_a + secrets_b,
        question=question,
        exam=exam,
        attempt_a=attempt_a,
        attempt_b=attempt_b,
        explanation_secret=explanation,
    )


token_client = api_client_for  # token-authenticated, or anonymous for None


def session_client(user: User | None, *, enforce_csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=enforce_csrf)
    if user is not None:
        client.force_login(user)
    return client
