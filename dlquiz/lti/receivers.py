"""The courses app announces grade changes; linked assignments send them to the platform."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from dlquiz.courses.signals import grade_changed
from dlquiz.lti import services


@receiver(grade_changed, dispatch_uid="dlquiz.lti.grade_passback")
def grade_passback(sender: Any, *, assignment: Any, user: Any, **kwargs: Any) -> None:
    # Sent after the grade's transaction committed, so the task reads the new grade.
    services.grade_send_enqueue(assignment_id=assignment.pk, user_id=user.pk)
