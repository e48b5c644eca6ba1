"""Instructor actions recorded from model signals, so that every way of making them (admin form,
admin action, service) is covered without each one calling the audit log."""

from __future__ import annotations

import json
from typing import Any

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from dlquiz.coding.models import Exercise, RegradeJob, Submission
from dlquiz.ops.context import current_actor, current_submission_id
from dlquiz.ops.models import AuditEntry
from dlquiz.ops.services import audit_actor, audit_record

# What changes a grade or what students see.
EXERCISE_FIELDS = (
    "title",
    "title_en",
    "max_score",
    "is_published",
    "due_at",
    "time_limit_multiplier",
)
GRADE_FIELDS = ("status", "verdict", "score", "max_score")


def plain(value: Any) -> Any:
    """A JSON value: datetimes and the like as their text."""
    try:
        json.dumps(value)
    except TypeError:
        return str(value)
    return value


def field_changes(
    before: dict[str, Any], instance: Any, fields: tuple[str, ...]
) -> dict[str, list[Any]]:
    return {
        name: [plain(before[name]), plain(getattr(instance, name))]
        for name in fields
        if name in before and before[name] != getattr(instance, name)
    }


@receiver(pre_save, sender=Exercise)
def exercise_remember(sender: type[Exercise], instance: Exercise, **kwargs: Any) -> None:
    instance._audit_before = (  # type: ignore[attr-defined]
        Exercise.objects.filter(pk=instance.pk).values(*EXERCISE_FIELDS).first()
        if instance.pk
        else None
    )


@receiver(post_save, sender=Exercise)
def exercise_audit(
    sender: type[Exercise], instance: Exercise, created: bool, **kwargs: Any
) -> None:
    if audit_actor() is None:
        # Content import (load_content) and tests run without a person acting.
        return
    before = getattr(instance, "_audit_before", None)
    if created or before is None:
        audit_record(action=AuditEntry.Action.EXERCISE_CREATE, target=instance)
        return
    changes = field_changes(before, instance, EXERCISE_FIELDS)
    if not changes:
        return
    if set(changes) == {"is_published"}:
        action = (
            AuditEntry.Action.EXERCISE_PUBLISH
            if instance.is_published
            else AuditEntry.Action.EXERCISE_UNPUBLISH
        )
    else:
        action = AuditEntry.Action.EXERCISE_CHANGE
    audit_record(action=action, target=instance, changes=changes)


@receiver(post_save, sender=RegradeJob)
def regrade_audit(
    sender: type[RegradeJob], instance: RegradeJob, created: bool, **kwargs: Any
) -> None:
    if created:
        audit_record(
            action=AuditEntry.Action.REGRADE,
            target=instance,
            actor=instance.created_by,
            changes={"submissions": [None, instance.total]},
            description=instance.description,
        )


@receiver(pre_save, sender=Submission)
def submission_remember(sender: type[Submission], instance: Submission, **kwargs: Any) -> None:
    # Only a person's edit is audited; grading saves (no actor) skip the extra query.
    if instance.pk and audit_actor() is not None:
        instance._audit_before = (  # type: ignore[attr-defined]
            Submission.objects.filter(pk=instance.pk).values(*GRADE_FIELDS).first()
        )


@receiver(post_save, sender=Submission)
def submission_audit(
    sender: type[Submission], instance: Submission, created: bool, **kwargs: Any
) -> None:
    if created:
        if current_actor.get() is not None:
            # Inside a request (the middleware set the actor and resets both at its end): the
            # rest of the request that created it logs with its id.
            current_submission_id.set(instance.pk)
        return
    before = getattr(instance, "_audit_before", None)
    if before is None:
        return
    changes = field_changes(before, instance, GRADE_FIELDS)
    if changes:
        audit_record(action=AuditEntry.Action.GRADE_OVERRIDE, target=instance, changes=changes)
