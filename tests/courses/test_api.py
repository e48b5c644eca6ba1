"""The courses API: what each role may read and change, and bad input answered with field
messages."""

from __future__ import annotations

import pytest

from dlquiz.coding.models import Submission
from dlquiz.courses.models import Enrollment
from tests.coding.factories import api_client_for, exercise_create, student_create, teacher_create
from tests.courses.factories import course_create, instructor_of, member_add

pytestmark = pytest.mark.django_db


def test_an_instructor_creates_a_course_and_an_assignment_and_a_student_submits():
    """Create, join with the code, list, assign, submit: the submission is linked and queued."""
    exercise_create("softmax")
    prof = api_client_for(teacher_create())
    created = prof.post("/api/courses/", {"title": "深度学习", "code": "dl-26"}, format="json")
    assert created.status_code == 201, created.json()
    course = created.json()
    assert course["role"] == "instructor" and course["join_code"]
    lin_user = student_create()
    lin = api_client_for(lin_user)
    joined = lin.post("/api/courses/join/", {"join_code": course["join_code"]}, format="json")
    assert joined.status_code == 200 and joined.json()["join_code"] is None
    made = prof.post(
        f"/api/courses/{course['id']}/assignments/",
        {
            "title": "作业一",
            "due_at": "2099-01-01T00:00:00Z",
            "exercises": ["softmax"],
            "is_published": True,
        },
        format="json",
    )
    assert made.status_code == 201, made.json()
    assignment = made.json()
    item = assignment["items"][0]["id"]
    listed = lin.get(f"/api/courses/{course['id']}/assignments/").json()
    assert [a["id"] for a in listed] == [assignment["id"]]
    sent = lin.post(
        f"/api/courses/assignments/{assignment['id']}/submissions/",
        {"item": item, "framework": "torch", "code": "def softmax(x, dim=-1):\n  return x\n"},
        format="json",
    )
    assert sent.status_code == 201, sent.json()
    submission = Submission.objects.get(pk=sent.json()["id"])
    assert submission.assignment_link.item_id == item
    detail = lin.get(f"/api/courses/assignments/{assignment['id']}/").json()
    assert detail["my_grade"]["items"][0]["pending"] == 1


def test_bad_input_gets_field_messages():
    prof = api_client_for(teacher_create())
    bad = prof.post("/api/courses/", {"title": "", "code": "!!"}, format="json")
    assert bad.status_code == 400 and set(bad.json()) == {"title", "code"}
    course = course_create(instructor=teacher_create("p2"))
    owner = api_client_for(instructor_of(course))
    no_items = owner.post(
        f"/api/courses/{course.pk}/assignments/",
        {"title": "t", "due_at": "2099-01-01T00:00:00Z", "exercises": ["nope"]},
        format="json",
    )
    assert no_items.status_code == 400 and "exercises" in no_items.json()
    wrong = api_client_for(student_create()).post(
        "/api/courses/join/", {"join_code": "XXXX"}, format="json"
    )
    assert wrong.status_code == 400 and "join_code" in wrong.json()


def test_roster_preview_writes_nothing_and_import_reports_each_row():
    course = course_create()
    client = api_client_for(instructor_of(course))
    text = "username,email,section\nwang,wang@example.com,1班\nbad name,,\n"
    preview = client.post(f"/api/courses/{course.pk}/roster/", {"csv": text}, format="json")
    assert preview.status_code == 200
    assert [r["action"] for r in preview.json()["rows"]] == ["create", "reject"]
    assert not course.enrollments.filter(user__username="wang").exists()
    done = client.post(
        f"/api/courses/{course.pk}/roster/", {"csv": text, "commit": True}, format="json"
    )
    assert (done.json()["created"], done.json()["rejected"]) == (1, 1)
    assert course.enrollments.filter(user__username="wang", section__name="1班").exists()


def test_roles_and_other_courses():
    """Outsiders get 404 for everything of a course; a TA gets the gradebook but may not import
    a roster or create assignments; a student gets neither."""
    course = course_create(code="a")
    other = course_create(code="b")
    ta = api_client_for(member_add(course, "ta", Enrollment.Role.TA))
    lin = api_client_for(member_add(course, "lin"))
    ta_b = api_client_for(member_add(other, "ta-b", Enrollment.Role.TA))
    assert ta.get(f"/api/courses/{course.pk}/gradebook/").status_code == 200
    assert lin.get(f"/api/courses/{course.pk}/gradebook/").status_code == 403
    assert lin.get(f"/api/courses/{course.pk}/members/").status_code == 403
    assert ta_b.get(f"/api/courses/{course.pk}/").status_code == 404
    assert ta_b.get(f"/api/courses/{course.pk}/gradebook/").status_code == 404
    roster = ta.post(f"/api/courses/{course.pk}/roster/", {"csv": "username\nx\n"}, format="json")
    assert roster.status_code == 403
    assert [c["id"] for c in lin.get("/api/courses/").json()] == [course.pk]
    assert lin.get("/api/courses/abc/").status_code == 404


def test_override_comment_reaches_its_student_only_and_exam_mode_withholds_it():
    from tests.courses.factories import assignment_create

    course = course_create()
    lin_user, mei_user = member_add(course, "lin"), member_add(course, "mei")
    ta = api_client_for(member_add(course, "ta", Enrollment.Role.TA))
    lin, mei = api_client_for(lin_user), api_client_for(mei_user)
    plain = assignment_create(course)
    exam = assignment_create(course, exam_mode=True)
    for assignment in (plain, exam):
        item = assignment.items.get()
        put = ta.put(
            f"/api/courses/items/{item.pk}/grades/lin/",
            {"score": 7, "comment": "第二问推导有误"},
            format="json",
        )
        assert put.status_code == 200, put.json()
        assert put.json()["history"][0]["new_score"] == 7
    mine = lin.get(f"/api/courses/assignments/{plain.pk}/").json()["my_grade"]
    assert (mine["total"], mine["items"][0]["comment"]) == (7, "第二问推导有误")
    theirs = mei.get(f"/api/courses/assignments/{plain.pk}/").json()["my_grade"]
    assert (theirs["total"], theirs["items"][0]["comment"]) == (None, "")
    assert mei.get(f"/api/courses/items/{plain.items.get().pk}/grades/lin/").status_code == 403
    withheld = lin.get(f"/api/courses/assignments/{exam.pk}/").json()["my_grade"]
    assert withheld["withheld"] and withheld["items"][0]["comment"] == ""
    prof = api_client_for(instructor_of(course))
    assert (
        ta.post(f"/api/courses/assignments/{exam.pk}/release/", {}, format="json").status_code
        == 403
    )
    assert (
        prof.post(f"/api/courses/assignments/{exam.pk}/release/", {}, format="json").status_code
        == 200
    )
    released = lin.get(f"/api/courses/assignments/{exam.pk}/").json()["my_grade"]
    assert released["total"] == 7 and released["items"][0]["comment"] == "第二问推导有误"
    bad = ta.put(
        f"/api/courses/items/{plain.items.get().pk}/grades/lin/", {"score": 11}, format="json"
    )
    assert bad.status_code == 400 and "score" in bad.json()
