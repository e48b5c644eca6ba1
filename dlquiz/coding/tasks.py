"""Celery adapters of the coding app: the grading task and the worker's life-cycle hooks. Each
one calls a service; the grading itself lives in dlquiz.coding.grading and grader.grading."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from celery import Task, shared_task, signals
from django.db import close_old_connections

from dlquiz.coding import grading
from dlquiz.coding.services import GRADE_TASK_NAME
from dlquiz.core import sweeps
from dlquiz.ops import metrics
from dlquiz.ops.context import submission_context
from grader import worker

log = logging.getLogger(__name__)


@signals.worker_init.connect
def refuse_without_sandbox(**kwargs: Any) -> None:
    reason = worker.sandbox_refusal()
    if reason:
        log.critical(reason)
        raise SystemExit(reason)


@signals.worker_ready.connect
def start_sweeper(**kwargs: Any) -> None:
    """Every worker runs the periodic sweeps in a background thread of its main process, so a
    deployment heals without a separate scheduler."""
    sweeps.sweeper_start()
    metrics.worker_heartbeat_start(name=metrics.worker_name())


@signals.worker_shutdown.connect
def stop_heartbeat(**kwargs: Any) -> None:
    metrics.worker_heartbeat_stop(name=metrics.worker_name())


@signals.worker_process_init.connect
def warm_up_grading(**kwargs: Any) -> None:
    """Each pool process starts its fork server and times the references in the background
    right away; a submission arriving meanwhile waits for the sandbox, never longer."""

    def warm_up() -> None:
        try:
            started = time.perf_counter()
            worker.grading_warm_up()
            metrics.warm_up_record(seconds=time.perf_counter() - started)
        except Exception:
            log.exception("grading warm-up failed; grading starts everything on first use")
        # The fork server dies with the thread that started it (its parent-death signal fires
        # when that thread ends), so this thread stays, idle, for the life of the process.
        threading.Event().wait()

    threading.Thread(target=warm_up, name="dlquiz-warm-up", daemon=True).start()


@signals.worker_process_shutdown.connect
def close_sandbox(**kwargs: Any) -> None:
    worker.sandbox_close()


@signals.task_prerun.connect
@signals.task_postrun.connect
def database_connections_refresh(sender: Task | None = None, **kwargs: Any) -> None:
    """Between tasks, what Django does between requests: close a connection past CONN_MAX_AGE or
    left unusable by an error, and keep the rest (CELERY_DB_REUSE_MAX stops Celery closing them
    all). An eager task runs inside its caller's transaction, which is not ours to close."""
    if sender is not None and not getattr(sender.request, "is_eager", False):
        close_old_connections()


@shared_task(bind=True, name=GRADE_TASK_NAME, acks_late=True, reject_on_worker_lost=True)
def grade_submission(self: Task, submission_id: int) -> None:
    with submission_context(submission_id=submission_id):
        try:
            grading.submission_grade(submission_id=submission_id)
        except Exception as exc:
            # A fault of the grading machinery, never of the student's code (the sandbox turns
            # those into verdicts): put it back in the queue; the delivery cap ends a loop.
            log.exception("grading submission %s failed", submission_id)
            grading.submission_failure_count(submission_id=submission_id)
            grading.submission_requeue(submission_id=submission_id)
            raise self.retry(exc=exc, countdown=2, max_retries=None) from exc
