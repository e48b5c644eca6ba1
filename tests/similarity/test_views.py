"""Similarity pages: a course's checks for its instructors and TAs only (nobody of another
course, no student), in Chinese and English, bad input answered with a field message, shared
passages highlighted side by side."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from dlquiz.coding.models import Exercise
from dlquiz.courses.models import Course, Enrollment
from dlquiz.courses.services import enrollment_set
from dlquiz.similarity import services
from dlquiz.similarity.models import SimilarityRun
from tests.coding.factories import student_create
from tests.courses.factories import instructor_of
from tests.similarity.factories import (
    DISGUISED,
    ORIGINAL,
    assignment_setting,
    attention_exercise,
    course_with_students,
    final_submit,
)

pytestmark = pytest.mark.django_db


def client_for(user, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.fixture
def course() -> Course:
    """Course A: lin and wang study it, its assignment sets the exercise."""
    course, _students = course_with_students("dl-a", students=["lin", "wang"])
    assignment_setting(course, attention_exercise())
    return course


@pytest.fixture
def teacher(course) -> User:
    return instructor_of(course)


@pytest.fixture
def finished_run(course) -> SimilarityRun:
    exercise = Exercise.objects.get(slug="attention-copy")
    lin, wang = (User.objects.get(username=name) for name in ("lin", "wang"))
    final_submit(user=lin, exercise=exercise, code=ORIGINAL)
    final_submit(user=wang, exercise=exercise, code=DISGUISED)
    run = SimilarityRun.objects.create(exercise=exercise, course=course)
    services.similarity_run_execute(run_id=run.pk)
    run.refresh_from_db()
    return run


def test_students_see_no_similarity_page(finished_run):
    """A student (even one in the pair) gets 404 on every similarity page; anonymous users are
    sent to log in; starting a check as a student creates nothing."""
    pair = finished_run.pairs.get()
    lin = client_for(pair.submission_a.user)
    for url in (
        "/similarity/",
        f"/similarity/runs/{finished_run.pk}/",
        f"/similarity/pairs/{pair.pk}/",
    ):
        assert lin.get(url).status_code == 404
        assert Client().get(url)["Location"].startswith("/accounts/login/")
    assert lin.post("/similarity/runs/", {"exercise": "attention-copy"}).status_code == 404
    assert SimilarityRun.objects.count() == 1


def test_the_run_page_ranks_pairs_in_both_languages(finished_run, teacher):
    """The finished run lists the pair as suspicious with a link to the side-by-side view, in
    English and in Chinese, and does not ask to be refreshed."""
    pair = finished_run.pairs.get()
    en = client_for(teacher, "en").get(f"/similarity/runs/{finished_run.pk}/")
    assert en.status_code == 200
    html = en.content.decode()
    assert "Most similar pairs" in html and "suspicious" in html
    assert f"/similarity/pairs/{pair.pk}/" in html
    assert "data-refresh-seconds" not in html
    zh = client_for(teacher, "zh-hans").get(f"/similarity/runs/{finished_run.pk}/").content
    assert "最相似" in zh.decode() and "Most similar pairs" not in zh.decode()


def test_a_running_check_asks_to_be_refreshed(course, teacher):
    """While a run is queued or running its page shows progress and refreshes itself."""
    run = SimilarityRun.objects.create(
        exercise=Exercise.objects.get(slug="attention-copy"),
        course=course,
        status=SimilarityRun.Status.RUNNING,
        pairs_total=10,
        pairs_done=4,
    )
    html = client_for(teacher).get(f"/similarity/runs/{run.pk}/").content.decode()
    assert 'data-refresh-seconds="2"' in html
    assert 'value="40"' in html


def test_the_side_by_side_view_marks_the_shared_passages(finished_run, teacher):
    """Both codes appear, escaped, with the shared passages in <mark>."""
    pair = finished_run.pairs.get()
    html = client_for(teacher).get(f"/similarity/pairs/{pair.pk}/").content.decode()
    assert html.count("<mark>") >= 2
    assert "torch.matmul(weights, v)" in html and "torch.matmul(probs, v)" in html
    assert "lin" in html and "wang" in html


def test_starting_a_check_queues_it_and_opens_its_page(
    course, teacher, django_capture_on_commit_callbacks, monkeypatch
):
    """An instructor's POST for their course creates a queued run of that course, sends its task
    after commit and redirects to the run page."""
    sent = []
    # The broker is outside this test (tests/similarity/test_worker.py runs the real one).
    monkeypatch.setattr(services, "similarity_run_enqueue", lambda *, run_id: sent.append(run_id))
    assignment = course.assignments.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(teacher).post(
            "/similarity/runs/",
            {"exercise": "attention-copy", "course": course.pk, "assignment": assignment.pk},
        )
    run = SimilarityRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/similarity/runs/{run.pk}/"
    assert run.status == SimilarityRun.Status.QUEUED and sent == [run.pk]
    assert (run.course, run.assignment) == (course, assignment)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "exercise: this field is required."),
        ({"exercise": "nope", "course": "{course}"}, "no exercise has"),
        ({"exercise": "attention-copy"}, "course: choose the course"),
        ({"exercise": "attention-copy", "course": "x1"}, "course: not a number."),
        ({"exercise": "attention-copy", "course": "{course}", "assignment": "0"}, "assignment:"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(course, teacher, data, message):
    """A missing or unknown exercise, no course, a malformed id or an assignment that is not
    the course's is answered 400 with a field message; nothing is queued."""
    data = {key: value.format(course=course.pk) for key, value in data.items()}
    response = client_for(teacher).post("/similarity/runs/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not SimilarityRun.objects.exists()


def test_the_exercise_list_shows_the_courses_exercises_and_flags_low_signal_ones(course, teacher):
    """The page lists each course the user teaches with the exercises its assignments set; a
    superuser also gets every exercise over every student."""
    from dlquiz.coding.services import exercises_sync

    exercises_sync()
    assignment_setting(course, Exercise.objects.get(slug="conv-output-size"), "算术")
    html = client_for(teacher).get("/similarity/").content.decode()
    assert course.title in html and "attention-copy" in html
    assert "softmax" not in html  # no assignment of the course sets it
    assert "Every student of every course" not in html
    row = html[html.index("conv-output-size") :][:200]
    assert "low signal" in row
    root = User.objects.create_superuser("root", password="pw-root-123456")
    html = client_for(root).get("/similarity/").content.decode()
    assert "Every student of every course" in html and "softmax" in html


def test_a_courses_teaching_assistant_sees_and_starts_its_checks(finished_run, course):
    """A TA of the course (not a site instructor) reads its checks and pairs and starts one;
    the pair page shows both codes without linking pages the TA cannot open."""
    ta = student_create("ta-a")
    enrollment_set(
        course=course, actor=instructor_of(course), user=ta, role=Enrollment.Role.TA, section=None
    )
    pair = finished_run.pairs.get()
    client = client_for(ta)
    assert course.title in client.get("/similarity/").content.decode()
    assert client.get(f"/similarity/runs/{finished_run.pk}/").status_code == 200
    html = client.get(f"/similarity/pairs/{pair.pk}/").content.decode()
    assert "torch.matmul(weights, v)" in html
    assert "/submissions/" not in html
    started = client.post("/similarity/runs/", {"exercise": "attention-copy", "course": course.pk})
    assert started.status_code == 302


def test_another_courses_staff_see_nothing_of_this_courses_checks(finished_run, course):
    """An instructor or TA of course B gets 404 on course A's run and pair (and its students'
    code), does not find them in the list or the admin, and cannot start a check for A."""
    other, _ = course_with_students("dl-b", students=[])
    ta_b = student_create("ta-b")
    enrollment_set(
        course=other, actor=instructor_of(other), user=ta_b, role=Enrollment.Role.TA, section=None
    )
    pair = finished_run.pairs.get()
    for user in (instructor_of(other), ta_b):
        client = client_for(user)
        assert client.get(f"/similarity/runs/{finished_run.pk}/").status_code == 404
        assert client.get(f"/similarity/pairs/{pair.pk}/").status_code == 404
        listing = client.get("/similarity/").content.decode()
        assert f"/similarity/runs/{finished_run.pk}/" not in listing
        assert course.title not in listing
        start = {"exercise": "attention-copy", "course": course.pk}
        assert client.post("/similarity/runs/", start).status_code == 404
    assert SimilarityRun.objects.count() == 1
    admin = client_for(instructor_of(other))
    changelist = admin.get("/admin/similarity/similarityrun/").content.decode()
    assert f"/admin/similarity/similarityrun/{finished_run.pk}/change/" not in changelist
    change = admin.get(f"/admin/similarity/similarityrun/{finished_run.pk}/change/")
    assert change.status_code == 302 and "torch" not in change.content.decode()
    own = client_for(instructor_of(course)).get("/admin/similarity/similarityrun/")
    assert f"/admin/similarity/similarityrun/{finished_run.pk}/change/" in own.content.decode()


def test_a_check_over_every_course_is_for_superusers_only(finished_run):
    """A site instructor teaching a course does not read a check that compared every student."""
    everyone = SimilarityRun.objects.create(
        exercise=finished_run.exercise, status=SimilarityRun.Status.DONE
    )
    teacher = instructor_of(finished_run.course)
    assert client_for(teacher).get(f"/similarity/runs/{everyone.pk}/").status_code == 404
    root = User.objects.create_superuser("root", password="pw-root-123456")
    assert client_for(root).get(f"/similarity/runs/{everyone.pk}/").status_code == 200
    assert client_for(root).get(f"/similarity/runs/{finished_run.pk}/").status_code == 200
