"""LTI 1.3 launches as a platform sends them: OIDC login initiation, then a signed id_token
posted to the launch URL. pylti1p3's verification runs for real (platform keyset fetched over
HTTP, signature, issuer, audience, nonce, state, expiry, deployment)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.test import Client
from django.utils import timezone
from lti_tool.models import LtiRegistration

from dlquiz.courses.models import Enrollment
from dlquiz.courses.services import AssignmentInput, assignment_create
from dlquiz.lti.models import CourseLink, ResourceLinkTarget
from tests.coding.factories import exercise_create
from tests.lti.platform import Platform, rsa_key

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("lti_cache")]


def login_init(client: Client, platform: Platform, registration: LtiRegistration) -> dict:
    response = client.get(
        f"/lti/init/{registration.uuid}/",
        {
            "iss": platform.issuer,
            "login_hint": "hint",
            "target_link_uri": "http://testserver/lti/launch/",
            "client_id": registration.client_id,
            "lti_message_hint": "message-hint",
        },
    )
    assert response.status_code == 302, response.content[:500]
    location = urlparse(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == registration.auth_url
    return {k: v[0] for k, v in parse_qs(location.query).items()}


def launch(
    client: Client,
    platform: Platform,
    registration: LtiRegistration,
    *,
    sub: str,
    roles: list[str],
    **token: object,
):
    params = login_init(client, platform, registration)
    assert params["client_id"] == registration.client_id
    assert params["redirect_uri"] == "http://testserver/lti/launch/"
    id_token = platform.id_token(nonce=params["nonce"], sub=sub, roles=roles, **token)
    return client.post("/lti/launch/", {"state": params["state"], "id_token": id_token})


def test_an_instructor_launch_creates_the_linked_course(platform, registration):
    """The first instructor launch from a platform course creates a dlquiz course linked to it,
    logs the instructor in as its instructor and opens the course page."""
    client = Client()
    response = launch(client, platform, registration, sub="teacher-1", roles=["Instructor"])
    assert response.status_code == 302, response.content.decode()[:800]
    link = CourseLink.objects.select_related("course").get()
    assert link.course.title == "Deep Learning 101"
    assert response["Location"] == f"/courses/{link.course.pk}/"
    enrollment = Enrollment.objects.get(course=link.course)
    assert enrollment.role == Enrollment.Role.INSTRUCTOR
    assert enrollment.source == Enrollment.Source.LMS
    assert enrollment.user.email == "teacher-1@lms.example"
    assert client.get(response["Location"]).status_code == 200


def test_a_student_launch_opens_the_assignment_named_by_the_link(platform, registration):
    """A link whose custom parameter names an assignment of the linked course opens it for a
    student, who is enrolled as a student; the line item of the launch is kept for grades."""
    launch(Client(), platform, registration, sub="teacher-1", roles=["Instructor"])
    link = CourseLink.objects.get()
    teacher = Enrollment.objects.get(course=link.course).user
    assignment = assignment_create(
        course=link.course,
        actor=teacher,
        data=AssignmentInput(
            title="Softmax",
            due_at=timezone.now() + timedelta(days=7),
            is_published=True,
            exercises=[exercise_create("softmax")],
        ),
    )
    client = Client()
    response = launch(
        client,
        platform,
        registration,
        sub="student-1",
        roles=["Learner"],
        custom={"assignment": str(assignment.pk)},
        resource_link="link-2",
    )
    assert response.status_code == 302, response.content.decode()[:800]
    assert response["Location"] == f"/courses/assignments/{assignment.pk}/"
    student = Enrollment.objects.get(course=link.course, role=Enrollment.Role.STUDENT)
    assert student.user.first_name == "Student-1"
    target = ResourceLinkTarget.objects.get(resource_link__id_on_platform="link-2")
    assert target.assignment_id == assignment.pk
    assert target.lineitem_url == f"{platform.url}/lineitems/1/lineitem"
    assert client.get(response["Location"]).status_code == 200


def test_a_link_to_an_exercise_opens_the_exercise(platform, registration):
    exercise_create("softmax")
    launch(Client(), platform, registration, sub="teacher-1", roles=["Instructor"])
    response = launch(
        Client(),
        platform,
        registration,
        sub="student-1",
        roles=["Learner"],
        custom={"exercise": "softmax"},
        resource_link="link-3",
    )
    assert response.status_code == 302
    assert response["Location"] == "/exercises/softmax/"


def test_a_student_cannot_open_a_course_no_instructor_set_up(platform, registration):
    """A student's launch from a platform course without a linked course is refused (403)
    with a page that says so, and creates nothing."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = launch(client, platform, registration, sub="student-1", roles=["Learner"])
    assert response.status_code == 403
    assert "instructor has to open it first" in response.content.decode()
    zh = launch(Client(), platform, registration, sub="student-1", roles=["Learner"])
    assert "需要教师先打开一次" in zh.content.decode()
    assert not CourseLink.objects.exists()


@pytest.mark.parametrize(
    ("token", "status", "reason"),
    [
        ({"key": rsa_key()}, 400, "Launch refused"),
        ({"expires_in": -120}, 400, "Launch refused"),
        ({"deployment_id": "unknown-deployment"}, 403, "deployment is not registered"),
    ],
    ids=["wrong-signature", "expired", "unknown-deployment"],
)
def test_bad_launches_get_a_clear_4xx_page(platform, registration, token, status, reason):
    """A token signed by another key, an expired token or an unregistered deployment is
    refused with a page naming the problem; nobody is logged in, no course is created."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = launch(client, platform, registration, sub="t", roles=["Instructor"], **token)
    assert response.status_code == status
    assert reason in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not CourseLink.objects.exists()


def test_a_replayed_launch_is_refused(platform, registration):
    """The same state and id_token posted twice: the nonce is spent, the second is 400."""
    client = Client()
    params = login_init(client, platform, registration)
    token = platform.id_token(nonce=params["nonce"], sub="t", roles=["Instructor"])
    first = client.post("/lti/launch/", {"state": params["state"], "id_token": token})
    assert first.status_code == 302
    again = client.post("/lti/launch/", {"state": params["state"], "id_token": token})
    assert again.status_code == 400


def test_a_launch_with_an_unknown_state_is_refused(platform, registration):
    client = Client()
    params = login_init(client, platform, registration)
    token = platform.id_token(nonce=params["nonce"], sub="t", roles=["Instructor"])
    response = Client().post("/lti/launch/", {"state": "forged", "id_token": token})
    assert response.status_code == 400


def test_the_jwks_lists_the_tools_public_keys(registration):
    """Platforms fetch the tool's public key from /lti/jwks/ to verify its service requests."""
    keys = Client().get("/lti/jwks/").json()["keys"]
    assert len(keys) == 1 and keys[0]["kty"] == "RSA" and "d" not in keys[0]
