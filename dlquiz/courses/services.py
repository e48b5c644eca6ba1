"""Writes of the courses app: courses and rosters, assignments, extensions, submissions for an
assignment, overrides, regrades and releases. Every function that changes a grade sends
`grade_changed` after its transaction commits."""

from __future__ import annotations

import csv
import hashlib
import io
import math
import random
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dlquiz.accounts.services import user_is_instructor
from dlquiz.coding.models import Exercise, RegradeJob, Submission
from dlquiz.coding.services import regrade_job_create, submission_submit
from dlquiz.courses import selectors
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
from dlquiz.courses.signals import grade_changed
from dlquiz.quiz.models import Exam, ExamAttempt
from dlquiz.quiz.services import _attempt_build, attempt_finish, attempt_review_queue

JOIN_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
JOIN_CODE_LENGTH = 8
MAX_ROSTER_BYTES = 1024 * 1024
MAX_ROSTER_ROWS = 5000
USERNAME_RE = re.compile(r"^[\w.@+-]{1,150}$")


class CourseError(Exception):
    """Refused input or action; nothing was written. `errors` maps a field to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors

    @classmethod
    def one(cls, field_name: str, message: object) -> CourseError:
        return cls({field_name: [str(message)]})


class CoursePermissionDenied(Exception):
    """The user may not do this in this course."""


def _send_grade_changed(*, item: AssignmentItem, user_id: int) -> None:
    assignment = item.assignment
    course = assignment.course

    def send() -> None:
        user = get_user_model().objects.get(pk=user_id)
        grade_changed.send(sender=Assignment, course=course, assignment=assignment, user=user)

    transaction.on_commit(send)


def join_code_new() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


# --- courses and rosters ----------------------------------------------------------------------


@transaction.atomic
def course_create(*, user: User, title: str, code: str, description: str = "") -> Course:
    """A course with its creator as instructor. Only site instructors create courses."""
    if not user_is_instructor(user):
        raise CoursePermissionDenied
    errors: dict[str, list[str]] = {}
    title = title.strip()
    code = code.strip().lower()
    if not title:
        errors["title"] = [str(_("A title is required."))]
    elif len(title) > 200:
        errors["title"] = [str(_("At most 200 characters."))]
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,63}", code):
        errors["code"] = [str(_("Use 1-64 lower-case letters, digits, '-' or '_'."))]
    elif Course.objects.filter(code=code).exists():
        errors["code"] = [str(_("A course with this code exists already."))]
    if errors:
        raise CourseError(errors)
    course = Course.objects.create(
        title=title, code=code, description=description, join_code=join_code_new(), created_by=user
    )
    Enrollment.objects.create(
        course=course, user=user, role=Enrollment.Role.INSTRUCTOR, source=Enrollment.Source.CREATED
    )
    return course


def course_update(
    *, course: Course, actor: User, title: str, description: str, join_enabled: bool
) -> Course:
    if not selectors.course_can_manage(user=actor, course=course):
        raise CoursePermissionDenied
    title = title.strip()
    if not title or len(title) > 200:
        raise CourseError.one("title", _("A title of 1-200 characters is required."))
    course.title, course.description, course.join_enabled = title, description, join_enabled
    course.save(update_fields=["title", "description", "join_enabled"])
    return course


def course_join_code_reset(*, course: Course, actor: User) -> Course:
    if not selectors.course_can_manage(user=actor, course=course):
        raise CoursePermissionDenied
    course.join_code = join_code_new()
    course.save(update_fields=["join_code"])
    return course


def section_create(*, course: Course, actor: User, name: str) -> Section:
    if not selectors.course_can_manage(user=actor, course=course):
        raise CoursePermissionDenied
    name = name.strip()
    if not name or len(name) > 100:
        raise CourseError.one("name", _("A name of 1-100 characters is required."))
    section, _created = Section.objects.get_or_create(course=course, name=name)
    return section


@transaction.atomic
def course_join(*, user: User, join_code: str) -> Enrollment:
    """Enrol `user` as a student of the course with this join code; joining twice returns the
    existing enrolment (whatever its role)."""
    code = join_code.strip().upper()
    course = Course.objects.filter(join_code=code, join_enabled=True).first() if code else None
    if course is None:
        raise CourseError.one("join_code", _("No open course has this join code."))
    enrollment, _created = Enrollment.objects.get_or_create(
        course=course,
        user=user,
        defaults={"role": Enrollment.Role.STUDENT, "source": Enrollment.Source.JOIN_CODE},
    )
    return enrollment


def enrollment_set(
    *, course: Course, actor: User, user: User, role: str, section: Section | None
) -> Enrollment:
    """Add or change a member of the course. Only its instructors change membership."""
    if not selectors.course_can_manage(user=actor, course=course):
        raise CoursePermissionDenied
    if role not in Enrollment.Role.values:
        raise CourseError.one("role", _("Unknown role."))
    if section is not None and section.course_id != course.pk:
        raise CourseError.one("section", _("This section belongs to another course."))
    enrollment, _created = Enrollment.objects.update_or_create(
        course=course,
        user=user,
        defaults={"role": role, "section": section},
        create_defaults={"role": role, "section": section, "source": Enrollment.Source.MANUAL},
    )
    return enrollment


@dataclass
class RosterRow:
    line: int
    username: str
    email: str
    full_name: str
    section: str
    action: str  # "create" (new account), "enrol" (existing account), "skip", "reject"
    reason: str = ""


@dataclass
class RosterReport:
    rows: list[RosterRow] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def created(self) -> int:
        return self.count("create")

    @property
    def enrolled(self) -> int:
        return self.count("enrol")

    @property
    def skipped(self) -> int:
        return self.count("skip")

    @property
    def rejected(self) -> int:
        return self.count("reject")


ROSTER_HEADERS = {
    "username": ("username", "login", "用户名", "学号"),
    "email": ("email", "e-mail", "mail", "邮箱", "电子邮件"),
    "full_name": ("full name", "full_name", "name", "姓名"),
    "section": ("section", "班级", "分组"),
}


def _roster_text(data: bytes) -> str:
    if len(data) > MAX_ROSTER_BYTES:
        raise CourseError.one("file", _("The file is larger than 1 MiB."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CourseError.one(
            "file", _("The file is not UTF-8 text; save it as CSV UTF-8 and try again.")
        ) from exc


def roster_preview(*, course: Course, data: bytes) -> RosterReport:
    """What importing this CSV roster would do, row by row; writes nothing.

    Columns (header row, any order, English or Chinese names): username (required), email,
    full name, section. A user already in the course is skipped; a row with a bad username or
    e-mail, a duplicate username or an over-long field is rejected with its reason."""
    text = _roster_text(data)
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration as exc:
        raise CourseError.one("file", _("The file is empty.")) from exc
    except csv.Error as exc:
        raise CourseError.one("file", _("The file is not valid CSV.")) from exc
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        key = name.strip().lower()
        for column, names in ROSTER_HEADERS.items():
            if key in names and column not in columns:
                columns[column] = index
    if "username" not in columns:
        raise CourseError.one(
            "file", _("The first row must name the columns; a 'username' column is required.")
        )
    members = set(Enrollment.objects.filter(course=course).values_list("user__username", flat=True))
    report = RosterReport()
    seen: set[str] = set()
    parsed: list[RosterRow] = []
    try:
        for line, record in enumerate(reader, start=2):
            if len(parsed) >= MAX_ROSTER_ROWS:
                raise CourseError.one("file", _("At most 5000 rows per file."))
            if not any(cell.strip() for cell in record):
                continue

            def cell(column: str, record: list[str] = record) -> str:
                index = columns.get(column)
                return record[index].strip() if index is not None and index < len(record) else ""

            parsed.append(
                RosterRow(
                    line=line,
                    username=cell("username"),
                    email=cell("email"),
                    full_name=cell("full_name"),
                    section=cell("section"),
                    action="",
                )
            )
    except csv.Error as exc:
        raise CourseError.one("file", _("The file is not valid CSV.")) from exc
    existing = {
        u.username.lower(): u
        for u in get_user_model().objects.filter(
            username__in=[row.username for row in parsed if row.username]
        )
    }
    for row in parsed:
        reason = ""
        if not row.username:
            reason = str(_("The username is empty."))
        elif not USERNAME_RE.match(row.username):
            reason = str(_("The username may hold letters, digits and @ . + - _ only."))
        elif row.username.lower() in seen:
            reason = str(_("This username appears twice in the file."))
        elif len(row.full_name) > 150 or len(row.section) > 100:
            reason = str(_("The name or the section is too long."))
        elif row.email:
            try:
                validate_email(row.email)
            except DjangoValidationError:
                reason = str(_("The e-mail address is not valid."))
        if reason:
            row.action, row.reason = "reject", reason
        elif row.username in members:
            row.action, row.reason = "skip", str(_("Already a member of the course."))
        elif row.username.lower() in existing:
            row.action = "enrol"
        else:
            row.action = "create"
        if row.username:
            seen.add(row.username.lower())
        report.rows.append(row)
    return report


@transaction.atomic
def roster_import(*, course: Course, actor: User, data: bytes) -> RosterReport:
    """Import a CSV roster (see roster_preview): new accounts are created without a usable
    password (students sign in once their password is set), existing accounts are enrolled as
    students, sections are created as named. Returns the report of every row."""
    if not selectors.course_can_manage(user=actor, course=course):
        raise CoursePermissionDenied
    report = roster_preview(course=course, data=data)
    user_model = get_user_model()
    sections: dict[str, Section] = {s.name: s for s in course.sections.all()}
    for row in report.rows:
        if row.action not in ("create", "enrol"):
            continue
        if row.action == "create":
            first, _sep, last = row.full_name.partition(" ")
            user = user_model(username=row.username, email=row.email, first_name=first[:150])
            user.last_name = last[:150]
            user.set_unusable_password()
            user.save()
        else:
            user = user_model.objects.get(username__iexact=row.username)
        section = None
        if row.section:
            if row.section not in sections:
                sections[row.section] = Section.objects.create(course=course, name=row.section)
            section = sections[row.section]
        Enrollment.objects.create(
            course=course,
            user=user,
            role=Enrollment.Role.STUDENT,
            section=section,
            source=Enrollment.Source.ROSTER,
        )
    return report


# --- assignments ------------------------------------------------------------------------------


@dataclass
class AssignmentInput:
    title: str
    due_at: datetime | None
    description: str = ""
    opens_at: datetime | None = None
    max_attempts: int = 0
    late_policy: str = Assignment.LatePolicy.PENALTY
    late_penalty_percent: float = 10.0
    score_policy: str = Assignment.ScorePolicy.BEST
    exam_mode: bool = False
    is_published: bool = False
    exercises: list[Exercise] = field(default_factory=list)
    exam: Exam | None = None
    exam_variants: str = AssignmentItem.ExamVariants.SAME
    points: float = 10.0


def _assignment_errors(data: AssignmentInput) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not data.title.strip() or len(data.title) > 200:
        errors["title"] = [str(_("A title of 1-200 characters is required."))]
    if data.due_at is None:
        errors["due_at"] = [str(_("A due date is required."))]
    elif data.opens_at is not None and data.opens_at >= data.due_at:
        errors["opens_at"] = [str(_("The assignment must open before it is due."))]
    if not 0 <= data.max_attempts <= 1000:
        errors["max_attempts"] = [str(_("Between 0 (no limit) and 1000."))]
    if data.late_policy not in Assignment.LatePolicy.values:
        errors["late_policy"] = [str(_("Unknown late policy."))]
    if not (math.isfinite(data.late_penalty_percent) and 0 <= data.late_penalty_percent <= 100):
        errors["late_penalty_percent"] = [str(_("Between 0 and 100."))]
    if data.score_policy not in Assignment.ScorePolicy.values:
        errors["score_policy"] = [str(_("Unknown policy."))]
    if data.exam_variants not in AssignmentItem.ExamVariants.values:
        errors["exam_variants"] = [str(_("Unknown choice."))]
    if not (math.isfinite(data.points) and 0 < data.points <= 1000):
        errors["points"] = [str(_("Between 0 and 1000."))]
    if not data.exercises and data.exam is None:
        errors["exercises"] = [str(_("Choose at least one coding exercise or an exam."))]
    return errors


@transaction.atomic
def assignment_create(*, course: Course, actor: User, data: AssignmentInput) -> Assignment:
    """An assignment with one item per exercise (in the given order) and one for the exam."""
    if not selectors.course_can_manage(user=actor, course=course):
        raise CoursePermissionDenied
    errors = _assignment_errors(data)
    if errors:
        raise CourseError(errors)
    assert data.due_at is not None
    assignment = Assignment.objects.create(
        course=course,
        title=data.title.strip(),
        description=data.description,
        opens_at=data.opens_at,
        due_at=data.due_at,
        max_attempts=data.max_attempts,
        late_policy=data.late_policy,
        late_penalty_percent=data.late_penalty_percent,
        score_policy=data.score_policy,
        exam_mode=data.exam_mode,
        is_published=data.is_published,
    )
    position = 0
    for exercise in dict.fromkeys(data.exercises):
        AssignmentItem.objects.create(
            assignment=assignment, position=position, exercise=exercise, points=data.points
        )
        position += 1
    if data.exam is not None:
        AssignmentItem.objects.create(
            assignment=assignment,
            position=position,
            exam=data.exam,
            exam_variants=data.exam_variants,
            seed=random.SystemRandom().randrange(2**31),
            points=data.points,
        )
    return assignment


def assignment_publish(*, assignment: Assignment, actor: User, published: bool) -> Assignment:
    if not selectors.course_can_manage(user=actor, course=assignment.course):
        raise CoursePermissionDenied
    assignment.is_published = published
    assignment.save(update_fields=["is_published"])
    return assignment


@transaction.atomic
def extension_grant(
    *, assignment: Assignment, actor: User, user: User, due_at: datetime, reason: str = ""
) -> Extension:
    """Give one student a later due date (replacing an earlier extension). Instructors and TAs
    grant extensions."""
    if not selectors.course_can_grade(user=actor, course=assignment.course):
        raise CoursePermissionDenied
    if selectors.course_role(user=user, course=assignment.course) != Enrollment.Role.STUDENT:
        raise CourseError.one("user", _("Not a student of this course."))
    if due_at <= assignment.due_at:
        raise CourseError.one("due_at", _("An extension must end after the assignment's due date."))
    extension, _created = Extension.objects.update_or_create(
        assignment=assignment,
        user=user,
        defaults={"due_at": due_at, "reason": reason[:300], "granted_by": actor},
    )
    for item in assignment.items.all():
        _send_grade_changed(item=item, user_id=user.pk)
    return extension


def _student_may_work(*, user: User, item: AssignmentItem, now: datetime) -> int:
    """Days late if `user` may submit to `item` now; raises CourseError or
    CoursePermissionDenied otherwise."""
    assignment = item.assignment
    if selectors.course_role(user=user, course=assignment.course) != Enrollment.Role.STUDENT:
        raise CoursePermissionDenied
    if not assignment.is_published:
        raise CoursePermissionDenied
    if assignment.opens_at is not None and now < assignment.opens_at:
        raise CourseError.one("assignment", _("This assignment is not open yet."))
    due = selectors.assignment_due_for(assignment=assignment, user=user)
    days_late = selectors.days_late(due_at=due, at=now)
    if days_late and assignment.late_policy == Assignment.LatePolicy.NONE_AFTER_DUE:
        raise CourseError.one("assignment", _("The due date has passed."))
    if assignment.max_attempts:
        used = selectors.item_attempts_used(item=item, user=user)
        if used >= assignment.max_attempts:
            raise CourseError.one(
                "assignment",
                _("All %(count)d attempts are used.") % {"count": assignment.max_attempts},
            )
    return days_late


@transaction.atomic
def assignment_submit(
    *, user: User, item: AssignmentItem, framework: str, code: str, now: datetime | None = None
) -> Submission:
    """Submit code for a coding item: the window, late policy and attempt limit are checked,
    then the coding app records and grades the submission, linked to the item.

    The student's row is locked so two concurrent submissions cannot both take the last
    attempt. Raises CourseError / CoursePermissionDenied, or the coding app's SubmissionRefused."""
    now = now or timezone.now()
    if item.exercise is None:
        raise CourseError.one("item", _("This item is not a coding exercise."))
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    days_late = _student_may_work(user=user, item=item, now=now)
    submission, created = submission_submit(
        user=user, exercise_slug=item.exercise.slug, framework=framework, code=code
    )
    if created:
        AssignmentSubmission.objects.create(item=item, submission=submission, days_late=days_late)
    return submission


def exam_seed_for(*, item: AssignmentItem, user: User) -> int:
    """The reproducible seed of a student's exam: the item's own seed when everyone gets the same
    exam, else one derived from it and the student, stable across attempts and restarts."""
    if item.exam_variants == AssignmentItem.ExamVariants.SAME:
        return item.seed
    digest = hashlib.sha256(f"{item.seed}:{user.pk}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


@transaction.atomic
def assignment_exam_start(
    *, user: User, item: AssignmentItem, now: datetime | None = None
) -> ExamAttempt:
    """Start the exam of an exam item with the student's reproducible seed. An attempt still in
    progress is returned instead of starting another."""
    now = now or timezone.now()
    if item.exam is None:
        raise CourseError.one("item", _("This item is not an exam."))
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    running = (
        ExamAttempt.objects.filter(
            assignment_link__item=item, user=user, status=ExamAttempt.Status.IN_PROGRESS
        )
        .order_by("-started_at")
        .first()
    )
    if running is not None and running.deadline > now:
        return running
    days_late = _student_may_work(user=user, item=item, now=now)
    exam = item.exam
    questions = [eq.question for eq in exam.exam_questions.select_related("question__topic")]
    if not questions:
        raise CourseError.one("item", _("This exam has no questions."))
    seed = exam_seed_for(item=item, user=user)
    # The exam's own publication and window are for practice exams; an assignment's exam is
    # governed by the assignment. The draw is the quiz app's, so variants and answers match.
    attempt = _attempt_build(
        user=user,
        questions=questions,
        rng=random.Random(seed),
        seed=seed,
        topics=sorted({q.topic.slug for q in questions}),
        time_limit_minutes=exam.time_limit_minutes,
        exam=exam,
        now=now,
    )
    AssignmentAttempt.objects.create(item=item, attempt=attempt, days_late=days_late)
    return attempt


def assignment_exam_finish(*, user: User, attempt: ExamAttempt) -> ExamAttempt:
    """Hand in an assignment's exam; grade_changed follows from the grading (see
    attempt_graded_notify), as for an attempt finished on the quiz pages or by the sweep."""
    linked = AssignmentAttempt.objects.filter(attempt=attempt).exists()
    if not linked or attempt.user_id != user.pk:
        raise CoursePermissionDenied
    return attempt_finish(attempt=attempt)


# --- grading ----------------------------------------------------------------------------------


@transaction.atomic
def grade_override_set(
    *, item: AssignmentItem, actor: User, user: User, score: float, comment: str
) -> GradeOverride:
    """Set a student's score on an item by hand, with a comment the student sees. The score
    before the change goes to the history."""
    course = item.assignment.course
    if not selectors.course_can_grade(user=actor, course=course):
        raise CoursePermissionDenied
    if selectors.course_role(user=user, course=course) != Enrollment.Role.STUDENT:
        raise CourseError.one("user", _("Not a student of this course."))
    if not (math.isfinite(score) and 0 <= score <= item.points):
        raise CourseError.one("score", _("Between 0 and %(points)g.") % {"points": item.points})
    if len(comment) > 5000:
        raise CourseError.one("comment", _("At most 5000 characters."))
    old = selectors.item_grade(item=item, user=user).score
    override, _created = GradeOverride.objects.update_or_create(
        item=item, user=user, defaults={"score": score, "comment": comment, "created_by": actor}
    )
    GradeHistory.objects.create(
        item=item,
        user=user,
        reason=GradeHistory.Reason.OVERRIDE,
        old_score=old,
        new_score=score,
        comment=comment,
        changed_by=actor,
    )
    _send_grade_changed(item=item, user_id=user.pk)
    return override


@transaction.atomic
def grade_override_remove(*, item: AssignmentItem, actor: User, user: User) -> None:
    course = item.assignment.course
    if not selectors.course_can_grade(user=actor, course=course):
        raise CoursePermissionDenied
    override = GradeOverride.objects.filter(item=item, user=user).first()
    if override is None:
        return
    override.delete()
    GradeHistory.objects.create(
        item=item,
        user=user,
        reason=GradeHistory.Reason.OVERRIDE_REMOVED,
        old_score=override.score,
        new_score=selectors.item_grade(item=item, user=user).score,
        changed_by=actor,
    )
    _send_grade_changed(item=item, user_id=user.pk)


@transaction.atomic
def assignment_regrade(
    *, assignment: Assignment, actor: User, item: AssignmentItem | None = None
) -> RegradeJob | None:
    """Grade every submission of the assignment (or of one item) again, e.g. after a test was
    fixed. Each submission's score before the regrade is kept in the grade history; the
    grade_changed signal follows when the worker has graded it (see receivers)."""
    if not selectors.course_can_grade(user=actor, course=assignment.course):
        raise CoursePermissionDenied
    links = AssignmentSubmission.objects.filter(item__assignment=assignment).select_related(
        "submission"
    )
    if item is not None:
        links = links.filter(item=item)
    links = links.filter(submission__kind=Submission.Kind.SUBMISSION)
    rows = list(links)
    if not rows:
        return None
    GradeHistory.objects.bulk_create(
        GradeHistory(
            item_id=link.item_id,
            user_id=link.submission.user_id,
            reason=GradeHistory.Reason.REGRADE,
            submission_id=link.submission_id,
            old_score=link.submission.score,
            comment=f"#{link.submission_id}",
            changed_by=actor,
        )
        for link in rows
    )
    return regrade_job_create(
        created_by=actor,
        submission_ids=[link.submission_id for link in rows],
        description=f"{assignment.course.code}: {assignment.title}"[:200],
    )


@transaction.atomic
def assignment_release(*, assignment: Assignment, actor: User, released: bool = True) -> Assignment:
    """Show (or hide again) an exam-mode assignment's scores and hidden-test results."""
    if not selectors.course_can_manage(user=actor, course=assignment.course):
        raise CoursePermissionDenied
    assignment.results_released_at = timezone.now() if released else None
    assignment.save(update_fields=["results_released_at"])
    if released:
        # The wrong answers' cards were held back with the scores (quiz attempt_grade).
        links = AssignmentAttempt.objects.filter(
            item__assignment=assignment, attempt__status=ExamAttempt.Status.GRADED
        ).select_related("attempt__user")
        for link in links:
            attempt_review_queue(attempt=link.attempt, now=assignment.results_released_at)
    students = Enrollment.objects.filter(
        course=assignment.course, role=Enrollment.Role.STUDENT
    ).values_list("user_id", flat=True)
    for item in assignment.items.select_related("assignment__course"):
        for user_id in students:
            _send_grade_changed(item=item, user_id=user_id)
    return assignment


def attempt_graded_notify(*, attempt_id: int) -> None:
    """Called once an exam attempt's grade has committed (the quiz app's attempt_graded): an
    attempt made for an assignment changes that student's grade. The deadline sweep grades
    through the same path, so an exam nobody handed in reaches the gradebook's listeners too."""
    link = (
        AssignmentAttempt.objects.filter(attempt_id=attempt_id)
        .select_related("item__assignment__course", "attempt")
        .first()
    )
    if link is None:
        return
    _send_grade_changed(item=link.item, user_id=link.attempt.user_id)


def submission_graded_notify(*, submission_id: int) -> None:
    """Called in the worker once a submission's grading task has run: a submission made for an
    assignment changes that student's grade."""
    link = (
        AssignmentSubmission.objects.filter(submission_id=submission_id)
        .select_related("item__assignment__course", "submission")
        .first()
    )
    if link is None:
        return
    try:
        with transaction.atomic():
            GradeHistory.objects.filter(
                submission_id=submission_id,
                reason=GradeHistory.Reason.REGRADE,
                new_score__isnull=True,
            ).update(new_score=link.submission.score)
            _send_grade_changed(item=link.item, user_id=link.submission.user_id)
    except IntegrityError:  # pragma: no cover - the rows just read cannot vanish in between
        return
