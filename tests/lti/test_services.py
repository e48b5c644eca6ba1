"""Roster sync through Names and Role Provisioning and grade passback through Assignment and
Grade Services, against the played platform (token endpoint included)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from pylti1p3.exception import LtiServiceException

from dlquiz.courses.models import Enrollment
from dlquiz.courses.services import AssignmentInput, assignment_create, grade_override_set
from dlquiz.lti import services
from dlquiz.lti.models import CourseLink, GradeSend, ResourceLinkTarget
from tests.coding.factories import exercise_create
from tests.lti.platform import NRPS_SCOPE, member
from tests.lti.test_launch import launch

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("lti_cache")]


@pytest.fixture
def linked(platform, registration):
    """A course linked by an instructor's launch, with an assignment a student opened."""
    launch(Client(), platform, registration, sub="teacher-1", roles=["Instructor"])
    link = CourseLink.objects.select_related("course").get()
    teacher = Enrollment.objects.get(course=link.course).user
    assignment = assignment_create(
        course=link.course,
        actor=teacher,
        data=AssignmentInput(
            title="Softmax",
            due_at=timezone.now() + timedelta(days=7),
            is_published=True,
            exercises=[exercise_create("softmax")],
            points=10,
        ),
    )
    launch(
        Client(),
        platform,
        registration,
        sub="student-1",
        roles=["Learner"],
        custom={"assignment": str(assignment.pk)},
        resource_link="link-2",
    )
    student = Enrollment.objects.get(course=link.course, role=Enrollment.Role.STUDENT).user
    return link, teacher, assignment, student


def test_roster_sync_creates_and_enrols_the_platforms_members(platform, linked):
    """Every active member becomes an account enrolled with the platform's role (TA for a
    teaching assistant); inactive members are left out; a second sync changes nothing."""
    link, _teacher, _assignment, _student = linked
    platform.members = [
        member("teacher-1", "Instructor"),
        member("student-1", "Learner"),
        member("student-2", "Learner"),
        member("ta-1", "Instructor#TeachingAssistant"),
        member("gone-1", "Learner", status="Inactive"),
    ]
    result = services.roster_sync(link_id=link.pk)
    assert (result.created, result.enrolled, result.unchanged) == (2, 0, 2)
    roles = {e.user.email: e.role for e in Enrollment.objects.filter(course=link.course)}
    assert roles == {
        "teacher-1@lms.example": "instructor",
        "student-1@lms.example": "student",
        "student-2@lms.example": "student",
        "ta-1@lms.example": "ta",
    }
    assert any(NRPS_SCOPE in r["scope"] for r in platform.token_requests)
    again = services.roster_sync(link_id=link.pk)
    assert (again.created, again.enrolled, again.unchanged) == (0, 0, 4)


def test_a_grade_is_sent_to_the_line_item_of_the_link(platform, linked):
    """The student's grade on the linked assignment goes to the launch's line item as a score
    of the platform user, with the assignment's points as maximum; the send is recorded."""
    _link, teacher, assignment, student = linked
    item = assignment.items.get()
    grade_override_set(item=item, actor=teacher, user=student, score=7.5, comment="ok")
    sends = services.grade_send(assignment_id=assignment.pk, user_id=student.pk)
    assert len(sends) == 1 and sends[0].status == GradeSend.Status.SENT
    assert len(platform.scores) == 1
    score = platform.scores[0]
    assert score["userId"] == "student-1"
    assert (score["scoreGiven"], score["scoreMaximum"]) == (7.5, 10)
    assert score["gradingProgress"] == "FullyGraded"
    assert ResourceLinkTarget.objects.get(assignment=assignment).lineitem_url.endswith(
        "/lineitems/1/lineitem"
    )


def test_an_exam_mode_grade_leaves_only_once_released(platform, linked):
    """Before the release of an exam-mode assignment the platform gets no score (pending)."""
    _link, teacher, assignment, student = linked
    assignment.exam_mode = True
    assignment.save(update_fields=["exam_mode"])
    grade_override_set(
        item=assignment.items.get(), actor=teacher, user=student, score=9, comment=""
    )
    services.grade_send(assignment_id=assignment.pk, user_id=student.pk)
    assert "scoreGiven" not in platform.scores[-1]
    assert platform.scores[-1]["gradingProgress"] == "Pending"


def test_a_platform_error_is_recorded_and_raised(platform, linked):
    """A line item the platform does not know: the send is recorded as failed and raised, so
    the task retries."""
    _link, teacher, assignment, student = linked
    ResourceLinkTarget.objects.filter(assignment=assignment).update(
        lineitem_url=f"{platform.url}/lineitems/404/lineitem"
    )
    with pytest.raises(LtiServiceException):
        services.grade_send(assignment_id=assignment.pk, user_id=student.pk)
    assert GradeSend.objects.get().status == GradeSend.Status.FAILED


def test_lms_roles_map_to_course_roles():
    prefix = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
    assert services.course_role(roles=[prefix + "Instructor"]) == "instructor"
    assert services.course_role(roles=[prefix + "Instructor#TeachingAssistant"]) == "ta"
    assert services.course_role(roles=[prefix + "Learner"]) == "student"
    assert services.course_role(roles=[]) == "student"
