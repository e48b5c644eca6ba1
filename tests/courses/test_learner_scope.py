"""A course's students are their course's business: another course's instructor, though a site
instructor who authors exercises, reads none of their work on the coding pages, the API or the
admin (submissions, exam attempts, reviews, grades sent to an LMS, the grades CSV and the score
histogram). Learners in no course stay visible to every site instructor; a superuser sees all."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from dlquiz.coding.models import Submission
from dlquiz.content.models import Card, Topic
from dlquiz.quiz.models import Question, ReviewLog
from dlquiz.quiz.services import exam_attempt_start
from tests.coding.factories import (
    api_client_for,
    exercise_create,
    graded_submission_create,
    student_create,
    teacher_create,
)
from tests.courses.factories import course_create, exam_create, member_add

pytestmark = pytest.mark.django_db


def passed() -> list[tuple[str, bool, str, float, float, str]]:
    return [("small", False, "passed", 5, 5, ""), ("hidden", True, "passed", 5, 5, "")]


@pytest.fixture
def world() -> dict:
    exercise = exercise_create("softmax")
    prof_a, prof_b = teacher_create("prof-a"), teacher_create("prof-b")
    course_a = course_create(instructor=prof_a, code="a")
    course_b = course_create(instructor=prof_b, code="b")
    ta_a = member_add(course_a, "ta-a", role="ta")
    students = {
        "a": member_add(course_a, "stu-a"),
        "b": member_add(course_b, "stu-b"),
        "free": student_create("free"),
    }
    submissions = {
        name: graded_submission_create(user=user, exercise=exercise, tests=passed())
        for name, user in students.items()
    }
    topic = Topic.objects.create(slug="cnn", name_zh="卷积", name_en="CNN", position=0)
    card = Card.objects.create(topic=topic, question="问题", answer="答", key="c1")
    question = Question.objects.create(
        key="q1", topic=topic, kind="single", prompt="?", choices=["a", "b"], answer={"choice": 0}
    )
    exam = exam_create([question])
    exam.is_published = True
    exam.save()
    for user in students.values():
        exam_attempt_start(user=user, exam=exam)
        ReviewLog.objects.create(user=user, card=card, rating=3, reviewed_at=timezone.now())
    return {
        "exercise": exercise,
        "prof_a": prof_a,
        "prof_b": prof_b,
        "ta_a": ta_a,
        "students": students,
        "submissions": submissions,
    }


def signed_in(user: User) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client


def test_another_courses_students_submissions_are_not_found_by_its_instructor(world):
    own, other, free = (world["submissions"][k] for k in ("a", "b", "free"))
    api = api_client_for(world["prof_a"])
    assert api.get(f"/api/submissions/{own.pk}/").status_code == 200
    assert api.get(f"/api/submissions/{free.pk}/").status_code == 200
    assert api.get(f"/api/submissions/{other.pk}/").status_code == 404
    page = signed_in(world["prof_a"])
    assert page.get(f"/submissions/{own.pk}/").status_code == 200
    assert page.get(f"/submissions/{other.pk}/").status_code == 404
    # And the other way round: course B's instructor reads B's student, not A's.
    api_b = api_client_for(world["prof_b"])
    assert api_b.get(f"/api/submissions/{other.pk}/").status_code == 200
    assert api_b.get(f"/api/submissions/{own.pk}/").status_code == 404


def test_the_admin_lists_and_opens_only_submissions_the_instructor_may_read(world):
    client = signed_in(world["prof_a"])
    listing = client.get("/admin/coding/submission/").content.decode()
    assert "stu-a" in listing and "free" in listing
    assert "stu-b" not in listing
    other = world["submissions"]["b"]
    opened = client.get(f"/admin/coding/submission/{other.pk}/change/")
    assert opened.status_code == 302  # the admin's "does not exist", back to the list
    assert other.code not in client.get(opened["Location"], follow=True).content.decode()
    regrade = client.post(f"/admin/coding/submission/{other.pk}/regrade/")
    assert regrade.status_code == 403
    Submission.objects.get(pk=other.pk, status=Submission.Status.GRADED)
    # Ticking rows of other courses is not possible either: the action sees only the list's rows.
    client.post(
        "/admin/coding/submission/",
        {"action": "regrade_selected", "_selected_action": [other.pk], "post": "yes"},
    )
    assert Submission.objects.get(pk=other.pk).status == Submission.Status.GRADED


@pytest.mark.parametrize(
    "path", ["/admin/quiz/examattempt/", "/admin/quiz/reviewlog/", "/admin/quiz/reviewstate/"]
)
def test_exam_attempts_and_reviews_of_another_course_stay_out_of_the_admin(world, path):
    text = signed_in(world["prof_a"]).get(path).content.decode()
    assert "stu-b" not in text
    if "reviewstate" not in path:  # nobody has a review state here: the list is empty
        assert "stu-a" in text and "free" in text


def test_the_grades_csv_and_the_histogram_count_only_readable_students(world):
    client = signed_in(world["prof_a"])
    body = client.get("/admin/coding/exercise/grades.csv").content.decode("utf-8-sig")
    names = {row[0] for row in csv.reader(io.StringIO(body))}
    assert {"stu-a", "free"} <= names and "stu-b" not in names
    page = client.get(f"/admin/coding/exercise/{world['exercise'].pk}/change/").content.decode()
    assert "2 students with a graded submission." in page
    listing = client.get("/admin/coding/exercise/").content.decode()
    assert '<td class="field-submission_count">2</td>' in listing


def test_a_teaching_assistant_who_is_a_site_instructor_reads_their_course(world):
    ta = world["ta_a"]
    ta.is_staff = True
    ta.save()
    ta.groups.add(*world["prof_a"].groups.all())
    api = api_client_for(ta)
    assert api.get(f"/api/submissions/{world['submissions']['a'].pk}/").status_code == 200
    assert api.get(f"/api/submissions/{world['submissions']['b'].pk}/").status_code == 404


def test_a_superuser_sees_every_course(world):
    root = User.objects.create_superuser("root", password="pw-root-12345")
    listing = signed_in(root).get("/admin/coding/submission/").content.decode()
    assert all(name in listing for name in ("stu-a", "stu-b", "free"))
    api = api_client_for(root)
    assert all(
        api.get(f"/api/submissions/{s.pk}/").status_code == 200
        for s in world["submissions"].values()
    )
