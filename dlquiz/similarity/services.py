"""Similarity checks: fingerprint each student's final submission with copydetect's winnowing
(starter code removed as boilerplate), compare every pair and keep the ranked overlaps."""

from __future__ import annotations

import io
import itertools
import logging
from dataclasses import dataclass

import numpy as np
from copydetect import CodeFingerprint, compare_files
from copydetect.utils import get_token_coverage
from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.utils import timezone

from dlquiz.coding.models import Exercise
from dlquiz.courses.models import Assignment, Course
from dlquiz.similarity import selectors
from dlquiz.similarity.models import SimilarityPair, SimilarityRun

log = logging.getLogger(__name__)

RUN_TASK_NAME = "dlquiz.similarity.tasks.similarity_run"

# copydetect's defaults: k-grams of 25 filtered characters (noise threshold), and every shared
# passage of 30 or more is found (guarantee threshold), hence windows of 30 - 25 + 1.
NOISE_THRESHOLD = 25
GUARANTEE_THRESHOLD = 30
WINDOW = GUARANTEE_THRESHOLD - NOISE_THRESHOLD + 1
# A pair whose larger share is below this is not stored: nothing is shared worth reading.
MIN_STORED_SCORE = 0.05
# A pair at or above this is marked suspicious on the run page.
SUSPICIOUS_SCORE = 0.6
# Progress is written every this many pairs (and at the end).
PROGRESS_EVERY = 200
# Exercises in the `python` framework alone are arithmetic on a few integers (output sizes,
# costs, receptive fields): correct answers converge on the same few lines.
LOW_SIGNAL_FRAMEWORKS = frozenset({"python"})


class SimilarityError(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class PairResult:
    score: float
    similarity_a: float
    similarity_b: float
    token_overlap: int
    slices_a: list[list[int]]
    slices_b: list[list[int]]


def exercise_is_low_signal(*, exercise: Exercise) -> bool:
    frameworks = set(exercise.frameworks or [])
    return bool(frameworks) and frameworks <= LOW_SIGNAL_FRAMEWORKS


def code_fingerprint(*, code: str, boilerplate: frozenset[int] = frozenset()) -> CodeFingerprint:
    """Python code fingerprinted from memory (the name only tells copydetect the language), with
    every boilerplate k-gram removed. copydetect's own removal (`np.intersect1d(...,
    assume_unique=True)` over winnowed hashes that may repeat) lets repeated boilerplate
    hashes through, so the removal is done here, over the set of hashes and their positions."""
    fingerprint = CodeFingerprint(
        "submission.py", NOISE_THRESHOLD, WINDOW, language="python", fp=io.StringIO(code)
    )
    if boilerplate:
        fingerprint.hash_idx = {
            h: positions for h, positions in fingerprint.hash_idx.items() if h not in boilerplate
        }
        fingerprint.hashes = set(fingerprint.hash_idx)
        fingerprint.token_coverage = get_token_coverage(
            fingerprint.hash_idx, NOISE_THRESHOLD, len(fingerprint.filtered_code)
        )
    return fingerprint


def boilerplate_hashes(*, exercise: Exercise) -> frozenset[int]:
    """Every k-gram of every starter code (window 1, as copydetect takes boilerplate). Python's
    string hash is seeded per process, so these only compare with fingerprints made by the
    same process, as one run's are."""
    hashes: set[int] = set()
    for code in (exercise.starter_code or {}).values():
        if isinstance(code, str) and code.strip():
            starter = CodeFingerprint(
                "starter.py", NOISE_THRESHOLD, 1, language="python", fp=io.StringIO(code)
            )
            hashes.update(int(h) for h in starter.hashes)
    return frozenset(hashes)


def fingerprints_compare(*, a: CodeFingerprint, b: CodeFingerprint) -> PairResult:
    overlap, (sim_a, sim_b), (slices_a, slices_b) = compare_files(a, b)
    return PairResult(
        score=float(max(sim_a, sim_b)),
        similarity_a=float(sim_a),
        similarity_b=float(sim_b),
        token_overlap=int(overlap),
        slices_a=slices_to_list(slices_a),
        slices_b=slices_to_list(slices_b),
    )


def slices_to_list(slices: np.ndarray) -> list[list[int]]:
    if slices.size == 0:
        return []
    return [[int(start), int(end)] for start, end in zip(slices[0], slices[1], strict=True)]


def similarity_run_create(
    *,
    user: User | AnonymousUser,
    exercise_slug: str,
    course_id: int | None = None,
    assignment_id: int | None = None,
) -> SimilarityRun:
    """Queue a check of an exercise over one course's students, or over the work handed in for
    one of its assignments; the task is sent once the row is committed.

    The user must teach the course (instructor or TA); a check over every student (no course)
    is for superusers. Raises PermissionError for a course the user does not teach (the page
    answers 404, as for a course that does not exist) and SimilarityError naming the field for
    an unknown exercise, a missing course, or an assignment of another course or without the
    exercise."""
    if not selectors.user_may_check(user=user):
        raise PermissionError("only a course's instructors and TAs start its similarity checks")
    course = Course.objects.filter(pk=course_id).first() if course_id is not None else None
    if course_id is not None and course is None:
        raise PermissionError("no such course")
    if course is None and not selectors.user_checks_every_course(user=user):
        raise SimilarityError("course", "Choose the course whose students are compared.")
    if not selectors.user_may_check_course(user=user, course=course):
        raise PermissionError("not a course the user teaches")
    exercise = Exercise.objects.filter(slug=exercise_slug).first()
    if exercise is None:
        raise SimilarityError("exercise", "Unknown exercise.")
    assignment = None
    if assignment_id is not None:
        assignment = Assignment.objects.filter(
            pk=assignment_id, course=course, items__exercise=exercise
        ).first()
        if assignment is None or course is None:
            raise SimilarityError("assignment", "This assignment of the course does not set it.")
    with transaction.atomic():
        run = SimilarityRun.objects.create(
            exercise=exercise,
            course=course,
            assignment=assignment,
            created_by=user if isinstance(user, User) else None,
            low_signal=exercise_is_low_signal(exercise=exercise),
        )
        transaction.on_commit(lambda: similarity_run_enqueue(run_id=run.pk))
    return run


def similarity_run_enqueue(*, run_id: int) -> None:
    from dlquiz.celery import app

    app.send_task(RUN_TASK_NAME, kwargs={"run_id": run_id})


def similarity_run_execute(*, run_id: int) -> None:
    """Compare every pair of final submissions of the run's exercise, within its course or
    assignment (see selectors.final_submissions). Idempotent: a redelivered task replaces the
    pairs of an earlier delivery."""
    run = SimilarityRun.objects.select_related("exercise", "course", "assignment__course").get(
        pk=run_id
    )
    if run.status == SimilarityRun.Status.DONE:
        return
    finals = selectors.final_submissions(
        exercise=run.exercise, course=run.course, assignment=run.assignment
    )
    boilerplate = boilerplate_hashes(exercise=run.exercise)
    total = len(finals) * (len(finals) - 1) // 2
    SimilarityPair.objects.filter(run=run).delete()
    SimilarityRun.objects.filter(pk=run.pk).update(
        status=SimilarityRun.Status.RUNNING,
        started_at=timezone.now(),
        submissions_count=len(finals),
        pairs_total=total,
        pairs_done=0,
        message="",
    )
    fingerprints = [
        (submission, code_fingerprint(code=submission.code, boilerplate=boilerplate))
        for submission in finals
    ]
    found: list[SimilarityPair] = []
    done = 0
    for (sub_a, fp_a), (sub_b, fp_b) in itertools.combinations(fingerprints, 2):
        result = fingerprints_compare(a=fp_a, b=fp_b)
        if result.score >= MIN_STORED_SCORE:
            found.append(
                SimilarityPair(
                    run=run,
                    submission_a=sub_a,
                    submission_b=sub_b,
                    score=result.score,
                    similarity_a=result.similarity_a,
                    similarity_b=result.similarity_b,
                    token_overlap=result.token_overlap,
                    slices_a=result.slices_a,
                    slices_b=result.slices_b,
                )
            )
        done += 1
        if done % PROGRESS_EVERY == 0:
            SimilarityRun.objects.filter(pk=run.pk).update(pairs_done=done)
    with transaction.atomic():
        SimilarityPair.objects.bulk_create(found, batch_size=500)
        SimilarityRun.objects.filter(pk=run.pk).update(
            status=SimilarityRun.Status.DONE, pairs_done=done, finished_at=timezone.now()
        )


def similarity_run_fail(*, run_id: int, message: str) -> None:
    SimilarityRun.objects.filter(pk=run_id).update(
        status=SimilarityRun.Status.FAILED, message=message[:2000], finished_at=timezone.now()
    )


def similarity_run_guarded(*, run_id: int) -> None:
    """The task's entry point: a check that breaks ends `failed` with the reason, never stuck
    in `running`."""
    try:
        similarity_run_execute(run_id=run_id)
    except Exception as exc:
        log.exception("similarity check %s failed", run_id)
        similarity_run_fail(run_id=run_id, message=f"{type(exc).__name__}: {exc}")
