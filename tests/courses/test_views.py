"""The course pages: an instructor runs a course from the browser's forms (Django test client),
in Chinese and English; students and other courses' staff are kept out."""

from __future__ import annotations

import pytest
from django.test import Client

from dlquiz.coding.models import Submission
from dlquiz.courses.models import Assignment, Course, Enrollment, GradeHistory
from tests.coding.factories import (
    PASSWORD,
    SOFTMAX_TORCH,
    exercise_create,
    student_create,
    teacher_create,
)
from tests.courses.factories import assignment_create, course_create, instructor_of, member_add

pytestmark = pytest.mark.django_db


def client_for(user, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_course_workflow_through_the_pages():
    """Create a course, add an assignment with a due date, a student joins and submits, the
    instructor overrides with a comment and the student reads it; the CSV has a BOM."""
    softmax = exercise_create("softmax")
    prof = client_for(teacher_create())
    made = prof.post("/courses/", {"create": "1", "title": "深度学习", "code": "dl"})
    assert made.status_code == 302
    course = Course.objects.get(code="dl")
    page = prof.get(f"/courses/{course.pk}/")
    assert course.join_code in page.content.decode()
    new = prof.post(
        f"/courses/{course.pk}/assignments/new/",
        {
            "title": "作业一",
            "due_at": "2099-03-01T23:59",
            "exercises": [softmax.pk],
            "exam_variants": "same",
            "points": "10",
            "max_attempts": "3",
            "late_policy": "penalty",
            "late_penalty_percent": "10",
            "score_policy": "best",
            "is_published": "on",
        },
    )
    assert new.status_code == 302, new.content.decode()[:2000]
    assignment = Assignment.objects.get()
    item = assignment.items.get()
    lin_user = student_create("lin")
    lin = client_for(lin_user, "zh-hans")
    joined = lin.post("/courses/", {"join": "1", "join_code": course.join_code})
    assert joined.status_code == 302
    sent = lin.post(
        f"/courses/assignments/{assignment.pk}/",
        {
            "item": str(item.pk),
            f"item{item.pk}-framework": "torch",
            f"item{item.pk}-code": SOFTMAX_TORCH,
        },
    )
    assert sent.status_code == 302
    submission = Submission.objects.get(user=lin_user)
    assert submission.assignment_link.item == item
    Submission.objects.filter(pk=submission.pk).update(status="graded", score=6)
    saved = prof.post(
        f"/courses/items/{item.pk}/grades/lin/",
        {"override": "1", "score": "9.5", "comment": "思路清晰，补分"},
    )
    assert saved.status_code == 302
    mine = lin.get(f"/courses/assignments/{assignment.pk}/").content.decode()
    assert "思路清晰，补分" in mine and "9.5" in mine
    assert "截止" in mine or "到期" in mine  # the page is in Chinese
    book = prof.get(f"/courses/{course.pk}/gradebook/").content.decode()
    assert "9.5" in book
    csv = prof.get(f"/courses/{course.pk}/gradebook.csv")
    assert csv["Content-Type"].startswith("text/csv")
    assert csv.content.startswith("\ufeffusername".encode())
    confirm = prof.get(f"/courses/assignments/{assignment.pk}/regrade/")
    assert "1 submission" in confirm.content.decode()
    assert Submission.objects.get().status == "graded"  # asking changed nothing
    prof.post(f"/courses/assignments/{assignment.pk}/regrade/")
    assert Submission.objects.get().status == "queued"
    assert GradeHistory.objects.filter(reason="regrade", old_score=6).exists()


def test_roster_upload_previews_then_imports():
    course = course_create()
    prof = client_for(instructor_of(course))
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        "roster.csv", "\ufeff用户名,姓名,班级\nwang,王 五,1班\n,,\n坏 名字,,\n".encode(), "text/csv"
    )
    preview = prof.post(f"/courses/{course.pk}/roster/", {"file": upload})
    text = preview.content.decode()
    assert "rejected" in text and "wang" in text
    assert not course.enrollments.filter(user__username="wang").exists()
    pending = text.split('name="csv_text" value="')[1].split('"')[0]
    import html

    done = prof.post(f"/courses/{course.pk}/roster/", {"csv_text": html.unescape(pending)})
    assert "Import report" in done.content.decode()
    assert course.enrollments.filter(user__username="wang", section__name="1班").exists()


def test_a_latin1_roster_is_refused_with_a_message():
    course = course_create()
    prof = client_for(instructor_of(course))
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("r.csv", "username\nlí\n".encode("latin-1"), "text/csv")
    page = prof.post(f"/courses/{course.pk}/roster/", {"file": upload})
    assert "UTF-8" in page.content.decode()


def test_students_and_other_courses_staff_are_kept_out():
    course = course_create(code="a")
    other = course_create(code="b")
    ta_b = client_for(member_add(other, "ta-b", Enrollment.Role.TA))
    lin = client_for(member_add(course, "lin"))
    ta = client_for(member_add(course, "ta", Enrollment.Role.TA))
    assignment = assignment_create(course)
    item = assignment.items.get()
    for url in (
        f"/courses/{course.pk}/",
        f"/courses/{course.pk}/gradebook/",
        f"/courses/assignments/{assignment.pk}/",
        f"/courses/items/{item.pk}/grades/lin/",
    ):
        assert ta_b.get(url).status_code == 404, url
    assert lin.get(f"/courses/{course.pk}/gradebook/").status_code == 403
    assert lin.get(f"/courses/{course.pk}/gradebook.csv").status_code == 403
    assert lin.get(f"/courses/items/{item.pk}/grades/lin/").status_code == 403
    assert ta.get(f"/courses/{course.pk}/gradebook/").status_code == 200
    assert ta.get(f"/courses/{course.pk}/roster/").status_code == 403
    assert ta.get(f"/courses/{course.pk}/assignments/new/").status_code == 403


def test_bad_assignment_form_keeps_the_input_and_names_the_field():
    course = course_create()
    prof = client_for(instructor_of(course))
    page = prof.post(
        f"/courses/{course.pk}/assignments/new/",
        {
            "title": "留着",
            "due_at": "not a date",
            "exam_variants": "same",
            "points": "10",
            "max_attempts": "0",
            "late_policy": "penalty",
            "late_penalty_percent": "10",
            "score_policy": "best",
        },
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert 'value="留着"' in text and "errorlist" in text
    assert 'type="datetime-local"' in text and 'type="checkbox"' in text or "exercises" in text
