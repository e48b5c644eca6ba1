"""Who is acting and which submission is being handled, for the current request or task.

Context variables rather than thread locals: gunicorn threads, Celery pool processes and the
sweeper thread each see their own value."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

current_actor: ContextVar[AbstractBaseUser | AnonymousUser | None] = ContextVar(
    "dlquiz_actor", default=None
)
current_submission_id: ContextVar[int | None] = ContextVar("dlquiz_submission_id", default=None)


@contextmanager
def submission_context(*, submission_id: int | None) -> Iterator[None]:
    """Log records made inside carry `submission_id` (see SubmissionIdFilter)."""
    token = current_submission_id.set(submission_id)
    try:
        yield
    finally:
        current_submission_id.reset(token)


class SubmissionIdFilter(logging.Filter):
    """Adds `submission_id` ("-" outside a grading or a submission request) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "submission_id"):
            submission_id = current_submission_id.get()
            record.submission_id = "-" if submission_id is None else submission_id
        return True


def log_record_factory_install() -> None:
    """Every record gets `submission_id`, whichever handler formats it: Celery's worker handlers
    are set up by Celery, not by LOGGING, and their format names the field too."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "dlquiz_submission", False):
        return

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        submission_id = current_submission_id.get()
        record.submission_id = "-" if submission_id is None else submission_id
        return record

    factory.dlquiz_submission = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)
