"""Audit log writes."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db import models

from dlquiz.ops.context import current_actor
from dlquiz.ops.models import AuditEntry


def audit_actor() -> User | None:
    """The logged-in user of the current request; None in a task, the shell or a command."""
    actor = current_actor.get()
    if actor is None or isinstance(actor, AnonymousUser) or not actor.is_authenticated:
        return None
    return actor if isinstance(actor, User) else None


def audit_record(
    *,
    action: str,
    target: models.Model,
    actor: User | None = None,
    changes: dict[str, list[Any]] | None = None,
    description: str = "",
) -> AuditEntry:
    """Append one entry; `actor` defaults to the current request's user."""
    who = actor if actor is not None else audit_actor()
    return AuditEntry.objects.create(
        actor=who,
        actor_name=who.get_username() if who is not None else "",
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_repr=str(target)[:200],
        changes=changes or {},
        description=description[:200],
    )
