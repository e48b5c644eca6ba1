"""Rows for course tests, built through the services the product uses."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import User
from django.utils import timezone

from dlquiz.coding.models import Exercise
from dlquiz.courses import services
from dlquiz.courses.models import Assignment, Course, Enrollment
from dlquiz.quiz.models import Exam, ExamQuestion, Question
from tests.coding.factories import exercise_create, student_create, teacher_create


def course_create(*, instructor: User | None = None, code: str = "dl-2026") -> Course:
    instructor = instructor or teacher_create(f"prof-{code}")
    return services.course_create(user=instructor, title=f"深度学习 {code}", code=code)


def instructor_of(course: Course) -> User:
    return course.enrollments.get(role=Enrollment.Role.INSTRUCTOR).user


def member_add(course: Course, username: str, role: str = Enrollment.Role.STUDENT) -> User:
    user = student_create(username)
    services.enrollment_set(
        course=course, actor=instructor_of(course), user=user, role=role, section=None
    )
    return user


def assignment_create(
    course: Course,
    *,
    exercises: list[Exercise] | None = None,
    exam: Exam | None = None,
    due_in: timedelta = timedelta(days=7),
    **options: object,
) -> Assignment:
    if exercises is None and exam is None:
        exercises = [Exercise.objects.filter(slug="softmax").first() or exercise_create("softmax")]
    data = services.AssignmentInput(
        title="作业一",
        due_at=timezone.now() + due_in,
        exercises=exercises or [],
        exam=exam,
        is_published=True,
    )
    for name, value in options.items():
        setattr(data, name, value)
    return services.assignment_create(course=course, actor=instructor_of(course), data=data)


def exam_create(questions: list[Question]) -> Exam:
    exam = Exam.objects.create(title="期中", time_limit_minutes=30)
    for position, question in enumerate(questions):
        ExamQuestion.objects.create(exam=exam, question=question, position=position)
    return exam
