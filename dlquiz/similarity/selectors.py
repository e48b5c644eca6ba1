"""Reads of the similarity app: whose code is compared, and who may see it. A check belongs to
a course (or one of its assignments) and compares only that course's students; its staff
(instructors and teaching assistants) see it, nobody of another course. A check over every
student of every course crosses courses, so only superusers start or read one."""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet
from django.utils.safestring import SafeString, mark_safe

from dlquiz.accounts.services import user_is_instructor
from dlquiz.coding.models import Exercise, Submission
from dlquiz.courses.models import Assignment, AssignmentItem, Course, Enrollment
from dlquiz.courses.selectors import STAFF_ROLES
from dlquiz.similarity.models import SimilarityPair, SimilarityRun


def user_checks_every_course(*, user: User | AnonymousUser) -> bool:
    """Superusers compare across courses; nobody else sees another course's students."""
    return isinstance(user, User) and user.is_active and user.is_superuser


def courses_checkable(*, user: User | AnonymousUser) -> QuerySet[Course]:
    """The courses whose students' code the user may compare: those they teach (instructor or
    TA); every course for a superuser."""
    if user_checks_every_course(user=user):
        return Course.objects.order_by("title", "id")
    if not isinstance(user, User):
        return Course.objects.none()
    taught = Enrollment.objects.filter(user_id=user.pk, role__in=STAFF_ROLES)
    return Course.objects.filter(pk__in=taught.values("course_id")).order_by("title", "id")


def user_may_check(*, user: User | AnonymousUser) -> bool:
    """Who opens the similarity pages at all: staff of a course, and superusers."""
    return user_checks_every_course(user=user) or courses_checkable(user=user).exists()


def user_may_check_course(*, user: User | AnonymousUser, course: Course | None) -> bool:
    """A course's checks for its staff; the checks over every course (None) for superusers."""
    if user_checks_every_course(user=user):
        return True
    return course is not None and courses_checkable(user=user).filter(pk=course.pk).exists()


def final_submissions(
    *, exercise: Exercise, course: Course | None = None, assignment: Assignment | None = None
) -> list[Submission]:
    """Each student's last graded submission of the exercise (runs of the samples excluded).

    With an assignment: only work handed in for it, by students of its course. With a course:
    the course's students' submissions, except work they handed in to another course's
    assignment (a student in two courses does not show one course's staff the other's work).
    Without either: every student's."""
    rows = Submission.objects.filter(
        exercise=exercise,
        kind=Submission.Kind.SUBMISSION,
        status=Submission.Status.GRADED,
    )
    if assignment is not None:
        course = assignment.course
        rows = rows.filter(assignment_link__item__assignment=assignment)
    if course is not None:
        students = Enrollment.objects.filter(course=course, role=Enrollment.Role.STUDENT)
        rows = rows.filter(user_id__in=students.values("user_id")).filter(
            Q(assignment_link__isnull=True) | Q(assignment_link__item__assignment__course=course)
        )
    finals: dict[int, Submission] = {}
    for submission in rows.select_related("user").order_by("user_id", "-created_at", "-id"):
        finals.setdefault(submission.user_id, submission)
    return list(finals.values())


@dataclass(frozen=True)
class ExerciseRow:
    exercise: Exercise
    latest: SimilarityRun | None
    low_signal: bool
    # The course's assignments that set this exercise: each can be checked on its own.
    assignments: list[Assignment] = field(default_factory=list)


@dataclass(frozen=True)
class CourseSection:
    """One course's exercises on the similarity page, or (course None) every exercise over
    every student, for superusers."""

    course: Course | None
    rows: list[ExerciseRow]


def _latest_runs(runs: QuerySet[SimilarityRun]) -> dict[int, SimilarityRun]:
    latest: dict[int, SimilarityRun] = {}
    for run in runs.select_related("assignment").order_by("exercise_id", "-created_at", "-id"):
        latest.setdefault(run.exercise_id, run)
    return latest


def course_sections(*, user: User | AnonymousUser) -> list[CourseSection]:
    """What the similarity page lists for the user: each course they teach with the exercises
    its assignments set and the latest check of each; for a superuser also every exercise over
    every student. A fixed number of queries per course."""
    from dlquiz.similarity.services import exercise_is_low_signal

    sections: list[CourseSection] = []
    for course in courses_checkable(user=user):
        items = (
            AssignmentItem.objects.filter(assignment__course=course, exercise__isnull=False)
            .select_related("exercise", "assignment")
            .order_by("exercise__position", "exercise__slug", "assignment__due_at", "id")
        )
        per_exercise: dict[int, tuple[Exercise, list[Assignment]]] = {}
        for item in items:
            assert item.exercise is not None
            exercise, assignments = per_exercise.setdefault(item.exercise.pk, (item.exercise, []))
            if item.assignment not in assignments:
                assignments.append(item.assignment)
        latest = _latest_runs(SimilarityRun.objects.filter(course=course))
        rows = [
            ExerciseRow(
                exercise=exercise,
                latest=latest.get(exercise.pk),
                low_signal=exercise_is_low_signal(exercise=exercise),
                assignments=assignments,
            )
            for exercise, assignments in per_exercise.values()
        ]
        sections.append(CourseSection(course=course, rows=rows))
    if user_checks_every_course(user=user):
        latest = _latest_runs(SimilarityRun.objects.filter(course__isnull=True))
        rows = [
            ExerciseRow(
                exercise=exercise,
                latest=latest.get(exercise.pk),
                low_signal=exercise_is_low_signal(exercise=exercise),
            )
            for exercise in Exercise.objects.all()
        ]
        sections.append(CourseSection(course=None, rows=rows))
    return sections


def run_queryset_visible(*, user: User | AnonymousUser) -> QuerySet[SimilarityRun]:
    """The checks the user may read: those of the courses they teach; all for a superuser."""
    runs = SimilarityRun.objects.all()
    if user_checks_every_course(user=user):
        return runs
    return runs.filter(course__in=courses_checkable(user=user))


def run_get_visible(*, user: User | AnonymousUser, run_id: int) -> SimilarityRun | None:
    return (
        run_queryset_visible(user=user)
        .select_related("exercise", "created_by", "course", "assignment")
        .filter(pk=run_id)
        .first()
    )


def run_pairs(*, run: SimilarityRun) -> QuerySet[SimilarityPair]:
    return run.pairs.select_related("submission_a__user", "submission_b__user").order_by(
        "-score", "id"
    )


def pair_get_visible(*, user: User | AnonymousUser, pair_id: int) -> SimilarityPair | None:
    """A pair, with both students' code, for whoever may read its check."""
    return (
        SimilarityPair.objects.select_related(
            "run__exercise",
            "run__course",
            "run__assignment",
            "submission_a__user",
            "submission_b__user",
        )
        .filter(run__in=run_queryset_visible(user=user), pk=pair_id)
        .first()
    )


def submission_pages_visible(*, user: User | AnonymousUser) -> bool:
    """Whether the pair page links each submission's own page: those pages are the coding
    app's, open to site instructors; a teaching assistant reads the code on the pair page."""
    return isinstance(user, User) and user_is_instructor(user)


def code_highlight(*, code: str, slices: list[list[int]]) -> SafeString:
    """The code, escaped, with each shared passage in a <mark>."""
    parts: list[str] = []
    position = 0
    for start, end in sorted((max(0, s), min(len(code), e)) for s, e in slices):
        if end <= position:
            continue
        start = max(start, position)
        parts.append(escape(code[position:start]))
        parts.append(f"<mark>{escape(code[start:end])}</mark>")
        position = end
    parts.append(escape(code[position:]))
    return mark_safe("".join(parts))
