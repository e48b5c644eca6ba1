"""Reads for exercises and submissions. Every query a list page runs is here, sized by the page,
never by the number of rows shown."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TypedDict

from django.contrib.auth.models import AbstractBaseUser, User
from django.db.models import Count, F, Max, Prefetch, Q, QuerySet
from django.utils import translation

from dlquiz.accounts.services import user_is_instructor
from dlquiz.coding import feedback, notify
from dlquiz.coding.models import Exercise, GradedTest, RegradeJob, Submission
from dlquiz.courses.selectors import (
    learners_visible_filter,
    submission_results_withheld,
    withheld_submission_ids,
)
from grader.messages import Message, ParamData, message, message_parse
from grader.values import ArrayView

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


def exercise_statement_body(*, exercise: Exercise) -> str:
    """The statement without its leading `# Title` line: the exercise page shows the title in
    its own heading."""
    text = exercise_statement(exercise=exercise)
    first, _, rest = text.lstrip().partition("\n")
    return rest.lstrip("\n") if first.startswith("# ") else text


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
    """Every visible exercise with the user's best score and status: two queries in all.
    Submissions whose results an exam-mode assignment still withholds count as made, but
    neither their score nor an "accepted" shows."""
    exercises = exercise_list_visible(user=user)
    stats: dict[int, dict] = {}
    if user.is_authenticated:
        shown = ~Q(pk__in=withheld_submission_ids(viewer=user))
        rows = (
            Submission.objects.filter(user=user, kind=Submission.Kind.SUBMISSION)
            .values("exercise_id")
            .annotate(
                best=Max("score", filter=Q(status=Submission.Status.GRADED) & shown),
                total=Count("id"),
                pending=Count("id", filter=Q(status__in=ACTIVE_STATUSES)),
                accepted=Count("id", filter=Q(verdict="accepted") & shown),
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
    """Students see only their own submissions; site instructors those of the people whose work
    they may read (learners_visible_filter: not another course's students)."""
    submissions = Submission.objects.select_related("exercise", "user")
    if not user_is_instructor(user):
        return submissions.filter(user=user)
    return submissions.filter(learners_visible_filter(viewer=user))


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


@dataclass(frozen=True)
class SubmissionSummary:
    """A row of the user's submission list. `score` and `verdict` are None while an exam-mode
    assignment withholds them (`withheld`); the status still says it was graded."""

    pk: int
    exercise: Exercise
    framework: str
    status: str
    verdict: str | None
    score: float | None
    max_score: float
    created_at: datetime
    code: str
    withheld: bool

    @property
    def id(self) -> int:
        return self.pk


def submission_history(
    *, user: AbstractBaseUser, exercise_slug: str | None = None, limit: int | None = None
) -> list[SubmissionSummary]:
    """The user's own submissions, newest first; "Run samples" runs are not part of history.
    Two queries: the rows, and which of them an exam-mode assignment withholds."""
    submissions = Submission.objects.select_related("exercise").filter(
        user=user, kind=Submission.Kind.SUBMISSION
    )
    if exercise_slug:
        submissions = submissions.filter(exercise__slug=exercise_slug)
    submissions = submissions.order_by("-created_at", "-id")
    if limit is not None:
        submissions = submissions[:limit]
    rows = list(submissions)
    withheld = submission_results_withheld(viewer=user, submission_ids=[s.pk for s in rows])
    return [
        SubmissionSummary(
            pk=s.pk,
            exercise=s.exercise,
            framework=s.framework,
            status=s.status,
            verdict=None if s.pk in withheld else (s.verdict or None),
            score=None if s.pk in withheld else s.score,
            max_score=s.max_score,
            created_at=s.created_at,
            code=s.code,
            withheld=s.pk in withheld,
        )
        for s in rows
    ]


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


def _best_scores_at_due(
    *, exercises: list[Exercise], viewer: AbstractBaseUser
) -> dict[tuple[int, int], float]:
    """Best graded score per (user, exercise) among submissions made up to the due date, of the
    people whose work `viewer` may read."""
    rows = (
        Submission.objects.filter(
            learners_visible_filter(viewer=viewer),
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


def grades_table(*, exercises: list[Exercise], viewer: AbstractBaseUser) -> list[GradesRow]:
    """Student × exercise, best score at the due date; every active student whose work the
    viewer may read gets a row, and so does anybody else of them who submitted."""
    best = _best_scores_at_due(exercises=exercises, viewer=viewer)
    submitters = {user_id for user_id, _ in best}
    users = (
        User.objects.filter(learners_visible_filter(viewer=viewer, path="pk"))
        .filter(Q(is_active=True, is_staff=False) | Q(pk__in=submitters))
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


def exercise_score_distribution(
    *, exercise: Exercise, viewer: AbstractBaseUser, bins: int = 10
) -> list[HistogramBin]:
    """Histogram of each student's best score on the exercise (at the due date), among the
    people whose work `viewer` may read; the last bin includes full marks."""
    scores = list(_best_scores_at_due(exercises=[exercise], viewer=viewer).values())
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
    # The message as a grader.messages code and its parameters ("" and {} when there is none).
    message_code: str
    message_params: dict[str, ParamData]
    # Python warnings the test's call raised, as far as the viewer may see them.
    warnings: list[str]
    # A failing visible test's arrays beside the expected ones (grader.values); [] otherwise.
    arrays: list[ArrayView]


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
    message_code: str
    message_params: dict[str, ParamData]
    stdout: str
    stderr: str
    created_at: datetime
    graded_at: datetime | None
    tests: list[TestResult]
    diagnosis: DiagnosisView | None
    # Exam mode before the release: score, verdict, message, diagnosis and hidden tests left out.
    withheld: bool


class DiagnosisView(TypedDict):
    mistake: str
    message: str


def diagnosis_view(*, diagnosis: dict | None) -> DiagnosisView | None:
    """A known mistake the failing outputs match, in the active language (Chinese unless
    English is asked for). It names the mistake only, never a test's inputs, so it is shown for
    hidden tests too."""
    if not isinstance(diagnosis, dict) or not diagnosis.get("mistake"):
        return None
    language = "en" if _english() else "zh"
    message = diagnosis.get(language) or diagnosis.get("en") or ""
    return DiagnosisView(mistake=str(diagnosis["mistake"]), message=str(message))


def test_result(*, test: GradedTest, instructor: bool) -> TestResult:
    """One test as its viewer may see it. A student gets no exact time of a hidden test: code
    that busy-waits by its inputs would spell them out in milliseconds. A hidden performance
    test says only how its time compares to the limit, coarsely. A hidden test's warnings are
    its code's own text, which could carry its inputs: a student sees only numpy's
    floating-point ones (feedback.warnings_for_student). Arrays are a visible test's only."""
    detail: Message | None
    if instructor or not test.hidden:
        time_ms, text = test.time_ms, test.message
        detail = feedback.graded_test_message(data=test.message_data, text=test.message)
    else:
        time_ms = None
        detail = hidden_time_detail(time_ms=test.time_ms, limit_ms=test.time_limit_ms)
        text = detail.text("en") if detail is not None else ""
    warnings = test.warnings if isinstance(test.warnings, list) else []
    data = detail.data() if detail is not None else None
    return TestResult(
        name=test.name,
        hidden=test.hidden,
        status=test.status,
        score=test.score,
        max_score=test.max_score,
        time_ms=time_ms,
        message=text,
        message_code=data["code"] if data else "",
        message_params=data["params"] if data else {},
        warnings=[w for w in warnings if isinstance(w, str)]
        if instructor
        else feedback.warnings_for_student(warnings=warnings, hidden=test.hidden),
        arrays=[] if test.hidden or not isinstance(test.arrays, list) else test.arrays,
    )


def hidden_time_detail(*, time_ms: float | None, limit_ms: float | None) -> Message | None:
    """E.g. "within the allowed time (0.4x of the limit)"; one decimal leaks little more than
    the pass/fail status the student sees anyway. None for a test without a time limit."""
    if time_ms is None or not limit_ms:
        return None
    ratio = max(0.1, round(time_ms / limit_ms, 1))
    if time_ms <= limit_ms:
        return message("time.within", ratio=f"{min(ratio, 1.0):.1f}")
    return message("time.over", ratio=f"{ratio:.1f}")


def hidden_time_message(*, time_ms: float | None, limit_ms: float | None) -> str:
    """hidden_time_detail's English text ("" for a test without a time limit)."""
    detail = hidden_time_detail(time_ms=time_ms, limit_ms=limit_ms)
    return detail.text("en") if detail is not None else ""


def submission_result_withheld(*, submission: Submission, viewer: AbstractBaseUser) -> bool:
    """Whether an exam-mode assignment still withholds this submission's results from
    `viewer` (the courses app decides; a "Run samples" run belongs to no assignment)."""
    if submission.kind != Submission.Kind.SUBMISSION:
        return False
    return bool(submission_results_withheld(viewer=viewer, submission_ids=[submission.pk]))


def submission_result(*, submission: Submission, viewer: AbstractBaseUser) -> SubmissionResult:
    """A submission as its viewer may see it (CONTRACT §2). For a hidden test a student gets the
    name, status and score, never the message, which may quote inputs or expected values, nor
    the exact time (see test_result); the output streams may carry hidden inputs too, so
    students see them only for "Run samples" runs, which execute visible tests alone.
    Instructors see everything.

    Made for an exam-mode assignment whose results are not released, a submission shows its
    student that it was received and graded, and its visible (sample) tests, which the student
    can run any time with "Run samples" anyway; the score, the verdict (accepted means full
    marks), the message (a compile error means zero), the diagnosis and every hidden test stay
    out until the release, as exam platforms keep them. The course's staff see everything."""
    instructor = user_is_instructor(viewer)
    final = submission.status in FINAL_STATUSES
    graded = submission.status == Submission.Status.GRADED
    withheld = submission_result_withheld(submission=submission, viewer=viewer)
    shown = graded and not withheld
    show_streams = instructor or submission.kind == Submission.Kind.SAMPLES
    tests = (
        [
            test_result(test=test, instructor=instructor)
            for test in submission.tests.all()
            if not (withheld and test.hidden)
        ]
        if final
        else []
    )
    shown_message = submission.message if final and not (graded and withheld) else ""
    message_data = message_parse(shown_message).data() if shown_message else None
    return SubmissionResult(
        id=submission.pk,
        exercise=submission.exercise.slug,
        framework=submission.framework,
        kind=submission.kind,
        status=submission.status,
        verdict=(submission.verdict or None) if shown else None,
        score=submission.score if shown else None,
        max_score=submission.max_score,
        message=shown_message,
        message_code=message_data["code"] if message_data else "",
        message_params=message_data["params"] if message_data else {},
        stdout=submission.stdout if (final and show_streams) else "",
        stderr=submission.stderr if (final and show_streams) else "",
        created_at=submission.created_at,
        graded_at=submission.graded_at if final else None,
        tests=tests,
        diagnosis=diagnosis_view(diagnosis=submission.diagnosis) if shown else None,
        withheld=withheld,
    )


class HintView(TypedDict):
    position: int
    text: str


class HintsState(TypedDict):
    unlocked: list[HintView]
    locked: int
    failed: int


def exercise_hints_unlocked(*, user: AbstractBaseUser, exercise: Exercise) -> HintsState:
    """The exercise's hints in the active language, one unlocked per failed graded submission
    of the user (graded, not accepted; "Run samples" runs do not count). A submission whose
    results an exam-mode assignment withholds unlocks nothing: a new hint would tell that it
    was not accepted. Two queries."""
    hints = list(exercise.hints.all())
    failed = 0
    if user.is_authenticated:
        failed = (
            Submission.objects.filter(
                user=user,
                exercise=exercise,
                kind=Submission.Kind.SUBMISSION,
                status=Submission.Status.GRADED,
            )
            .exclude(verdict="accepted")
            .exclude(pk__in=withheld_submission_ids(viewer=user))
            .count()
        )
    english = _english()
    unlocked = [
        HintView(position=i + 1, text=(hint.text_en if english and hint.text_en else hint.text))
        for i, hint in enumerate(hints[:failed])
    ]
    return HintsState(unlocked=unlocked, locked=max(0, len(hints) - failed), failed=failed)


class TestFeedback(TypedDict):
    test: TestResult
    # The visible sample the test ran, as the exercise page shows it; "" for a hidden test.
    sample_call: str
    sample_expected: str
    # The grader's message in the page's language, and pictures of where arrays differ.
    message: feedback.MessageView
    heatmaps: list[feedback.HeatmapView]


class ResultFeedback(TypedDict):
    tests: list[TestFeedback]
    passed: int
    # Warnings of the code's stderr that no test lists as its own (raised while loading).
    warnings: list[str]
    diagnosis: str
    # The submission's own message (a compile error) in the page's language.
    message: feedback.MessageView


WARNING_LINE = re.compile(r"\b[A-Z]\w*Warning: .+")


def stderr_warnings(*, stderr: str, limit: int = 10) -> list[str]:
    """Warning lines of the code's stderr ("RuntimeWarning: overflow encountered in exp"),
    each once, in order, without the sandbox's file path."""
    seen: list[str] = []
    for line in stderr.splitlines():
        match = WARNING_LINE.search(line)
        if match and match.group(0) not in seen:
            seen.append(match.group(0))
            if len(seen) >= limit:
                break
    return seen


def submission_diagnosis_text(*, result: SubmissionResult) -> str:
    """The grader's diagnosis of a known mistake in the active language, "" when there is none
    or the viewer may not see it (read from the result, which already says so)."""
    view = result["diagnosis"]
    return view["message"] if view else ""


def submission_feedback(*, submission: Submission, result: SubmissionResult) -> ResultFeedback:
    """What the pages add to a result: the visible sample next to each visible test (so a
    failing one shows expected beside the message), warnings of the student's code where its
    stderr is shown (the result carries stderr only where the viewer may see it), and the
    diagnosis. A hidden test gets nothing of its inputs or outputs."""
    samples = {
        sample.get("name"): sample
        for sample in submission.exercise.samples
        if isinstance(sample, dict)
    }
    tests = []
    for position, test in enumerate(result["tests"]):
        sample = {} if test["hidden"] else samples.get(test["name"], {})
        tests.append(
            TestFeedback(
                test=test,
                sample_call=str(sample.get("call", "")),
                sample_expected=str(sample.get("expected", "")),
                message=feedback.message_view(
                    code=test["message_code"], params=test["message_params"], text=test["message"]
                ),
                heatmaps=[]
                if test["hidden"]
                else feedback.heatmaps(
                    arrays=test["arrays"], prefix=f"heat-{submission.pk}-{position}"
                ),
            )
        )
    return ResultFeedback(
        tests=tests,
        passed=sum(1 for test in result["tests"] if test["status"] == "passed"),
        warnings=feedback.warnings_unattributed(
            stderr_warnings=stderr_warnings(stderr=result["stderr"]),
            test_warnings=[test["warnings"] for test in result["tests"]],
        ),
        diagnosis=submission_diagnosis_text(result=result),
        message=feedback.message_view(
            code=result["message_code"], params=result["message_params"], text=result["message"]
        ),
    )
