"""Connections of the courses app to events of other apps; each one calls a service."""

from __future__ import annotations

import logging
from typing import Any

from celery import signals
from django.dispatch import receiver

from dlquiz.coding.services import GRADE_TASK_NAME
from dlquiz.coding.signals import submission_given_up
from dlquiz.quiz.signals import attempt_graded

log = logging.getLogger(__name__)


@signals.task_postrun.connect
def submission_graded(sender: Any = None, args: Any = None, **kwargs: Any) -> None:
    """In the worker, after a grading task ran: tell the course that a grade changed. The
    grading service itself stays unaware of courses."""
    if getattr(sender, "name", None) != GRADE_TASK_NAME or not args:
        return
    from dlquiz.courses.services import submission_graded_notify

    try:
        submission_graded_notify(submission_id=int(args[0]))
    except Exception:  # a receiver must never fail the grading task
        log.exception("grade_changed for submission %s failed", args[0])


@receiver(submission_given_up, dispatch_uid="dlquiz.courses.submission_given_up")
def submission_failed(sender: Any = None, *, submission_id: int, **kwargs: Any) -> None:
    """The sweeper gave up on a submission (no score now, though a regrade's had one): the
    course hears of it as of a grading."""
    from dlquiz.courses.services import submission_graded_notify

    try:
        submission_graded_notify(submission_id=submission_id)
    except Exception:  # the sweeper goes on with the next submission
        log.exception("grade_changed for submission %s failed", submission_id)


@receiver(attempt_graded, dispatch_uid="dlquiz.courses.exam_attempt_graded")
def exam_attempt_graded(sender: Any = None, *, attempt: Any, **kwargs: Any) -> None:
    """An exam attempt was graded, however it came to be (its student finished it, it was opened
    after its deadline, or the deadline sweep graded it): an assignment's exam changes that
    student's grade."""
    from dlquiz.courses.services import attempt_graded_notify

    attempt_graded_notify(attempt_id=attempt.pk)
