"""Exam mode over every way a student reads a result: a submission or exam attempt made for an
exam-mode assignment shows its student that it was received and graded (and the visible sample
tests), never its score, verdict, hidden tests, diagnosis, marks or answers, until the
instructor releases the results. The course's staff see everything all along.

Matrix: surface x phase (before / after the release) for the student, and the surfaces a
teacher can open, with what each must and must not show."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from dlquiz.coding.models import GradedTest, Submission
from dlquiz.courses import selectors, services
from dlquiz.courses.models import Assignment, Enrollment
from dlquiz.quiz.models import ExamAttempt, Question
from tests.coding.factories import (
    api_client_for,
    exercise_create,
    graded_submission_create,
    teacher_create,
)
from tests.courses.factories import (
    assignment_create,
    course_create,
    exam_create,
    instructor_of,
    member_add,
)

pytestmark = pytest.mark.django_db

# Distinctive values: none of them appears on a page unless the result itself is shown.
SCORE = 7.25
# The score as a number of its own: a timestamp's "37.251319" must not count as showing it.
SCORE_SHOWN = re.compile(r"(?<![\d.])7\.25(?!\d)")
VERDICT = "wrong_answer"
VISIBLE = "small"  # the exercise's sample, as exercise_create names it


@dataclass
class ExamWorld:
    student: User
    instructor: User
    ta: User
    outsider: User  # a site instructor who does not teach this course
    assignment: Assignment
    submission: Submission
    practice: Submission  # the same student's practice, outside any assignment, before it
    hidden_name: str
    hidden_message: str
    diagnosis: str


def grade_as_the_worker(submission: Submission, *, hidden_name: str, message: str, note: str):
    """What a grading writes: a visible sample passed, a hidden test failed, a diagnosis."""
    GradedTest.objects.create(
        submission=submission, position=0, name=VISIBLE, hidden=False, status="passed",
        score=2.25, max_score=2.25, time_ms=0.4, message="",
    )  # fmt: skip
    GradedTest.objects.create(
        submission=submission, position=1, name=hidden_name, hidden=True, status=VERDICT,
        score=5.0, max_score=7.75, time_ms=3.5, time_limit_ms=100, message=message,
    )  # fmt: skip
    Submission.objects.filter(pk=submission.pk).update(
        status=Submission.Status.GRADED,
        verdict=VERDICT,
        score=SCORE,
        max_score=10,
        message="",
        diagnosis={"mistake": "no-max-shift", "en": note, "zh": note},
        graded_at=timezone.now(),
    )
    submission.refresh_from_db()
    return submission


@pytest.fixture
def world(settings) -> ExamWorld:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    exercise = exercise_create("softmax")
    course = course_create()
    student = member_add(course, "lin")
    ta = member_add(course, "ta-lin", Enrollment.Role.TA)
    assignment = assignment_create(course, exercises=[exercise], exam_mode=True)
    item = assignment.items.get()
    submission = services.assignment_submit(
        user=student, item=item, framework="torch", code="def softmax(x, dim=-1):\n  return x\n"
    )
    tag = uuid.uuid4().hex[:10]
    hidden_name, message, note = f"hidden-{tag}", f"HIDDEN-MSG-{tag}", f"DIAGNOSIS-{tag}"
    grade_as_the_worker(submission, hidden_name=hidden_name, message=message, note=note)
    # Practised before the exam-mode assignment existed: its result was never the exam's secret.
    practice = graded_submission_create(
        user=student,
        exercise=exercise,
        tests=[(VISIBLE, False, "passed", 3.5, 10, "")],
        created_at=assignment.created_at - timedelta(days=1),
    )
    return ExamWorld(
        student=student,
        instructor=instructor_of(course),
        ta=ta,
        outsider=teacher_create("prof-elsewhere"),
        assignment=assignment,
        submission=submission,
        practice=practice,
        hidden_name=hidden_name,
        hidden_message=message,
        diagnosis=note,
    )


def release(world: ExamWorld) -> None:
    services.assignment_release(assignment=world.assignment, actor=world.instructor)


def session(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


# --- surfaces ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Surface:
    name: str
    url: Callable[[ExamWorld], str]
    api: bool = False
    # Whether the surface lists tests (then a shown result includes the hidden test's name).
    tests: bool = False


SURFACES = [
    Surface("api detail", lambda w: f"/api/submissions/{w.submission.pk}/", api=True, tests=True),
    Surface("api list", lambda w: "/api/submissions/", api=True),
    Surface("api list of the exercise", lambda w: "/api/submissions/?exercise=softmax", api=True),
    Surface("exercise page", lambda w: "/exercises/softmax/"),
    Surface("result fragment", lambda w: f"/submissions/{w.submission.pk}/result/", tests=True),
    Surface("submission page", lambda w: f"/submissions/{w.submission.pk}/", tests=True),
    Surface("submissions page", lambda w: "/submissions/"),
    Surface("dashboard", lambda w: "/dashboard/"),
    Surface("exercise list", lambda w: "/exercises/"),
]


def fetch(world: ExamWorld, surface: Surface, user: User) -> str:
    if surface.api:
        response = api_client_for(user).get(surface.url(world))
    else:
        response = session(user).get(surface.url(world))
    assert response.status_code == 200, (surface.name, response.status_code)
    return response.content.decode()


def api_rows(world: ExamWorld, body: str) -> list[dict]:
    payload = json.loads(body)
    rows = payload if isinstance(payload, list) else payload.get("results", [payload])
    return [row for row in rows if row["id"] == world.submission.pk]


def assert_withheld(world: ExamWorld, surface: Surface, body: str) -> None:
    where = f"{surface.name} leaks"
    for secret in (world.hidden_name, world.hidden_message, world.diagnosis, VERDICT):
        assert secret not in body, f"{where} {secret!r}"
    if surface.api:
        (row,) = api_rows(world, body)
        assert row["score"] is None and row["verdict"] is None, where
        assert row["withheld"] is True and row["status"] == "graded", where
        if surface.tests:
            assert [t["name"] for t in row["tests"]] == [VISIBLE], where
            assert row["diagnosis"] is None and row["message"] == "", where
    else:
        assert not SCORE_SHOWN.search(body), f"{where} the score"
        if surface.name != "exercise list":  # the list says only: attempted
            assert 'data-role="withheld"' in body, f"{surface.name} says nothing is hidden"


def assert_shown(world: ExamWorld, surface: Surface, body: str) -> None:
    if surface.api:
        (row,) = api_rows(world, body)
        assert (row["score"], row["verdict"], row["withheld"]) == (SCORE, VERDICT, False)
        if surface.tests:
            assert [t["name"] for t in row["tests"]] == [VISIBLE, world.hidden_name]
            assert row["diagnosis"]["message"] == world.diagnosis
    else:
        assert SCORE_SHOWN.search(body), f"{surface.name} hides the released score"
        assert 'data-role="withheld"' not in body, surface.name
        if surface.tests:
            assert world.hidden_name in body and world.diagnosis in body, surface.name


@pytest.mark.parametrize("surface", SURFACES, ids=[s.name for s in SURFACES])
def test_a_student_sees_received_and_graded_but_no_result_before_the_release(world, surface):
    assert_withheld(world, surface, fetch(world, surface, world.student))


@pytest.mark.parametrize("surface", SURFACES, ids=[s.name for s in SURFACES])
def test_after_the_release_the_student_sees_everything(world, surface):
    release(world)
    assert_shown(world, surface, fetch(world, surface, world.student))


def test_hiding_the_results_again_withholds_them_again(world):
    release(world)
    services.assignment_release(assignment=world.assignment, actor=world.instructor, released=False)
    surface = SURFACES[0]
    assert_withheld(world, surface, fetch(world, surface, world.student))


TEACHER_SURFACES = [s for s in SURFACES if s.tests]


@pytest.mark.parametrize("surface", TEACHER_SURFACES, ids=[s.name for s in TEACHER_SURFACES])
def test_the_courses_instructor_sees_everything_before_the_release(world, surface):
    body = fetch(world, surface, world.instructor)
    assert_shown(world, surface, body)
    if not surface.api:
        assert world.hidden_message in body  # instructors read hidden-test messages too


def test_who_is_withheld_from(world):
    """The one selector the coding and quiz apps ask: the course's instructor and TA see the
    result, the student and a site instructor of another course do not, until released."""
    ids = [world.submission.pk, world.practice.pk]

    def withheld_for(user: User) -> set[int]:
        return selectors.submission_results_withheld(viewer=user, submission_ids=ids)

    assert withheld_for(world.student) == {world.submission.pk}
    assert withheld_for(world.outsider) == {world.submission.pk}
    assert withheld_for(world.instructor) == set() and withheld_for(world.ta) == set()
    release(world)
    assert withheld_for(world.student) == set()


def test_practice_before_the_exam_is_not_withheld(world):
    """What a student practised before the exam-mode assignment existed stays theirs to see."""
    body = api_client_for(world.student).get(f"/api/submissions/{world.practice.pk}/").json()
    assert (body["score"], body["withheld"]) == (3.5, False)


def test_practice_on_an_exam_exercise_during_the_exam_is_withheld(world):
    """Practising the exam's exercise outside the assignment would show its hidden tests'
    results before the release: that practice waits for the release too, for its student only;
    "Run samples" (visible tests) still answers at once."""
    exercise = world.submission.exercise
    during = graded_submission_create(
        user=world.student, exercise=exercise, tests=[(VISIBLE, False, "passed", 6.5, 10, "")]
    )
    samples = graded_submission_create(
        user=world.student,
        exercise=exercise,
        tests=[(VISIBLE, False, "passed", 2.0, 2, "")],
        kind=Submission.Kind.SAMPLES,
    )
    client = api_client_for(world.student)
    body = client.get(f"/api/submissions/{during.pk}/").json()
    assert (body["score"], body["withheld"]) == (None, True)
    assert client.get(f"/api/submissions/{samples.pk}/").json()["withheld"] is False
    ids = [during.pk, samples.pk]
    assert selectors.submission_results_withheld(viewer=world.instructor, submission_ids=ids) == (
        set()
    )
    release(world)
    body = client.get(f"/api/submissions/{during.pk}/").json()
    assert (body["score"], body["withheld"]) == (6.5, False)


def test_a_withheld_submission_unlocks_no_hint_and_counts_in_no_mastery(world):
    """A hint unlocked by a failed submission or a mastery bar would tell the result."""
    from dlquiz.coding import selectors as coding_selectors
    from dlquiz.coding.models import ExerciseHint
    from dlquiz.quiz import selectors as quiz_selectors

    exercise = world.submission.exercise
    ExerciseHint.objects.create(exercise=exercise, position=0, text="提示", text_en="Hint")
    hints = coding_selectors.exercise_hints_unlocked(user=world.student, exercise=exercise)
    assert hints["failed"] == 0
    progress = coding_selectors.exercise_progress_list(user=world.student)
    row = next(p for p in progress if p.exercise == exercise)
    assert (row.best_score, row.submissions) == (3.5, 2)  # the practice run's score only
    topic = quiz_selectors.exercise_topics()["softmax"]
    assert quiz_selectors.exercise_scores_by_topic(user=world.student) == {topic: 0.35}
    release(world)
    assert quiz_selectors.exercise_scores_by_topic(user=world.student) == {topic: 0.725}
    hints = coding_selectors.exercise_hints_unlocked(user=world.student, exercise=exercise)
    assert hints["failed"] == 1
    progress = coding_selectors.exercise_progress_list(user=world.student)
    assert next(p for p in progress if p.exercise == exercise).best_score == SCORE


# --- exam attempts of an exam-mode assignment -------------------------------------------------


@pytest.fixture
def exam_world(questions: list[Question], settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    course = course_create()
    student = member_add(course, "mei")
    assignment = assignment_create(course, exam=exam_create(questions[:2]), exam_mode=True)
    attempt = services.assignment_exam_start(user=student, item=assignment.items.get())
    client = api_client_for(student)
    url = f"/api/exams/attempts/{attempt.pk}/"
    first = attempt.items.get(position=1)
    saved = client.put(f"{url}answers/1/", {"answer": first.expected["choice"]}, format="json")
    assert saved.status_code == 200
    finished = client.post(f"{url}finish/", {}, format="json")
    assert finished.status_code == 200
    return course, assignment, student, ExamAttempt.objects.get(pk=attempt.pk), finished.json()


def test_an_exam_mode_exam_shows_no_score_marks_or_answers_until_released(exam_world):
    course, assignment, student, attempt, finished = exam_world
    assert attempt.status == ExamAttempt.Status.GRADED and attempt.score == 1
    secret_explanations = ["because b", "a and c"]
    assert finished["withheld"] is True and finished["score"] is None
    items = finished["items"]
    assert items and not {"expected", "explanation"} & {key for i in items for key in i}
    assert all(item.get("is_correct") is None for item in items)
    api = api_client_for(student).get(f"/api/exams/attempts/{attempt.pk}/").json()
    assert api["score"] is None and api["withheld"] is True
    web = session(student)
    page = web.get(f"/exams/attempts/{attempt.pk}/").content.decode()
    assert 'data-role="withheld"' in page and 'id="score"' not in page
    for url in (f"/exams/attempts/{attempt.pk}/", "/exams/", "/dashboard/"):
        body = web.get(url).content.decode()
        assert "1 / 2" not in body, url
        for explanation in secret_explanations:
            assert explanation not in body, url

    services.assignment_release(assignment=assignment, actor=instructor_of(course))
    api = api_client_for(student).get(f"/api/exams/attempts/{attempt.pk}/").json()
    assert (api["score"], api["withheld"]) == (1, False)
    assert {i["position"]: i["is_correct"] for i in api["items"]} == {1: True, 2: False}
    page = web.get(f"/exams/attempts/{attempt.pk}/").content.decode()
    assert 'id="score"' in page and "a and c" in page
    assert "1 / 2" in web.get("/exams/").content.decode()
    assert "1 / 2" in web.get("/dashboard/").content.decode()


def test_an_exam_mode_exam_queues_its_wrong_answers_for_review_only_when_released(exam_world):
    """A card due at once after the exam would tell which answer was wrong: the wrong answers'
    cards join the review queue at the release, not at grading."""
    from dlquiz.quiz.models import ReviewState

    course, assignment, student, attempt, _ = exam_world
    wrong = attempt.items.get(position=2).question.cards.all()
    assert wrong and not ReviewState.objects.filter(user=student).exists()
    services.assignment_release(assignment=assignment, actor=instructor_of(course))
    due = ReviewState.objects.filter(user=student, due__lte=timezone.now())
    assert set(due.values_list("card_id", flat=True)) == {card.pk for card in wrong}
