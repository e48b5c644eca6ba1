"""LTI 1.3 on django-lti/pylti1p3: a verified launch becomes a logged-in dlquiz user enrolled in
the course linked to the platform's context; the roster comes from Names and Role Provisioning;
grades go back through Assignment and Grade Services."""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from lti_tool.models import LtiContext, LtiLaunch, LtiRegistration, LtiUser
from lti_tool.services.nrps import fetch_member_data
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem
from pylti1p3.service_connector import ServiceConnector

from dlquiz.coding.models import Exercise
from dlquiz.courses.models import Assignment, Course, Enrollment
from dlquiz.courses.selectors import assignment_grade_for
from dlquiz.courses.services import join_code_new
from dlquiz.lti.models import CourseLink, GradeSend, ResourceLinkTarget

log = logging.getLogger(__name__)

GRADE_TASK_NAME = "dlquiz.lti.tasks.lti_grade_send"
ROSTER_TASK_NAME = "dlquiz.lti.tasks.lti_roster_sync"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"

ROLE_PREFIXES = ("http://purl.imsglobal.org/vocab/lis/v2/membership#",)
INSTRUCTOR_ROLES = {"Instructor", "Administrator", "ContentDeveloper"}
TA_ROLES = {"TeachingAssistant", "Instructor#TeachingAssistant", "Mentor"}


class LaunchRefused(Exception):
    """A verified launch dlquiz cannot serve; the message is shown to the user."""

    def __init__(self, message: str | Promise, *, status: int = 403) -> None:
        super().__init__(str(message))
        self.message = message
        self.status = status


def course_role(*, roles: list[str]) -> str:
    """The course role for LTI membership roles: instructors and administrators teach,
    teaching assistants and mentors assist, everyone else is a student."""
    short = set()
    for role in roles:
        for prefix in ROLE_PREFIXES:
            if role.startswith(prefix):
                role = role[len(prefix) :]
        short.add(role.rsplit("/", 1)[-1])
    if short & TA_ROLES:
        return Enrollment.Role.TA
    if short & INSTRUCTOR_ROLES:
        return Enrollment.Role.INSTRUCTOR
    return Enrollment.Role.STUDENT


def lti_username(*, registration: LtiRegistration, sub: str) -> str:
    digest = hashlib.sha256(f"{registration.pk}:{sub}".encode()).hexdigest()[:16]
    return f"lti-{registration.pk}-{digest}"


def user_for_lti(
    *, registration: LtiRegistration, sub: str, email: str, given: str, family: str
) -> User:
    """The dlquiz account of a platform user, created on first sight (no password: the platform
    logs them in), with the name and e-mail the platform last sent."""
    lti_user, _created = LtiUser.objects.get_or_create(registration=registration, sub=sub)
    user = lti_user.auth_user
    if user is None:
        user, _created = User.objects.get_or_create(
            username=lti_username(registration=registration, sub=sub)
        )
        user.set_unusable_password()
        lti_user.auth_user = user
    user.email = email[:254] or user.email
    user.first_name = given[:150] or user.first_name
    user.last_name = family[:150] or user.last_name
    user.save()
    lti_user.email = email[:254] or lti_user.email
    lti_user.given_name = given[:500] or lti_user.given_name
    lti_user.family_name = family[:500] or lti_user.family_name
    lti_user.save()
    return user


def course_for_context(*, context: LtiContext, role: str) -> Course:
    """The course linked to the context. The first instructor launch from an unlinked context
    creates it (joining by code closed: the platform's roster rules); a student cannot."""
    link = CourseLink.objects.select_related("course").filter(context=context).first()
    if link is not None:
        return link.course
    if role != Enrollment.Role.INSTRUCTOR:
        raise LaunchRefused(
            _("This course is not set up in dlquiz yet: an instructor has to open it first.")
        )
    title = (context.title or context.label or context.id_on_platform or "LMS course")[:200]
    code = re.sub(r"[^a-z0-9_-]", "-", f"lti-{context.pk}")[:64]
    course = Course.objects.create(
        title=title, code=code, join_code=join_code_new(), join_enabled=False
    )
    CourseLink.objects.create(context=context, course=course)
    return course


def enrollment_from_lms(*, course: Course, user: User, role: str) -> Enrollment:
    """Enrol or update a member as the platform says; a course's own instructors keep their
    role whatever the platform sends."""
    enrollment = Enrollment.objects.filter(course=course, user=user).first()
    if enrollment is None:
        return Enrollment.objects.create(
            course=course, user=user, role=role, source=Enrollment.Source.LMS
        )
    if enrollment.role != Enrollment.Role.INSTRUCTOR and enrollment.role != role:
        enrollment.role = role
        enrollment.save(update_fields=["role"])
    return enrollment


@dataclass(frozen=True)
class LaunchResult:
    user: User
    redirect_to: str


@transaction.atomic
def launch_accept(*, launch: LtiLaunch) -> LaunchResult:
    """Turn a verified resource launch into a user, an enrolment and the page to open: the
    link's assignment (custom parameter `assignment`, an id of the linked course) or exercise
    (custom parameter `exercise`, a slug); the course page when the link names neither."""
    data = launch.get_launch_data()
    registration = launch.registration
    user = user_for_lti(
        registration=registration,
        sub=str(data.get("sub", "")),
        email=str(data.get("email", "")),
        given=str(data.get("given_name", "")),
        family=str(data.get("family_name", "")),
    )
    role = course_role(roles=list(data.get("https://purl.imsglobal.org/spec/lti/claim/roles", [])))
    course = course_for_context(context=launch.context, role=role)
    enrollment_from_lms(course=course, user=user, role=role)
    target = target_for_link(launch=launch, course=course)
    if target.assignment_id is not None:
        return LaunchResult(user, reverse("courses:assignment", args=[target.assignment_id]))
    if target.exercise is not None:
        return LaunchResult(user, reverse("exercise-detail", args=[target.exercise.slug]))
    return LaunchResult(user, reverse("courses:course", args=[course.pk]))


def target_for_link(*, launch: LtiLaunch, course: Course) -> ResourceLinkTarget:
    target, _created = ResourceLinkTarget.objects.get_or_create(resource_link=launch.resource_link)
    custom = launch.get_claim("https://purl.imsglobal.org/spec/lti/claim/custom") or {}
    changed = []
    assignment_id = str(custom.get("assignment", "")).strip()
    if assignment_id and target.assignment_id is None:
        assignment = Assignment.objects.filter(
            pk=int(assignment_id) if assignment_id.isdigit() else 0, course=course
        ).first()
        if assignment is None:
            raise LaunchRefused(
                _("This link names an assignment that is not in the linked course."), status=404
            )
        target.assignment = assignment
        changed.append("assignment")
    slug = str(custom.get("exercise", "")).strip()
    if slug and target.assignment_id is None and target.exercise_id is None:
        exercise = Exercise.objects.filter(slug=slug, is_published=True).first()
        if exercise is None:
            raise LaunchRefused(_("This link names an exercise that does not exist."), status=404)
        target.exercise = exercise
        changed.append("exercise")
    ags = launch.ags_claim or {}
    if ags.get("lineitem") and ags.get("lineitem") != target.lineitem_url:
        target.lineitem_url = ags["lineitem"]
        target.ags_scopes = list(ags.get("scope", []))
        changed += ["lineitem_url", "ags_scopes"]
    if changed:
        target.save(update_fields=changed)
    return target


@dataclass(frozen=True)
class RosterResult:
    created: int
    enrolled: int
    unchanged: int


def roster_sync(*, link_id: int) -> RosterResult:
    """Enrol every active member the platform lists for the linked context (Names and Role
    Provisioning Services), creating accounts as needed."""
    link = CourseLink.objects.select_related("course", "context__deployment__registration").get(
        pk=link_id
    )
    registration = link.context.deployment.registration
    created = enrolled = unchanged = 0
    for member in fetch_member_data(link.context):
        if member.get("status", "Active") != "Active" or not member.get("user_id"):
            continue
        existed = LtiUser.objects.filter(
            registration=registration, sub=member["user_id"], auth_user__isnull=False
        ).exists()
        user = user_for_lti(
            registration=registration,
            sub=str(member["user_id"]),
            email=str(member.get("email", "")),
            given=str(member.get("given_name", "")),
            family=str(member.get("family_name", "")),
        )
        role = course_role(roles=list(member.get("roles", [])))
        before = Enrollment.objects.filter(course=link.course, user=user).values_list(
            "role", flat=True
        )
        had = list(before)
        enrollment_from_lms(course=link.course, user=user, role=role)
        if not existed:
            created += 1
        elif not had:
            enrolled += 1
        else:
            unchanged += 1
    link.roster_synced_at = timezone.now()
    link.save(update_fields=["roster_synced_at"])
    return RosterResult(created=created, enrolled=enrolled, unchanged=unchanged)


def grade_send_enqueue(*, assignment_id: int, user_id: int) -> None:
    if (
        not ResourceLinkTarget.objects.filter(assignment_id=assignment_id)
        .exclude(lineitem_url="")
        .exists()
    ):
        return
    from dlquiz.celery import app

    app.send_task(GRADE_TASK_NAME, kwargs={"assignment_id": assignment_id, "user_id": user_id})


def grade_send(*, assignment_id: int, user_id: int) -> list[GradeSend]:
    """Send the student's current grade on the assignment to every platform line item linked to
    it. The grade is read as the student sees it, so exam-mode scores leave only once
    released. Each attempt is recorded; a platform error is recorded and raised."""
    assignment = Assignment.objects.select_related("course").get(pk=assignment_id)
    user = User.objects.get(pk=user_id)
    grade = assignment_grade_for(assignment=assignment, user=user, viewer=user)
    sends = []
    targets = ResourceLinkTarget.objects.filter(assignment=assignment).exclude(lineitem_url="")
    for target in targets.select_related("resource_link__context__deployment__registration"):
        registration = target.resource_link.context.deployment.registration
        lti_user = LtiUser.objects.filter(registration=registration, auth_user=user).first()
        if lti_user is None or grade is None:
            continue
        score = None if grade.withheld else grade.total
        maximum = grade.points or 1.0
        record = GradeSend(
            target=target, user=user, score_given=score, score_maximum=maximum, status="sent"
        )
        try:
            score_post(
                registration=registration,
                target=target,
                sub=lti_user.sub,
                score=score,
                maximum=maximum,
            )
        except Exception as exc:
            record.status = GradeSend.Status.FAILED
            record.message = f"{type(exc).__name__}: {exc}"[:2000]
            record.save()
            raise
        record.save()
        sends.append(record)
    return sends


def score_post(
    *,
    registration: LtiRegistration,
    target: ResourceLinkTarget,
    sub: str,
    score: float | None,
    maximum: float,
) -> None:
    grade = (
        Grade()
        .set_score_maximum(maximum)
        .set_timestamp(timezone.now().isoformat())
        .set_user_id(sub)
        .set_activity_progress("Completed" if score is not None else "Submitted")
        .set_grading_progress("FullyGraded" if score is not None else "Pending")
    )
    if score is not None:
        grade.set_score_given(score)
    service = AssignmentsGradesService(
        ServiceConnector(registration.to_registration()),
        {"scope": target.ags_scopes or [SCORE_SCOPE], "lineitem": target.lineitem_url},
    )
    service.put_grade(grade, LineItem({"id": target.lineitem_url}))
