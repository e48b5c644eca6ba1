"""Writes for exercises and submissions."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from dlquiz.accounts.services import user_is_instructor
from dlquiz.celery import app as celery_app
from dlquiz.coding import selectors
from dlquiz.coding.hint_seeds import hint_seed_rows
from dlquiz.coding.models import Exercise, ExerciseHint, RegradeJob, Submission

MAX_CODE_BYTES = 64 * 1024
MAX_ACTIVE_SUBMISSIONS = 2
MAX_IDEMPOTENCY_KEY_LENGTH = 128
# The registered name of the grading task; messages already queued in Redis carry it.
GRADE_TASK_NAME = "grader.grade_submission"


def exercise_cards_link(*, exercise: Exercise, snippets: tuple[str, ...]) -> None:
    """Link the exercise to the note cards its package names (by question); cards not loaded
    yet are linked by a later sync. Changes nothing when the links are already right."""
    from dlquiz.content.selectors import card_find

    found = {card.pk for card in (card_find(text=text) for text in snippets) if card is not None}
    if set(exercise.cards.values_list("pk", flat=True)) != found:
        exercise.cards.set(found)


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
            "difficulty": exercise.difficulty,
            "topic": exercise.topic,
        }
        row = Exercise.objects.filter(slug=exercise.slug).first()
        if row is None:
            row = Exercise.objects.create(
                slug=exercise.slug, max_score=exercise.points, synced_at=timezone.now(), **fields
            )
            exercise_hints_seed(exercise=row)
            counts["created"] += 1
        elif any(getattr(row, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(row, name, value)
            row.synced_at = timezone.now()
            row.save()
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
        exercise_cards_link(exercise=row, snippets=exercise.cards)
    if stdout is not None:
        stdout.write(
            "exercises: {created} created, {updated} updated, {unchanged} unchanged\n".format(
                **counts
            )
        )
    return counts


def exercise_hints_seed(*, exercise: Exercise) -> int:
    """Give a new exercise its seeded hints (dlquiz.coding.hint_seeds); an exercise that has
    hints keeps them, so an instructor's edits stay. Returns the number created."""
    if exercise.hints.exists():
        return 0
    rows = hint_seed_rows(slug=exercise.slug)
    ExerciseHint.objects.bulk_create(
        ExerciseHint(exercise=exercise, position=position, text=text, text_en=text_en)
        for position, text, text_en in rows
    )
    return len(rows)


def submission_queue_name(*, framework: str) -> str:
    """torch submissions go to GPU workers when the deployment has them."""
    if framework == "torch" and getattr(settings, "DLQUIZ_GPU_QUEUE", False):
        return "gpu"
    return "cpu"


def submission_enqueue(*, submission: Submission) -> None:
    """Send the grading task once the row is committed, so a worker never sees a missing row.
    Sent by name: the task's module (dlquiz.coding.tasks) depends on this one, not the reverse."""
    queue = submission_queue_name(framework=submission.framework)
    submission_id = submission.pk
    transaction.on_commit(
        lambda: celery_app.send_task(GRADE_TASK_NAME, args=[submission_id], queue=queue)
    )


@transaction.atomic
def submission_create(
    *,
    user: User,
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


class SubmissionRefused(Exception):
    """A submission that was not recorded; nothing was written."""


class SubmissionInvalid(SubmissionRefused):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


class SubmissionQuotaExceeded(SubmissionRefused):
    def __init__(self, *, active: int, retry_after_s: int) -> None:
        super().__init__(f"{active} submissions are still being graded")
        self.active = active
        self.retry_after_s = retry_after_s


def submission_code_errors(*, code: str) -> list[str]:
    """Why the source cannot be accepted, as messages for the `code` field."""
    if not code.strip():
        return ["The code is empty."]
    if "\x00" in code:
        return ["The code contains a NUL character."]
    try:
        size = len(code.encode("utf-8"))
    except UnicodeEncodeError:
        # Lone surrogates from a JSON \ud800 escape: not text that any file could hold.
        return ["The code is not valid UTF-8 text."]
    if size > MAX_CODE_BYTES:
        return [
            f"The code is {size} bytes long; at most {MAX_CODE_BYTES} bytes (64 KiB) are allowed."
        ]
    return []


def submission_validate(*, user: User, exercise_slug: str, framework: str, code: str) -> Exercise:
    """The exercise to grade against, or SubmissionInvalid with a message per field. An
    unpublished exercise reads exactly like an unknown one to a student."""
    errors: dict[str, list[str]] = {}
    exercise = selectors.exercise_get_visible(user=user, slug=exercise_slug)
    if exercise is None:
        errors["exercise"] = [f"Unknown exercise {exercise_slug!r}."]
    elif framework not in exercise.frameworks:
        supported = ", ".join(exercise.frameworks)
        errors["framework"] = [
            f"Framework {framework!r} is not supported by {exercise.slug}; use one of: {supported}."
        ]
    code_errors = submission_code_errors(code=code)
    if code_errors:
        errors["code"] = code_errors
    if errors:
        raise SubmissionInvalid(errors)
    assert exercise is not None
    return exercise


def submission_quota_retry_after_s() -> int:
    return int(getattr(settings, "DLQUIZ_QUOTA_RETRY_AFTER_S", 5))


@transaction.atomic
def submission_submit(
    *,
    user: User,
    exercise_slug: str,
    framework: str,
    code: str,
    kind: str = Submission.Kind.SUBMISSION,
    idempotency_key: str = "",
) -> tuple[Submission, bool]:
    """Validate, check the quota, then record the submission and enqueue its grading.

    Returns (submission, created). A repeated idempotency key returns the earlier submission, even
    when the quota is now full, so a retried request never grades twice. Raises SubmissionInvalid
    or SubmissionQuotaExceeded and then writes nothing. The user's row is locked for the quota
    check, so two concurrent requests cannot both take the last slot.
    """
    if len(idempotency_key) > MAX_IDEMPOTENCY_KEY_LENGTH:
        raise SubmissionInvalid(
            {"idempotency_key": [f"At most {MAX_IDEMPOTENCY_KEY_LENGTH} characters."]}
        )
    exercise = submission_validate(
        user=user, exercise_slug=exercise_slug, framework=framework, code=code
    )
    if idempotency_key:
        earlier = Submission.objects.filter(user=user, idempotency_key=idempotency_key).first()
        if earlier is not None:
            return earlier, False
    if not user_is_instructor(user):
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        active = selectors.submission_active_count(user=user)
        if active >= MAX_ACTIVE_SUBMISSIONS:
            raise SubmissionQuotaExceeded(
                active=active, retry_after_s=submission_quota_retry_after_s()
            )
    return submission_create(
        user=user,
        exercise=exercise,
        framework=framework,
        code=code,
        kind=kind,
        idempotency_key=idempotency_key,
    )


@transaction.atomic
def regrade_job_create(
    *,
    created_by: User | None,
    submission_ids: Iterable[int],
    description: str,
    exercise: Exercise | None = None,
) -> RegradeJob:
    """Record a regrade job over the given submissions and put them back in the queue; the
    workers do the grading, the job's progress is read from the submissions."""
    ids = sorted(set(submission_ids))
    job = RegradeJob.objects.create(
        created_by=created_by, exercise=exercise, description=description[:200], total=len(ids)
    )
    job.submissions.set(ids)
    submission_regrade(submission_ids=ids)
    return job
