"""Access rules of the course routes for the matrix in test_access_matrix.py. Roles there: `a`
is a student of course A, `b` a student of course B only (an outsider to A), `instructor` the
instructor of course A. Course A's rows are made on first use, through the services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from dlquiz.courses import services
from dlquiz.courses.models import Assignment, AssignmentItem, Course
from tests.coding.factories import teacher_create

LOGIN = "login"


@dataclass
class CourseWorld:
    course: Course
    other: Course
    assignment: Assignment
    exam_mode: Assignment
    item: AssignmentItem


def course_world(world: Any) -> CourseWorld:
    cached = getattr(world, "_courses", None)
    if cached is not None:
        return cached
    course = services.course_create(user=world.instructor, title="课程 A", code="sec-a")
    other = services.course_create(user=teacher_create("prof-b"), title="课程 B", code="sec-b")
    services.course_join(user=world.student_a, join_code=course.join_code)
    services.course_join(user=world.student_b, join_code=other.join_code)
    data = services.AssignmentInput(
        title="作业",
        due_at=timezone.now() + timedelta(days=7),
        exercises=[world.exercise],
        is_published=True,
    )
    assignment = services.assignment_create(course=course, actor=world.instructor, data=data)
    data.exam_mode = True
    exam_mode = services.assignment_create(course=course, actor=world.instructor, data=data)
    item = assignment.items.get()
    services.grade_override_set(
        item=item, actor=world.instructor, user=world.student_a, score=5, comment="A 的评语"
    )
    cached = CourseWorld(
        course=course, other=other, assignment=assignment, exam_mode=exam_mode, item=item
    )
    world._courses = cached
    return cached


def member(status: object = 200, *, student: object = 403) -> dict[str, object]:
    """Course A's staff route: its student gets `student`, an outsider 404."""
    return {"anon": 401, "a": student, "b": 404, "instructor": status}


def page(status: object = 200, *, student: object = 403) -> dict[str, object]:
    return {"anon": LOGIN, "a": student, "b": 404, "instructor": status}


def api_rules(rule: Any) -> list:
    c = course_world
    return [
        rule(
            "GET", "api/courses/", lambda w: "/api/courses/", member(200, student=200) | {"b": 200}
        ),
        rule(
            "POST",
            "api/courses/",
            lambda w: "/api/courses/",
            {"anon": 401, "a": 403, "b": 403, "instructor": 201},
            lambda w: {"title": "新课程", "code": "sec-new"},
        ),
        rule(
            "POST",
            "api/courses/join/",
            lambda w: "/api/courses/join/",
            {"anon": 401, "a": 200, "b": 200, "instructor": 200},
            lambda w: {"join_code": c(w).course.join_code},
        ),
        rule(
            "GET",
            "api/courses/<str:course_id>/",
            lambda w: f"/api/courses/{c(w).course.pk}/",
            member(200, student=200),
        ),
        rule(
            "GET",
            "api/courses/<str:course_id>/",
            lambda w: f"/api/courses/{c(w).other.pk}/",
            {"anon": 401, "a": 404, "b": 200, "instructor": 404},
        ),
        rule(
            "GET",
            "api/courses/<str:course_id>/members/",
            lambda w: f"/api/courses/{c(w).course.pk}/members/",
            member(),
        ),
        rule(
            "POST",
            "api/courses/<str:course_id>/members/",
            lambda w: f"/api/courses/{c(w).course.pk}/members/",
            member(),
            lambda w: {"username": w.student_b.username, "role": "student"},
        ),
        rule(
            "POST",
            "api/courses/<str:course_id>/sections/",
            lambda w: f"/api/courses/{c(w).course.pk}/sections/",
            member(201),
            lambda w: {"name": "1班"},
        ),
        rule(
            "POST",
            "api/courses/<str:course_id>/roster/",
            lambda w: f"/api/courses/{c(w).course.pk}/roster/",
            member(),
            lambda w: {"csv": "username\nnew-student\n"},
        ),
        rule(
            "GET",
            "api/courses/<str:course_id>/assignments/",
            lambda w: f"/api/courses/{c(w).course.pk}/assignments/",
            member(200, student=200),
        ),
        rule(
            "POST",
            "api/courses/<str:course_id>/assignments/",
            lambda w: f"/api/courses/{c(w).course.pk}/assignments/",
            member(201),
            lambda w: {
                "title": "作业二",
                "due_at": "2099-01-01T00:00:00Z",
                "exercises": [w.exercise.slug],
            },
        ),
        rule(
            "GET",
            "api/courses/<str:course_id>/gradebook/",
            lambda w: f"/api/courses/{c(w).course.pk}/gradebook/",
            member(),
        ),
        rule(
            "GET",
            "api/courses/assignments/<str:assignment_id>/",
            lambda w: f"/api/courses/assignments/{c(w).assignment.pk}/",
            member(200, student=200),
        ),
        rule(
            "POST",
            "api/courses/assignments/<str:assignment_id>/submissions/",
            lambda w: f"/api/courses/assignments/{c(w).assignment.pk}/submissions/",
            # Staff do not hand in work; an outsider does not see the assignment.
            member(403, student=201),
            lambda w: {
                "item": c(w).item.pk,
                "framework": "torch",
                "code": "def softmax(x, dim=-1):\n  return x\n",
            },
        ),
        rule(
            "POST",
            "api/courses/assignments/<str:assignment_id>/exam/",
            lambda w: f"/api/courses/assignments/{c(w).assignment.pk}/exam/",
            member(400, student=400),
            lambda w: {"item": c(w).item.pk},
        ),
        rule(
            "POST",
            "api/courses/assignments/<str:assignment_id>/extensions/",
            lambda w: f"/api/courses/assignments/{c(w).assignment.pk}/extensions/",
            member(),
            lambda w: {"username": w.student_a.username, "due_at": "2099-01-01T00:00:00Z"},
        ),
        rule(
            "POST",
            "api/courses/assignments/<str:assignment_id>/release/",
            lambda w: f"/api/courses/assignments/{c(w).exam_mode.pk}/release/",
            member(),
            lambda w: {"released": True},
        ),
        rule(
            "POST",
            "api/courses/assignments/<str:assignment_id>/regrade/",
            lambda w: f"/api/courses/assignments/{c(w).assignment.pk}/regrade/",
            member(202),
            lambda w: {},
        ),
        rule(
            "GET",
            "api/courses/items/<str:item_id>/grades/<str:username>/",
            lambda w: f"/api/courses/items/{c(w).item.pk}/grades/{w.student_a.username}/",
            member(),
        ),
        rule(
            "PUT",
            "api/courses/items/<str:item_id>/grades/<str:username>/",
            lambda w: f"/api/courses/items/{c(w).item.pk}/grades/{w.student_a.username}/",
            member(),
            lambda w: {"score": 6, "comment": "改"},
        ),
        rule(
            "DELETE",
            "api/courses/items/<str:item_id>/grades/<str:username>/",
            lambda w: f"/api/courses/items/{c(w).item.pk}/grades/{w.student_a.username}/",
            member(),
        ),
    ]


def web_rules(rule: Any) -> list:
    c = course_world
    return [
        rule("GET", "courses/", lambda w: "/courses/", page(200, student=200) | {"b": 200}),
        rule(
            "GET",
            "courses/<int:course_id>/",
            lambda w: f"/courses/{c(w).course.pk}/",
            page(200, student=200),
        ),
        rule(
            "GET",
            "courses/<int:course_id>/roster/",
            lambda w: f"/courses/{c(w).course.pk}/roster/",
            page(),
        ),
        rule(
            "GET",
            "courses/<int:course_id>/assignments/new/",
            lambda w: f"/courses/{c(w).course.pk}/assignments/new/",
            page(),
        ),
        rule(
            "GET",
            "courses/<int:course_id>/gradebook/",
            lambda w: f"/courses/{c(w).course.pk}/gradebook/",
            page(),
        ),
        rule(
            "GET",
            "courses/<int:course_id>/gradebook.csv",
            lambda w: f"/courses/{c(w).course.pk}/gradebook.csv",
            page(),
        ),
        rule(
            "GET",
            "courses/assignments/<int:assignment_id>/",
            lambda w: f"/courses/assignments/{c(w).assignment.pk}/",
            page(200, student=200),
        ),
        rule(
            "GET",
            "courses/assignments/<int:assignment_id>/regrade/",
            lambda w: f"/courses/assignments/{c(w).assignment.pk}/regrade/",
            page(),
        ),
        rule(
            "GET",
            "courses/items/<int:item_id>/grades/<str:username>/",
            lambda w: f"/courses/items/{c(w).item.pk}/grades/{w.student_a.username}/",
            page(),
        ),
    ]
