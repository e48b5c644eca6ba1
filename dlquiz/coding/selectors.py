"""Reads for exercises and submissions. Every query a list page runs is here, sized by the page,
never by the number of rows shown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TypedDict

from django.contrib.auth.models import AbstractBaseUser, User
from django.db.models import Count, F, Max, Prefetch, Q, QuerySet
from django.utils import translation

from dlquiz.accounts.services import user_is_instructor
from dlquiz.coding import notify
from dlquiz.coding.models import Exercise, GradedTest, RegradeJob, Submission

ACTIVE_STATUSES = (Submission.Status.QUEUED, Submission.Status.RUNNING)
FINAL_STATUSES = (Submission.Status.GRADED, Submission.Status.FAILED)


def exercise_visible_queryset(*, user: AbstractBaseUser) -> QuerySet[Exercise]:
    """Students see published exercises; instructors see every exercise."""
    exercises = Exercise.objects.all()
    if not user_is_instructor(user):
        exercises = exercises.filter(is_published=True)
    return exercises


def exercise_list_visible(*, user: AbstractBaseUser) -> list[Exercise]:
    return list(exercise_visible_queryset(user=user))


def exercise_get_visible(*, user: AbstractBaseUser, slug: str) -> Exercise | None:
    return exercise_visible_queryset(user=user).filter(slug=slug).first()


def exercise_title(*, exercise: Exercise) -> str:
    """The title in the active language, falling back to the Chinese original."""
    if _english() and exercise.title_en:
        return exercise.title_en
    return exercise.title


def exercise_statement(*, exercise: Exercise) -> str:
    """The Markdown statement in the active language, falling back to the Chinese original."""
    if _english() and exercise.statement_en:
        return exercise.statement_en
    return exercise.statement


def _english() -> bool:
    return (translation.get_language() or "").startswith("en")


@dataclass(frozen=True)
class ExerciseProgress:
    exercise: Exercise
    title: str
    best_score: float | None
    submissions: int
    pending: int
    accepted: bool

    @property
    def status(self) -> str:
        """not_attempted | pending | accepted | attempted"""
        if self.accepted:
            return "accepted"
        if self.pending:
            return "pending"
        if self.submissions:
            return "attempted"
        return "not_attempted"


def exercise_progress_list(*, user: AbstractBaseUser) -> list[ExerciseProgress]:
    """Every visible exercise with the user's best score and status: two queries in all."""
    exercises = exercise_list_visible(user=user)
    stats: dict[int, dict] = {}
    if user.is_authenticated:
        rows = (
            Submission.objects.filter(user=user, kind=Submission.Kind.SUBMISSION)
            .values("exercise_id")
            .annotate(
                best=Max("score", filter=Q(status=Submission.Status.GRADED)),
                total=Count("id"),
                pending=Count("id", filter=Q(status__in=ACTIVE_STATUSES)),
                accepted=Count("id", filter=Q(verdict="accepted")),
            )
        )
        stats = {row["exercise_id"]: row for row in rows}
    progress = []
    for exercise in exercises:
        row = stats.get(exercise.pk, {})
        progress.append(
            ExerciseProgress(
                exercise=exercise,
                title=exercise_title(exercise=exercise),
                best_score=row.get("best"),
                submissions=row.get("total", 0),
                pending=row.get("pending", 0),
                accepted=bool(row.get("accepted", 0)),
            )
        )
    return progress


def submission_queryset_visible(*, user: AbstractBaseUser) -> QuerySet[Submission]:
    """Students see only their own submissions; instructors see everybody's."""
    submissions = Submission.objects.select_related("exercise", "user")
    if not user_is_instructor(user):
        submissions = submissions.filter(user=user)
    return submissions


def submission_get_visible(
    *, user: AbstractBaseUser, submission_id: int, with_tests: bool = True
) -> Submission | None:
    """The submission when the user may see it, else None (the caller answers 404, so another
    student's submission is indistinguishable from a missing one)."""
    if not 0 < submission_id < 2**63:
        return None  # beyond any primary key; the database would refuse the number
    submissions = submission_queryset_visible(user=user).filter(pk=submission_id)
    if with_tests:
        submissions = submissions.prefetch_related(
            Prefetch("tests", queryset=GradedTest.objects.order_by("position"))
        )
    return submissions.first()


def submission_get_finished(
    *, user: AbstractBaseUser, submission: Submission, timeout_s: float
) -> Submission:
    """The submission once graded or failed, or as it stands after timeout_s (sooner when the
    server cannot hold the request now). The caller checked that the user may see it."""
    if timeout_s <= 0 or submission.status in FINAL_STATUSES:
        return submission

    def is_finished() -> bool:
        return Submission.objects.filter(pk=submission.pk, status__in=FINAL_STATUSES).exists()

    notify.submission_finished_wait(
        submission_id=submission.pk, timeout_s=timeout_s, is_finished=is_finished
    )
    return submission_get_visible(user=user, submission_id=submission.pk) or submission


def submission_history(
    *, user: AbstractBaseUser, exercise_slug: str | None = None, limit: int | None = None
) -> list[Submission]:
    """The user's own submissions, newest first; "Run samples" runs are not part of history."""
    submissions = Submission.objects.select_related("exercise").filter(
        user=user, kind=Submission.Kind.SUBMISSION
    )
    if exercise_slug:
        submissions = submissions.filter(exercise__slug=exercise_slug)
    submissions = submissions.order_by("-created_at", "-id")
    if limit is not None:
        submissions = submissions[:limit]
    return list(submissions)


def submission_active_count(*, user: AbstractBaseUser) -> int:
    """Queued or running gradings of the user, "Run samples" included: both occupy a worker."""
    return Submission.objects.filter(user=user, status__in=ACTIVE_STATUSES).count()


def submission_ids_for_exercise(*, exercise: Exercise) -> list[int]:
    return list(
        Submission.objects.filter(exercise=exercise, kind=Submission.Kind.SUBMISSION)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@dataclass(frozen=True)
class RegradeProgress:
    total: int
    done: int
    failed: int

    @property
    def percent(self) -> int:
        return 100 if not self.total else round(100 * self.done / self.total)

    @property
    def finished(self) -> bool:
        return self.done >= self.total


def regrade_job_progress(*, job: RegradeJob) -> RegradeProgress:
    """A submission of the job is done once it was graded (or failed) after the job started."""
    finished = job.submissions.filter(status__in=FINAL_STATUSES, graded_at__gte=job.created_at)
    counts = finished.aggregate(
        done=Count("id"), failed=Count("id", filter=Q(status=Submission.Status.FAILED))
    )
    return RegradeProgress(total=job.total, done=counts["done"], failed=counts["failed"])


def _best_scores_at_due(*, exercises: list[Exercise]) -> dict[tuple[int, int], float]:
    """Best graded score per (user, exercise) among submissions made up to the due date."""
    rows = (
        Submission.objects.filter(
            exercise__in=exercises,
            kind=Submission.Kind.SUBMISSION,
            status=Submission.Status.GRADED,
            score__isnull=False,
        )
        .filter(Q(exercise__due_at__isnull=True) | Q(created_at__lte=F("exercise__due_at")))
        .values("user_id", "exercise_id")
        .annotate(best=Max("score"))
    )
    return {(row["user_id"], row["exercise_id"]): row["best"] for row in rows}


@dataclass(frozen=True)
class GradesRow:
    username: str
    scores: list[float | None]
    total: float


def grades_table(*, exercises: list[Exercise]) -> list[GradesRow]:
    """Student × exercise, best score at the due date; every active student gets a row, and so
    does anybody else who submitted."""
    best = _best_scores_at_due(exercises=exercises)
    submitters = {user_id for user_id, _ in best}
    users = (
        User.objects.filter(Q(is_active=True, is_staff=False) | Q(pk__in=submitters))
        .order_by("username")
        .only("id", "username")
    )
    table = []
    for user in users:
        scores = [best.get((user.pk, exercise.pk)) for exercise in exercises]
        total = sum(score for score in scores if score is not None)
        table.append(GradesRow(username=user.username, scores=scores, total=total))
    return table


@dataclass(frozen=True)
class HistogramBin:
    low: float
    high: float
    count: int


def exercise_score_distribution(*, exercise: Exercise, bins: int = 10) -> list[HistogramBin]:
    """Histogram of each student's best score on the exercise (at the due date); the last bin
    includes full marks."""
    scores = list(_best_scores_at_due(exercises=[exercise]).values())
    top = exercise.max_score if exercise.max_score > 0 else 1.0
    width = top / bins
    counts = [0] * bins
    for score in scores:
        index = min(bins - 1, max(0, int(score / width)))
        counts[index] += 1
    return [
        HistogramBin(low=round(i * width, 3), high=round((i + 1) * width, 3), count=counts[i])
        for i in range(bins)
    ]


def submission_latest_for_exercise(
    *, user: AbstractBaseUser, exercise: Exercise
) -> Submission | None:
    return (
        Submission.objects.filter(user=user, exercise=exercise, kind=Submission.Kind.SUBMISSION)
        .order_by("-created_at", "-id")
        .first()
    )


class TestResult(TypedDict):
    name: str
    hidden: bool
    status: str
    score: float
    max_score: float
    time_ms: float | None
    message: str


class SubmissionResult(TypedDict):
    id: int
    exercise: str
    framework: str
    kind: str
    status: str
    verdict: str | None
    score: float | None
    max_score: float
    message: str
    stdout: str
    stderr: str
    created_at: datetime
    graded_at: datetime | None
    tests: list[TestResult]


def submission_result(*, submission: Submission, viewer: AbstractBaseUser) -> SubmissionResult:
    """A submission as its viewer may see it (CONTRACT §2). For a hidden test a student gets the
    name, status and score, never the message, which may quote inputs or expected values; the
    output streams may carry hidden inputs too, so students see them only for "Run samples"
    runs, which execute visible tests alone. Instructors see everything."""
    instructor = user_is_instructor(viewer)
    final = submission.status in FINAL_STATUSES
    graded = submission.status == Submission.Status.GRADED
    show_streams = instructor or submission.kind == Submission.Kind.SAMPLES
    tests = (
        [
            TestResult(
                name=test.name,
                hidden=test.hidden,
                status=test.status,
                score=test.score,
                max_score=test.max_score,
                time_ms=test.time_ms,
                message=test.message if (instructor or not test.hidden) else "",
            )
            for test in submission.tests.all()
        ]
        if final
        else []
    )
    return SubmissionResult(
        id=submission.pk,
        exercise=submission.exercise.slug,
        framework=submission.framework,
        kind=submission.kind,
        status=submission.status,
        verdict=(submission.verdict or None) if graded else None,
        score=submission.score if graded else None,
        max_score=submission.max_score,
        message=submission.message if final else "",
        stdout=submission.stdout if (final and show_streams) else "",
        stderr=submission.stderr if (final and show_streams) else "",
        created_at=submission.created_at,
        graded_at=submission.graded_at if final else None,
        tests=tests,
    )
