"""Code written the way students write it: one solution, a copy of it with names changed and
comments added, and an independent solution of the same exercise; and the courses whose
students hand it in."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import User
from django.utils import timezone

from dlquiz.coding.models import Exercise, Submission
from dlquiz.courses import services
from dlquiz.courses.models import Assignment, AssignmentSubmission, Course, Enrollment
from tests.coding.factories import graded_submission_create, student_create, teacher_create

STARTER = '''import torch


def attention(q, k, v, mask=None):
    """Scaled dot-product attention: softmax(q k^T / sqrt(d)) v, masked where mask is False."""
    raise NotImplementedError
'''

ORIGINAL = '''import torch


def attention(q, k, v, mask=None):
    """Scaled dot-product attention: softmax(q k^T / sqrt(d)) v, masked where mask is False."""
    scale = q.shape[-1] ** -0.5
    scores = torch.matmul(q, k.transpose(-2, -1)) * scale
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    scores = scores - scores.amax(dim=-1, keepdim=True).clamp_min(-3e38)
    weights = torch.exp(scores)
    weights = weights / weights.sum(dim=-1, keepdim=True).clamp_min(1e-30)
    output = torch.matmul(weights, v)
    return output
'''

# ORIGINAL with every local renamed and a comment added: the same token stream once filtered.
DISGUISED = '''import torch


def attention(q, k, v, mask=None):
    """Scaled dot-product attention: softmax(q k^T / sqrt(d)) v, masked where mask is False."""
    # my own implementation
    factor = q.shape[-1] ** -0.5
    logits = torch.matmul(q, k.transpose(-2, -1)) * factor
    if mask is not None:
        logits = logits.masked_fill(~mask, float("-inf"))
    logits = logits - logits.amax(dim=-1, keepdim=True).clamp_min(-3e38)
    probs = torch.exp(logits)
    probs = probs / probs.sum(dim=-1, keepdim=True).clamp_min(1e-30)
    result = torch.matmul(probs, v)
    return result
'''

INDEPENDENT = '''import torch


def attention(q, k, v, mask=None):
    """Scaled dot-product attention: softmax(q k^T / sqrt(d)) v, masked where mask is False."""
    d = q.size(-1)
    att = q @ k.mT / d**0.5
    if mask is not None:
        att = torch.where(mask, att, torch.full_like(att, -1e30))
    att = att.softmax(dim=-1) if False else torch.nn.functional.normalize(att.exp(), p=1, dim=-1)
    return att @ v
'''

PASSED = [("small", False, "passed", 10.0, 10.0, "")]


def attention_exercise(slug: str = "attention-copy") -> Exercise:
    return Exercise.objects.create(
        slug=slug,
        title="注意力",
        title_en="Attention",
        statement="实现注意力。",
        statement_en="Implement attention.",
        frameworks=["torch"],
        starter_code={"torch": STARTER},
        samples=[],
        max_score=10,
    )


def final_submit(*, user: User, exercise: Exercise, code: str) -> Submission:
    return graded_submission_create(user=user, exercise=exercise, tests=PASSED, code=code)


def course_with_students(
    code: str, *, students: list[str], instructor: User | None = None
) -> tuple[Course, list[User]]:
    """A course taught by `instructor` (a new site instructor when None), its students enrolled
    through the courses services (a username already taken is the existing user)."""
    instructor = instructor or teacher_create(f"prof-{code}")
    course = services.course_create(user=instructor, title=f"Course {code}", code=code)
    users = []
    for username in students:
        user = User.objects.filter(username=username).first() or student_create(username)
        services.enrollment_set(
            course=course, actor=instructor, user=user, role=Enrollment.Role.STUDENT, section=None
        )
        users.append(user)
    return course, users


def assignment_setting(course: Course, exercise: Exercise, title: str = "作业") -> Assignment:
    teacher = course.enrollments.filter(role=Enrollment.Role.INSTRUCTOR).first()
    assert teacher is not None
    data = services.AssignmentInput(
        title=title,
        due_at=timezone.now() + timedelta(days=7),
        exercises=[exercise],
        is_published=True,
    )
    return services.assignment_create(course=course, actor=teacher.user, data=data)


def handed_in(assignment: Assignment, submission: Submission) -> Submission:
    """The link a submission made through the assignment carries (see assignment_submit)."""
    item = assignment.items.get(exercise_id=submission.exercise_id)
    AssignmentSubmission.objects.create(item=item, submission=submission)
    return submission
