"""Grading writes: claim a submission, grade it through grader.grading (which knows no Django),
store the grade, fail or requeue it, and sweep for gradings that were lost. The Celery task in
dlquiz.coding.tasks is a thin adapter over submission_grade."""

from __future__ import annotations

import base64
import json
import logging
import socket
import time
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING, TypedDict, cast

import redis
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from dlquiz.coding.models import Exercise, GradedTest, Submission
from dlquiz.coding.notify import submission_finished_publish
from dlquiz.coding.services import GRADE_TASK_NAME, submission_enqueue
from dlquiz.coding.signals import submission_given_up
from dlquiz.ops.metrics import grading_record, sandbox_failure_record
from grader.messages import english

if TYPE_CHECKING:
    from grader.grading import GradeResult

log = logging.getLogger(__name__)

GRADING_QUEUES = ("cpu", "gpu")
PENDING_STATUSES = (Submission.Status.QUEUED, Submission.Status.RUNNING)


class SweepCounts(TypedDict):
    requeued: int
    failed: int


def submission_claim(*, submission_id: int) -> Submission | None:
    """Mark the submission running and count this delivery; None when there is nothing to do
    (graded or failed already: a duplicate delivery)."""
    with transaction.atomic():
        claimed = Submission.objects.filter(pk=submission_id, status__in=PENDING_STATUSES).update(
            status=Submission.Status.RUNNING,
            attempts=F("attempts") + 1,
            started_at=timezone.now(),
            worker=socket.gethostname(),
        )
    if not claimed:
        return None
    return Submission.objects.select_related("exercise").get(pk=submission_id)


def submission_grade(*, submission_id: int) -> None:
    """Grade one delivery of a submission and store the result; idempotent, so a redelivered
    task ends in the same state. Faults of the grading machinery raise (the task requeues);
    anything the student's code does becomes a verdict."""
    started = time.perf_counter()
    submission = submission_claim(submission_id=submission_id)
    if submission is None:
        return
    if submission.attempts > settings.DLQUIZ_MAX_GRADE_ATTEMPTS:
        submission_fail(submission=submission)
        return
    claimed = time.perf_counter()

    # Imported here: the web processes that import this module never load the sandbox.
    from exercises.registry import exercise_get
    from grader import worker
    from grader.grading import allowed_time_ms, grade

    package = exercise_get(submission.exercise.slug)
    device = worker.device_for(framework=submission.framework)
    time_multiplier = submission.exercise.time_limit_multiplier
    samples_only = submission.kind == Submission.Kind.SAMPLES
    sandbox_started = time.perf_counter()
    result = grade(
        exercise=package,
        framework=submission.framework,
        source=submission.code,
        sandbox=worker.sandbox_get(),
        time_multiplier=time_multiplier,
        device=device,
        samples_only=samples_only,
    )
    # What a student sees of a hidden performance test is its time relative to this limit.
    timed = {test.name for test in result.tests if test.time_ms is not None}
    time_limits = {
        case.name: allowed_time_ms(
            exercise=package,
            framework=submission.framework,
            case=case,
            device=device,
            time_multiplier=time_multiplier,
        )
        for case in package.cases(samples_only=samples_only)
        if case.performance is not None and case.name in timed
    }
    sandbox_done = time.perf_counter()
    submission_grade_store(
        submission=submission,
        exercise=submission.exercise,
        result=result,
        time_limits_ms=time_limits,
    )
    stored = time.perf_counter()
    submission_finished_publish(submission_id=submission.pk)
    notified = time.perf_counter()
    log.info("graded: %s in %.0f ms", result.verdict, (notified - started) * 1000)
    first_delivery = submission.attempts == 1 and submission.graded_at is None
    # The fork server timed each call (`tests`: the tests' own compute); the rest of the sandbox's
    # job is starting the child and moving inputs and results (`sandbox`); `compare` is judging
    # the results; what else grade() and the time limits took counts as preparing.
    tests_s = sum(test.time_ms or 0.0 for test in result.tests) / 1000
    run_s = result.timings.get("run", sandbox_done - sandbox_started)
    compare_s = result.timings.get("compare", 0.0)
    grading_record(
        exercise=submission.exercise.slug,
        verdict=result.verdict,
        queued_s=(submission.started_at - submission.created_at).total_seconds()
        if first_delivery and submission.started_at
        else None,
        stages={
            "claim": claimed - started,
            "prepare": max(sandbox_done - sandbox_started - run_s - compare_s, 0.0)
            + (sandbox_started - claimed),
            "sandbox": max(run_s - tests_s, 0.0),
            "tests": tests_s,
            "compare": compare_s,
            "store": stored - sandbox_done,
            "notify": notified - stored,
        },
    )


def submission_grade_store(
    *,
    submission: Submission,
    exercise: Exercise,
    result: GradeResult,
    time_limits_ms: dict[str, float],
) -> None:
    """Replace the submission's grade with `result`, scaled to the exercise row's max_score: an
    instructor's points are the truth, the package's points give only the tests' weights."""
    package_max = result.max_score
    factor = exercise.max_score / package_max if package_max > 0 else 0.0
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
                score=round(test.score * factor, 4),
                max_score=round(test.max_score * factor, 4),
                time_ms=test.time_ms,
                time_limit_ms=time_limits_ms.get(test.name),
                message=test.message,
                message_data=test.detail,
                warnings=test.warnings,
                # The grader compares arrays of visible tests only; kept so here too.
                arrays=[] if test.hidden else test.arrays,
            )
            for position, test in enumerate(result.tests)
        )
        Submission.objects.filter(pk=submission.pk).update(
            status=Submission.Status.GRADED,
            verdict=result.verdict,
            score=round(result.score * factor, 4),
            max_score=exercise.max_score,
            message=result.compile_message,
            stdout=result.stdout,
            stderr=result.stderr,
            diagnosis=result.diagnosis,
            graded_at=timezone.now(),
        )


def submission_fail(*, submission: Submission) -> None:
    """Give up on a submission the infrastructure could not grade; never the student's fault."""
    log.error("submission %s failed after %s deliveries", submission.pk, submission.attempts - 1)
    sandbox_failure_record(exercise=submission.exercise.slug, kind="gave_up")
    Submission.objects.filter(pk=submission.pk).update(
        status=Submission.Status.FAILED,
        verdict="",
        score=None,
        message=english("infra.gave_up", attempts=submission.attempts - 1),
        graded_at=timezone.now(),
    )
    submission_id = submission.pk
    transaction.on_commit(lambda: submission_finished_publish(submission_id=submission_id))


def submission_failure_count(*, submission_id: int) -> None:
    """A fault of the grading machinery, counted in the metrics by exercise."""
    slug = (
        Submission.objects.filter(pk=submission_id).values_list("exercise__slug", flat=True).first()
    )
    sandbox_failure_record(exercise=slug or "", kind="retried")


def submission_requeue(*, submission_id: int) -> None:
    """Back to queued after a fault of the grading machinery; the task's retry delivers it again."""
    Submission.objects.filter(pk=submission_id, status=Submission.Status.RUNNING).update(
        status=Submission.Status.QUEUED
    )


def submission_ids_in_flight() -> set[int] | None:
    """Submissions whose grading message still exists: waiting in a queue or held by a live
    worker. None when that cannot be known (broker unreachable, or no worker answered)."""
    from dlquiz.celery import app

    ids: set[int] = set()
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2)
        for queue in GRADING_QUEUES:
            for raw in cast(list[bytes], client.lrange(queue, 0, -1)):
                message = json.loads(raw)
                if message.get("headers", {}).get("task") != GRADE_TASK_NAME:
                    continue
                args = json.loads(base64.b64decode(message["body"]))[0]
                ids.add(int(args[0]))
    except (redis.RedisError, ValueError, KeyError, IndexError, TypeError):
        return None
    inspect = app.control.inspect(timeout=2.0)
    # Reserved before active: a task that starts between the two calls is seen in one of them.
    # No answer at all is not "nothing held": the sweeper runs in a worker, so at least that
    # worker is alive, only too busy to answer in time.
    reserved = inspect.reserved()
    active = inspect.active()
    if reserved is None or active is None:
        return None
    for held in (reserved, active):
        for tasks in held.values():
            for task in tasks:
                if task.get("name") == GRADE_TASK_NAME and task.get("args"):
                    args = task["args"]
                    ids.add(int(args[0] if isinstance(args, list) else str(args).strip("(),[] ")))
    return ids


def submissions_sweep(
    *, stuck_after_s: int | None = None, lost_after_s: int | None = None
) -> SweepCounts:
    """Re-enqueue submissions whose grading was lost: queued or running with no message left
    for them (a worker killed outright takes its reserved messages with it until Redis's
    visibility timeout), or simply queued/running past the deadline. Past the delivery cap they
    fail instead. A spurious re-enqueue is harmless: grading is idempotent."""
    now = timezone.now()
    stuck_before = now - timedelta(
        seconds=settings.DLQUIZ_STUCK_AFTER_S if stuck_after_s is None else stuck_after_s
    )
    lost_before = now - timedelta(
        seconds=settings.DLQUIZ_LOST_AFTER_S if lost_after_s is None else lost_after_s
    )
    pending = Submission.objects.filter(status__in=PENDING_STATUSES).annotate(
        last_seen=Coalesce("started_at", "created_at")
    )
    counts: SweepCounts = {"requeued": 0, "failed": 0}
    candidates = set(pending.filter(last_seen__lt=lost_before).values_list("pk", flat=True))
    if not candidates:
        return counts
    overdue = set(pending.filter(last_seen__lt=stuck_before).values_list("pk", flat=True))
    in_flight = submission_ids_in_flight()
    missing = set() if in_flight is None else candidates - in_flight
    if missing:
        # A second look: a message popped from its queue but not yet reserved by the worker, or a
        # worker too busy to answer within the inspect timeout, is missing from one snapshot only.
        again = submission_ids_in_flight()
        missing = set() if again is None else missing - again
    lost = overdue | missing

    for pk in sorted(lost):
        with transaction.atomic():
            submission = Submission.objects.select_for_update().get(pk=pk)
            if submission.status not in PENDING_STATUSES:
                continue
            if submission.attempts >= settings.DLQUIZ_MAX_GRADE_ATTEMPTS:
                submission.attempts += 1
                submission_fail(submission=submission)
                # Its score is gone (a regrade's included): a course's grade may have changed.
                transaction.on_commit(
                    partial(submission_given_up.send, sender=Submission, submission_id=pk)
                )
                counts["failed"] += 1
                continue
            # Restart the clock so the next sweep gives this delivery its full deadline.
            submission.status = Submission.Status.QUEUED
            submission.started_at = timezone.now()
            submission.save(update_fields=["status", "started_at"])
            submission_enqueue(submission=submission)
            counts["requeued"] += 1
    if counts["requeued"] or counts["failed"]:
        log.warning("sweeper: %s", counts)
    return counts
