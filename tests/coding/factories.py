"""Rows for coding tests, built through the models and services the product uses."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from dlquiz.accounts.services import instructor_create
from dlquiz.coding.models import Exercise, GradedTest, Submission

PASSWORD = "a-long-Passphrase-7"

SOFTMAX_TORCH = """import torch


def softmax(x, dim=-1):
    # A slice of all -inf has max -inf; clamping keeps x - max finite there.
    z = x - x.amax(dim=dim, keepdim=True).clamp_min(-3e38)
    e = torch.exp(z)
    return e / e.sum(dim=dim, keepdim=True)
"""

SOFTMAX_WRONG_TORCH = """import torch


def softmax(x, dim=-1):
    return torch.exp(x) / 2
"""


def student_create(username: str = "lin") -> User:
    return User.objects.create_user(username=username, password=PASSWORD)


def teacher_create(username: str = "prof") -> User:
    return instructor_create(username=username, password=PASSWORD)


def api_client_for(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def exercise_create(
    slug: str = "softmax",
    *,
    frameworks: tuple[str, ...] = ("torch", "numpy"),
    is_published: bool = True,
    max_score: float = 10,
    position: int = 0,
) -> Exercise:
    return Exercise.objects.create(
        slug=slug,
        title=f"{slug} 练习",
        title_en=f"{slug} exercise",
        statement=f"实现 `{slug}`，公式 $e^x$。",
        statement_en=f"Implement `{slug}`: $e^x$.",
        frameworks=list(frameworks),
        starter_code={fw: f"# {fw} starter for {slug}\n" for fw in frameworks},
        samples=[{"name": "small", "call": f"{slug}([1.0, 2.0])", "expected": "[0.27, 0.73]"}],
        max_score=max_score,
        is_published=is_published,
        position=position,
    )


def graded_submission_create(
    *,
    user: User,
    exercise: Exercise,
    tests: list[tuple[str, bool, str, float, float, str]],
    code: str = SOFTMAX_TORCH,
    created_at=None,
    kind: str = Submission.Kind.SUBMISSION,
) -> Submission:
    """A submission with the per-test rows a grading writes: (name, hidden, status, score,
    max_score, message) each."""
    submission = Submission.objects.create(
        user=user,
        exercise=exercise,
        framework="torch",
        code=code,
        kind=kind,
        max_score=exercise.max_score,
    )
    for position, (name, hidden, status, score, max_score, message) in enumerate(tests):
        GradedTest.objects.create(
            submission=submission,
            position=position,
            name=name,
            hidden=hidden,
            status=status,
            score=score,
            max_score=max_score,
            time_ms=0.5,
            message=message,
        )
    first_failure = next((t[2] for t in tests if t[2] != "passed"), None)
    submission.status = Submission.Status.GRADED
    submission.verdict = first_failure or "accepted"
    submission.score = sum(t[3] for t in tests)
    submission.graded_at = timezone.now()
    submission.save()
    if created_at is not None:
        Submission.objects.filter(pk=submission.pk).update(created_at=created_at)
        submission.refresh_from_db()
    return submission
