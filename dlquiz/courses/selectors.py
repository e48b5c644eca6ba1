"""Reads of the courses app: who is what in a course, due dates with extensions, and grades as
each viewer may see them (the gradebook for staff, one's own grades for a student)."""

from __future__ import annotations

import csv
import io
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db.models import Exists, F, OuterRef, Q, QuerySet

from dlquiz.coding.models import Submission
from dlquiz.courses.models import (
    Assignment,
    AssignmentAttempt,
    AssignmentItem,
    AssignmentSubmission,
    Course,
    Enrollment,
    Extension,
    GradeHistory,
    GradeOverride,
    Section,
)
from dlquiz.quiz.models import ExamAttempt

STAFF_ROLES = (Enrollment.Role.INSTRUCTOR, Enrollment.Role.TA)

# Whoever makes a request: signed in or not (an anonymous viewer belongs to no course).
Viewer = AbstractBaseUser | AnonymousUser


def course_role(*, user: Viewer, course: Course) -> str | None:
    """The user's role in the course, or None for someone outside it."""
    if not user.is_authenticated:
        return None
    return (
        Enrollment.objects.filter(course=course, user_id=user.pk)
        .values_list("role", flat=True)
        .first()
    )


def course_can_manage(*, user: Viewer, course: Course) -> bool:
    """Instructors of the course change its settings, roster and assignments."""
    return course_role(user=user, course=course) == Enrollment.Role.INSTRUCTOR


def course_can_grade(*, user: Viewer, course: Course) -> bool:
    """Instructors and teaching assistants grade: overrides, extensions, regrades."""
    return course_role(user=user, course=course) in STAFF_ROLES


def learners_visible_filter(*, viewer: Viewer, path: str = "user") -> Q:
    """Whose work a site instructor may read, as a filter on `path` (a user field): their own,
    their courses' students (as instructor or TA), and people who are no course's student (the
    platform's own learners). A course's students are nobody else's business; a superuser sees
    everyone. Callers decide first that the viewer is staff at all."""
    if viewer.is_authenticated and getattr(viewer, "is_superuser", False):
        return Q()
    if not viewer.is_authenticated:
        return Q(pk__in=[])
    students = Enrollment.objects.filter(role=Enrollment.Role.STUDENT)
    taught = Enrollment.objects.filter(user_id=viewer.pk, role__in=STAFF_ROLES)
    return (
        Q(**{path: viewer.pk})
        | ~Q(**{f"{path}__in": students.values("user_id")})
        | Q(
            **{
                f"{path}__in": students.filter(course_id__in=taught.values("course_id")).values(
                    "user_id"
                )
            }
        )
    )


@dataclass
class CourseMembership:
    course: Course
    role: str

    @property
    def role_label(self) -> str:
        return str(Enrollment.Role(self.role).label)


def course_list_for(*, user: Viewer) -> list[CourseMembership]:
    """The courses the user belongs to, with the role in each; nobody sees other courses."""
    if not user.is_authenticated:
        return []
    rows = Enrollment.objects.filter(user_id=user.pk).select_related("course")
    return [CourseMembership(course=e.course, role=e.role) for e in rows.order_by("-course_id")]


def course_get_for(*, user: Viewer, course_id: int) -> CourseMembership | None:
    """The course and the user's role in it; None when it does not exist or the user is not a
    member (the two read alike)."""
    if not user.is_authenticated:
        return None
    enrollment = (
        Enrollment.objects.filter(user_id=user.pk, course_id=course_id)
        .select_related("course")
        .first()
    )
    return CourseMembership(course=enrollment.course, role=enrollment.role) if enrollment else None


def assignment_get_for(*, user: Viewer, assignment_id: int) -> tuple[Assignment, str] | None:
    """An assignment and the viewer's role; students see published assignments only."""
    assignment = (
        Assignment.objects.filter(pk=assignment_id).select_related("course").first()
        if user.is_authenticated
        else None
    )
    if assignment is None:
        return None
    role = course_role(user=user, course=assignment.course)
    if role is None or (role == Enrollment.Role.STUDENT and not assignment.is_published):
        return None
    return assignment, role


def assignment_list_for(*, course: Course, role: str) -> QuerySet[Assignment]:
    rows = course.assignments.prefetch_related("items__exercise", "items__exam")
    return rows if role in STAFF_ROLES else rows.filter(is_published=True)


def course_students(*, course: Course, section: Section | None = None) -> QuerySet[Enrollment]:
    rows = Enrollment.objects.filter(course=course, role=Enrollment.Role.STUDENT).select_related(
        "user", "section"
    )
    if section is not None:
        rows = rows.filter(section=section)
    # Students without a section first, on every database (PostgreSQL puts NULLs last).
    return rows.order_by(F("section__name").asc(nulls_first=True), "user__username")


def assignment_due_for(*, assignment: Assignment, user: AbstractBaseUser) -> datetime:
    """The due date that applies to this student: an extension's when one was granted."""
    extension = Extension.objects.filter(assignment=assignment, user_id=user.pk).first()
    return extension.due_at if extension else assignment.due_at


def days_late(*, due_at: datetime, at: datetime) -> int:
    """Started days after the due date (1 second late is 1 day late); 0 when on time."""
    if at <= due_at:
        return 0
    return math.ceil((at - due_at) / timedelta(days=1))


def late_factor(*, assignment: Assignment, days: int) -> float:
    if days <= 0:
        return 1.0
    if assignment.late_policy == Assignment.LatePolicy.NONE_AFTER_DUE:
        return 0.0
    return max(0.0, 1.0 - assignment.late_penalty_percent * days / 100.0)


def item_attempts_used(*, item: AssignmentItem, user: AbstractBaseUser) -> int:
    if item.exercise_id is not None:
        return AssignmentSubmission.objects.filter(
            item=item, submission__user_id=user.pk, submission__kind=Submission.Kind.SUBMISSION
        ).count()
    return AssignmentAttempt.objects.filter(item=item, attempt__user_id=user.pk).count()


def results_withheld(*, assignment: Assignment, viewer_role: str | None) -> bool:
    """Exam mode: a student sees no score and no hidden-test result until the release."""
    return (
        assignment.exam_mode
        and assignment.results_released_at is None
        and viewer_role not in STAFF_ROLES
    )


def _withheld_links(
    links: QuerySet[AssignmentSubmission] | QuerySet[AssignmentAttempt], *, viewer: Viewer
) -> QuerySet[Any]:
    """The links to an exam-mode assignment whose results are not released, less those of the
    courses the viewer teaches (instructor or TA)."""
    links = links.filter(
        item__assignment__exam_mode=True, item__assignment__results_released_at__isnull=True
    )
    if viewer.is_authenticated:
        taught = Enrollment.objects.filter(user_id=viewer.pk, role__in=STAFF_ROLES)
        links = links.exclude(item__assignment__course_id__in=taught.values("course_id"))
    return links


def _exam_practice(*, viewer: Viewer) -> Exists | Q:
    """The viewer's own submissions, outside any assignment, to an exercise of an exam-mode
    assignment of a course they are a student of, made once it opened and before its release:
    their hidden-test results would tell the student how the exam's will go."""
    if not viewer.is_authenticated:
        return Q(pk__in=[])
    opened = Q(assignment__opens_at__isnull=False, assignment__opens_at__lte=OuterRef("created_at"))
    created = Q(
        assignment__opens_at__isnull=True, assignment__created_at__lte=OuterRef("created_at")
    )
    exam_items = AssignmentItem.objects.filter(
        opened | created,
        exercise_id=OuterRef("exercise_id"),
        assignment__exam_mode=True,
        assignment__is_published=True,
        assignment__results_released_at__isnull=True,
        assignment__course__enrollments__user_id=viewer.pk,
        assignment__course__enrollments__role=Enrollment.Role.STUDENT,
    )
    return Exists(exam_items) & Q(user_id=viewer.pk, kind=Submission.Kind.SUBMISSION)


def withheld_submission_ids(*, viewer: Viewer) -> QuerySet[Any]:
    """Ids of the coding submissions whose score, verdict and hidden-test results `viewer` may
    not see yet: made for an exam-mode assignment before its results are released (staff of
    that course see them), or practice on one of its exercises meanwhile (_exam_practice). A
    lazy query: filter it further, or use it as a subquery (`exclude(pk__in=...)`) so that a
    list or an aggregate costs no extra round trip."""
    links = _withheld_links(AssignmentSubmission.objects.all(), viewer=viewer)
    rows = Submission.objects.filter(
        Q(pk__in=links.values("submission_id")) | _exam_practice(viewer=viewer)
    )
    return rows.values_list("pk", flat=True)


def submission_results_withheld(*, viewer: Viewer, submission_ids: Iterable[int]) -> set[int]:
    """Which of these submissions `viewer` sees without their results (one query); see
    withheld_submission_ids. The coding app asks this for every submission it shows."""
    ids = list(submission_ids)
    if not ids:
        return set()
    return set(withheld_submission_ids(viewer=viewer).filter(pk__in=ids))


def withheld_attempt_ids(*, viewer: Viewer) -> QuerySet[Any]:
    """Ids of the exam attempts whose score and answers `viewer` may not see yet (as
    withheld_submission_ids, for an assignment's exam items)."""
    links = _withheld_links(AssignmentAttempt.objects.all(), viewer=viewer)
    return links.values_list("attempt_id", flat=True)


def attempt_results_withheld(*, viewer: Viewer, attempt_ids: Iterable[int]) -> set[int]:
    """Which of these exam attempts `viewer` sees without their results (one query)."""
    ids = list(attempt_ids)
    if not ids:
        return set()
    return set(withheld_attempt_ids(viewer=viewer).filter(attempt_id__in=ids))


@dataclass
class ItemGrade:
    """A student's grade on one item. `score` is what counts (override, or the submission the
    policy picks, after the late penalty); None when nothing is graded yet."""

    score: float | None = None
    points: float = 0.0
    computed: float | None = None
    overridden: bool = False
    comment: str = ""
    submission_id: int | None = None
    days_late: int = 0
    attempts: int = 0
    pending: int = 0


@dataclass
class _Work:
    at: datetime
    score: float | None  # on the item's scale, before the late penalty
    days_late: int
    submission_id: int | None
    pending: bool


def _work_score(
    *, item: AssignmentItem, works: list[_Work], override: GradeOverride | None
) -> ItemGrade:
    assignment = item.assignment
    grade = ItemGrade(points=item.points, attempts=len(works))
    grade.pending = sum(1 for w in works if w.pending)
    graded = [w for w in works if w.score is not None]
    if graded:

        def adjusted(w: _Work) -> float:
            assert w.score is not None
            return round(w.score * late_factor(assignment=assignment, days=w.days_late), 4)

        if assignment.score_policy == Assignment.ScorePolicy.LAST:
            chosen = max(graded, key=lambda w: w.at)
        else:
            chosen = max(graded, key=lambda w: (adjusted(w), w.at))
        grade.computed = adjusted(chosen)
        grade.submission_id = chosen.submission_id
        grade.days_late = chosen.days_late
    grade.score = grade.computed
    if override is not None:
        grade.score, grade.overridden, grade.comment = override.score, True, override.comment
    return grade


def _scaled(score: float | None, max_score: float, points: float) -> float | None:
    if score is None:
        return None
    return round(score / max_score * points, 4) if max_score > 0 else 0.0


def _works_for(
    *, items: list[AssignmentItem], user_ids: list[int] | None
) -> dict[tuple[int, int], list[_Work]]:
    """Every submission and exam attempt for the items, by (item id, user id): three queries."""
    works: dict[tuple[int, int], list[_Work]] = defaultdict(list)
    by_id = {item.pk: item for item in items}
    links = AssignmentSubmission.objects.filter(
        item_id__in=by_id, submission__kind=Submission.Kind.SUBMISSION
    ).select_related("submission")
    attempts = AssignmentAttempt.objects.filter(item_id__in=by_id).select_related("attempt")
    if user_ids is not None:
        links = links.filter(submission__user_id__in=user_ids)
        attempts = attempts.filter(attempt__user_id__in=user_ids)
    for link in links.only(
        "item_id",
        "days_late",
        "submission__user_id",
        "submission__status",
        "submission__score",
        "submission__max_score",
        "submission__created_at",
    ):
        s = link.submission
        graded = s.status == Submission.Status.GRADED
        works[(link.item_id, s.user_id)].append(
            _Work(
                at=s.created_at,
                score=_scaled(s.score, s.max_score, by_id[link.item_id].points) if graded else None,
                days_late=link.days_late,
                submission_id=s.pk,
                pending=s.status in (Submission.Status.QUEUED, Submission.Status.RUNNING),
            )
        )
    for alink in attempts:
        a = alink.attempt
        graded = a.status == ExamAttempt.Status.GRADED
        works[(alink.item_id, a.user_id)].append(
            _Work(
                at=a.started_at,
                score=_scaled(a.score, a.max_score, by_id[alink.item_id].points)
                if graded
                else None,
                days_late=alink.days_late,
                submission_id=None,
                pending=not graded,
            )
        )
    return works


def item_grade(*, item: AssignmentItem, user: AbstractBaseUser) -> ItemGrade:
    works = _works_for(items=[item], user_ids=[user.pk])
    override = GradeOverride.objects.filter(item=item, user_id=user.pk).first()
    return _work_score(item=item, works=works.get((item.pk, user.pk), []), override=override)


@dataclass
class AssignmentGrade:
    assignment: Assignment
    items: list[tuple[AssignmentItem, ItemGrade]]
    withheld: bool
    due_at: datetime

    @property
    def total(self) -> float | None:
        scores = [g.score for _i, g in self.items if g.score is not None]
        return round(sum(scores), 4) if scores else None

    @property
    def points(self) -> float:
        return sum(item.points for item, _g in self.items)


def assignment_grade_for(
    *, assignment: Assignment, user: AbstractBaseUser, viewer: Viewer
) -> AssignmentGrade | None:
    """`user`'s grade on the assignment as `viewer` may see it: a student only their own, staff
    of the course anyone's. In exam mode before the release a student gets attempts and
    pending counts only: scores, overrides and their comments are withheld."""
    role = course_role(user=viewer, course=assignment.course)
    if role is None or (role not in STAFF_ROLES and viewer.pk != user.pk):
        return None
    items = list(assignment.items.select_related("exercise", "exam", "assignment"))
    works = _works_for(items=items, user_ids=[user.pk])
    overrides = {
        o.item_id: o for o in GradeOverride.objects.filter(item__in=items, user_id=user.pk)
    }
    withheld = results_withheld(assignment=assignment, viewer_role=role)
    rows: list[tuple[AssignmentItem, ItemGrade]] = []
    for item in items:
        grade = _work_score(
            item=item, works=works.get((item.pk, user.pk), []), override=overrides.get(item.pk)
        )
        if withheld:
            grade = ItemGrade(points=item.points, attempts=grade.attempts, pending=grade.pending)
        rows.append((item, grade))
    return AssignmentGrade(
        assignment=assignment,
        items=rows,
        withheld=withheld,
        due_at=assignment_due_for(assignment=assignment, user=user),
    )


@dataclass
class GradebookRow:
    enrollment: Enrollment
    grades: list[ItemGrade]
    extensions: dict[int, datetime] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return round(sum(g.score for g in self.grades if g.score is not None), 4)


@dataclass
class Gradebook:
    course: Course
    section: Section | None
    items: list[AssignmentItem]
    rows: list[GradebookRow]

    @property
    def points(self) -> float:
        return sum(item.points for item in self.items)


def gradebook(
    *, course: Course, viewer: Viewer, section: Section | None = None
) -> Gradebook | None:
    """Students x items of the course (or one section) for its staff; None for anyone else.
    A fixed number of queries whatever the size of the course."""
    if not course_can_grade(user=viewer, course=course):
        return None
    items = list(
        AssignmentItem.objects.filter(assignment__course=course)
        .select_related("assignment", "exercise", "exam")
        .order_by("assignment__due_at", "assignment_id", "position", "id")
    )
    students = list(course_students(course=course, section=section))
    user_ids = [e.user_id for e in students]
    works = _works_for(items=items, user_ids=user_ids)
    overrides = {
        (o.item_id, o.user_id): o
        for o in GradeOverride.objects.filter(item__in=items, user_id__in=user_ids)
    }
    extensions: dict[int, dict[int, datetime]] = defaultdict(dict)
    for ext in Extension.objects.filter(assignment__course=course, user_id__in=user_ids):
        extensions[ext.user_id][ext.assignment_id] = ext.due_at
    rows = [
        GradebookRow(
            enrollment=enrollment,
            grades=[
                _work_score(
                    item=item,
                    works=works.get((item.pk, enrollment.user_id), []),
                    override=overrides.get((item.pk, enrollment.user_id)),
                )
                for item in items
            ],
            extensions=extensions.get(enrollment.user_id, {}),
        )
        for enrollment in students
    ]
    return Gradebook(course=course, section=section, items=items, rows=rows)


def item_label(*, item: AssignmentItem) -> str:
    what = item.exercise.slug if item.exercise else (item.exam.title if item.exam else "?")
    return f"{item.assignment.title}: {what}"


def full_name(user: User) -> str:
    return f"{user.first_name} {user.last_name}".strip()


def gradebook_csv(*, book: Gradebook) -> str:
    """The gradebook as CSV text starting with a BOM, so spreadsheet programs read it as UTF-8:
    username, full name, e-mail, section, one column per item, total."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(
        ["username", "full_name", "email", "section"]
        + [item_label(item=item) for item in book.items]
        + ["total"]
    )
    for row in book.rows:
        user = row.enrollment.user
        writer.writerow(
            [
                _cell(user.username),
                _cell(full_name(user)),
                _cell(user.email),
                _cell(row.enrollment.section.name if row.enrollment.section else ""),
            ]
            + ["" if g.score is None else f"{g.score:g}" for g in row.grades]
            + [f"{row.total:g}"]
        )
    return out.getvalue()


def _cell(text: str) -> str:
    """Text that a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def grade_history_for(
    *, item: AssignmentItem, user: AbstractBaseUser, viewer: Viewer
) -> list[GradeHistory]:
    """Earlier scores of a student on an item, for the course's staff."""
    if not course_can_grade(user=viewer, course=item.assignment.course):
        return []
    return list(
        GradeHistory.objects.filter(item=item, user_id=user.pk).select_related("changed_by")
    )


def assignment_submission_count(*, assignment: Assignment) -> int:
    """Submissions a regrade of the whole assignment would grade again."""
    return AssignmentSubmission.objects.filter(
        item__assignment=assignment, submission__kind=Submission.Kind.SUBMISSION
    ).count()
