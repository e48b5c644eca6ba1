"""Writes for exercises and submissions."""

from __future__ import annotations

from typing import TextIO

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from dlquiz.coding.models import Exercise, Submission


def exercises_sync(*, stdout: TextIO | None = None) -> dict[str, int]:
    """Copy every exercise package into the database. What instructors own (publication, points,
    due date, time-limit multiplier) is set only when the exercise is first created."""
    from exercises.registry import exercise_list

    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for position, exercise in enumerate(exercise_list()):
        fields = {
            "title": exercise.title_zh,
            "title_en": exercise.title_en,
            "statement": exercise.statement_zh,
            "statement_en": exercise.statement_en,
            "frameworks": list(exercise.frameworks),
            "starter_code": dict(exercise.starter_code),
            "samples": exercise.samples_public(),
            "position": position,
        }
        row = Exercise.objects.filter(slug=exercise.slug).first()
        if row is None:
            Exercise.objects.create(
                slug=exercise.slug, max_score=exercise.points, synced_at=timezone.now(), **fields
            )
            counts["created"] += 1
        elif any(getattr(row, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(row, name, value)
            row.synced_at = timezone.now()
            row.save()
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    if stdout is not None:
        stdout.write(
            "exercises: {created} created, {updated} updated, {unchanged} unchanged\n".format(
                **counts
            )
        )
    return counts


def submission_queue_name(*, framework: str) -> str:
    """torch submissions go to GPU workers when the deployment has them."""
    if framework == "torch" and getattr(settings, "DLQUIZ_GPU_QUEUE", False):
        return "gpu"
    return "cpu"


def submission_enqueue(*, submission: Submission) -> None:
    """Send the grading task once the row is committed, so a worker never sees a missing row."""
    from grader.tasks import grade_submission

    queue = submission_queue_name(framework=submission.framework)
    transaction.on_commit(lambda: grade_submission.apply_async(args=[submission.pk], queue=queue))


@transaction.atomic
def submission_create(
    *,
    user: AbstractBaseUser,
    exercise: Exercise,
    framework: str,
    code: str,
    kind: str = Submission.Kind.SUBMISSION,
    idempotency_key: str = "",
) -> tuple[Submission, bool]:
    """Record a submission and enqueue its grading after commit.

    Preconditions: the caller validated exercise visibility, framework and code, and quotas.
    Returns (submission, created); a repeated idempotency key returns the earlier submission.
    """
    if idempotency_key:
        earlier = Submission.objects.filter(user=user, idempotency_key=idempotency_key).first()
        if earlier is not None:
            return earlier, False
    try:
        with transaction.atomic():
            submission = Submission.objects.create(
                user=user,
                exercise=exercise,
                framework=framework,
                code=code,
                kind=kind,
                max_score=exercise.max_score,
                idempotency_key=idempotency_key,
            )
    except IntegrityError:
        # A concurrent request with the same key won the race.
        return Submission.objects.get(user=user, idempotency_key=idempotency_key), False
    submission_enqueue(submission=submission)
    return submission, True


@transaction.atomic
def submission_regrade(*, submission_ids: list[int]) -> int:
    """Put submissions back in the queue; their previous grade is replaced when they are graded."""
    rows = list(Submission.objects.select_for_update().filter(pk__in=submission_ids))
    for submission in rows:
        submission.status = Submission.Status.QUEUED
        submission.attempts = 0
        submission.save(update_fields=["status", "attempts"])
        submission_enqueue(submission=submission)
    return len(rows)
