"""The grading task: where Celery meets the ORM. Everything that judges code lives in
grader.grading and grader.sandbox, which know nothing of Django."""

from __future__ import annotations

import logging
import socket

from celery import shared_task, signals
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from dlquiz.coding.notify import submission_finished_publish
from grader import worker

log = logging.getLogger(__name__)

INFRA_MESSAGE = (
    "The grading infrastructure could not grade this submission after {attempts} attempts. "
    "This is not a fault in your code; an instructor has been notified and may regrade it."
)


@signals.worker_init.connect
def refuse_without_sandbox(**kwargs) -> None:
    reason = worker.sandbox_refusal()
    if reason:
        log.critical(reason)
        raise SystemExit(reason)


@signals.worker_ready.connect
def start_sweeper(**kwargs) -> None:
    """Every worker sweeps for lost submissions and expired exam attempts in a background thread
    of its main process, so a deployment heals without a separate scheduler; a Redis lock keeps
    it to one sweep at a time."""
    import threading

    threading.Thread(target=sweeper_loop, name="dlquiz-sweeper", daemon=True).start()


def sweeper_loop() -> None:
    import time

    import redis
    from django.db import close_old_connections

    interval = settings.DLQUIZ_SWEEP_INTERVAL_S
    while True:
        time.sleep(interval)
        try:
            client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2)
            if client.set("dlquiz:sweeper-lock", socket.gethostname(), nx=True, ex=interval):
                submissions_sweep()
                # Exam attempts past their deadline are graded even if the student never returns.
                from dlquiz.quiz.services import attempts_expired_grade

                attempts_expired_grade()
        except Exception:
            log.exception("sweeper failed; trying again in %ss", interval)
        finally:
            close_old_connections()


@signals.worker_process_init.connect
def warm_up_grading(**kwargs) -> None:
    """Each pool process starts its fork server and times the references in the background
    right away; a submission arriving meanwhile waits for the sandbox, never longer."""
    import threading

    def warm_up() -> None:
        try:
            worker.grading_warm_up()
        except Exception:
            log.exception("grading warm-up failed; grading starts everything on first use")
        # The fork server dies with the thread that started it (its parent-death signal fires
        # when that thread ends), so this thread stays, idle, for the life of the process.
        threading.Event().wait()

    threading.Thread(target=warm_up, name="dlquiz-warm-up", daemon=True).start()


@signals.worker_process_shutdown.connect
def close_sandbox(**kwargs) -> None:
    worker.sandbox_close()


@shared_task(bind=True, name="grader.grade_submission", acks_late=True, reject_on_worker_lost=True)
def grade_submission(self, submission_id: int) -> None:
    try:
        submission_grade(submission_id=submission_id)
    except Exception as exc:
        # A fault of the grading machinery, never of the student's code (the sandbox turns those
        # into verdicts): put it back in the queue; the delivery cap ends a loop.
        log.exception("grading submission %s failed", submission_id)
        submission_requeue(submission_id=submission_id)
        raise self.retry(exc=exc, countdown=2, max_retries=None) from exc


def submission_claim(*, submission_id: int):
    """Mark the submission running and count this delivery; None when there is nothing to do."""
    from dlquiz.coding.models import Submission

    Status = Submission.Status
    with transaction.atomic():
        claimed = Submission.objects.filter(
            pk=submission_id, status__in=[Status.QUEUED, Status.RUNNING]
        ).update(
            status=Status.RUNNING,
            attempts=F("attempts") + 1,
            started_at=timezone.now(),
            worker=socket.gethostname(),
        )
    if not claimed:
        return None  # graded or failed already: a duplicate delivery
    return Submission.objects.select_related("exercise").get(pk=submission_id)


def submission_grade(*, submission_id: int) -> None:
    from dlquiz.coding.models import GradedTest, Submission

    submission = submission_claim(submission_id=submission_id)
    if submission is None:
        return
    if submission.attempts > settings.DLQUIZ_MAX_GRADE_ATTEMPTS:
        submission_fail(submission=submission)
        return

    from exercises.registry import exercise_get
    from grader.grading import grade

    result = grade(
        exercise=exercise_get(submission.exercise.slug),
        framework=submission.framework,
        source=submission.code,
        sandbox=worker.sandbox_get(),
        time_multiplier=submission.exercise.time_limit_multiplier,
        device=worker.device_for(framework=submission.framework),
        samples_only=submission.kind == Submission.Kind.SAMPLES,
    )
    with transaction.atomic():
        # Replace whatever an earlier delivery wrote, so a redelivery ends in the same state.
        GradedTest.objects.filter(submission_id=submission.pk).delete()
        GradedTest.objects.bulk_create(
            GradedTest(
                submission_id=submission.pk,
                position=position,
                name=test.name,
                hidden=test.hidden,
                status=test.status,
                score=test.score,
                max_score=test.max_score,
                time_ms=test.time_ms,
                message=test.message,
            )
            for position, test in enumerate(result.tests)
        )
        Submission.objects.filter(pk=submission.pk).update(
            status=Submission.Status.GRADED,
            verdict=result.verdict,
            score=result.score,
            max_score=result.max_score,
            message=result.compile_message,
            stdout=result.stdout,
            stderr=result.stderr,
            graded_at=timezone.now(),
        )
    submission_finished_publish(submission_id=submission.pk)


def submission_fail(*, submission) -> None:
    from dlquiz.coding.models import Submission

    log.error("submission %s failed after %s deliveries", submission.pk, submission.attempts - 1)
    Submission.objects.filter(pk=submission.pk).update(
        status=Submission.Status.FAILED,
        verdict="",
        score=None,
        message=INFRA_MESSAGE.format(attempts=submission.attempts - 1),
        graded_at=timezone.now(),
    )
    transaction.on_commit(lambda: submission_finished_publish(submission_id=submission.pk))


def submission_requeue(*, submission_id: int) -> None:
    from dlquiz.coding.models import Submission

    Submission.objects.filter(pk=submission_id, status=Submission.Status.RUNNING).update(
        status=Submission.Status.QUEUED
    )


@shared_task(name="grader.sweep_stuck_submissions")
def sweep_stuck_submissions() -> dict[str, int]:
    return submissions_sweep()


def submission_ids_in_flight() -> set[int] | None:
    """Submissions whose grading message still exists: waiting in a queue or held by a live
    worker. None when that cannot be known (broker unreachable)."""
    import base64
    import json

    import redis

    from dlquiz.celery import app

    ids: set[int] = set()
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2)
        for queue in ("cpu", "gpu"):
            for raw in client.lrange(queue, 0, -1):
                message = json.loads(raw)
                if message.get("headers", {}).get("task") != grade_submission.name:
                    continue
                args = json.loads(base64.b64decode(message["body"]))[0]
                ids.add(int(args[0]))
    except (redis.RedisError, ValueError, KeyError, IndexError, TypeError):
        return None
    inspect = app.control.inspect(timeout=1.0)
    for held in (inspect.active() or {}, inspect.reserved() or {}):
        for tasks in held.values():
            for task in tasks:
                if task.get("name") == grade_submission.name and task.get("args"):
                    args = task["args"]
                    ids.add(int(args[0] if isinstance(args, list) else str(args).strip("(),[] ")))
    return ids


def submissions_sweep(
    *, stuck_after_s: int | None = None, lost_after_s: int | None = None
) -> dict[str, int]:
    """Re-enqueue submissions whose grading was lost: queued or running with no message left
    for them (a worker killed outright takes its reserved messages with it until Redis's
    visibility timeout), or simply queued/running past the deadline. Past the delivery cap they
    fail instead. A spurious re-enqueue is harmless: grading is idempotent."""
    from datetime import timedelta

    from django.db.models.functions import Coalesce

    from dlquiz.coding.models import Submission
    from dlquiz.coding.services import submission_enqueue

    now = timezone.now()
    stuck_before = now - timedelta(
        seconds=settings.DLQUIZ_STUCK_AFTER_S if stuck_after_s is None else stuck_after_s
    )
    lost_before = now - timedelta(
        seconds=settings.DLQUIZ_LOST_AFTER_S if lost_after_s is None else lost_after_s
    )
    pending = Submission.objects.filter(
        status__in=[Submission.Status.QUEUED, Submission.Status.RUNNING]
    ).annotate(last_seen=Coalesce("started_at", "created_at"))
    candidates = set(pending.filter(last_seen__lt=lost_before).values_list("pk", flat=True))
    if not candidates:
        return {"requeued": 0, "failed": 0}
    overdue = set(pending.filter(last_seen__lt=stuck_before).values_list("pk", flat=True))
    in_flight = submission_ids_in_flight()
    lost = overdue if in_flight is None else overdue | (candidates - in_flight)

    counts = {"requeued": 0, "failed": 0}
    for pk in sorted(lost):
        with transaction.atomic():
            submission = Submission.objects.select_for_update().get(pk=pk)
            if submission.status not in (Submission.Status.QUEUED, Submission.Status.RUNNING):
                continue
            if submission.attempts >= settings.DLQUIZ_MAX_GRADE_ATTEMPTS:
                submission.attempts += 1
                submission_fail(submission=submission)
                counts["failed"] += 1
                continue
            # Restart the clock so the next sweep gives this delivery its full deadline.
            submission.status = Submission.Status.QUEUED
            submission.started_at = timezone.now()
            submission.save(update_fields=["status", "started_at"])
            submission_enqueue(submission=submission)
            counts["requeued"] += 1
    if any(counts.values()):
        log.warning("sweeper: %s", counts)
    return counts
