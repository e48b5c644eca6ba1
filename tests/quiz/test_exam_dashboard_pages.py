"""Exam and dashboard pages as a student uses them: "all topics" is a choice, the timer and the
unanswered-question warning are on the attempt page, the dashboard lists real submissions only,
each a link with its verdict."""

import pytest

from dlquiz.coding.models import Submission
from dlquiz.quiz.models import ExamAttempt
from tests.coding.factories import exercise_create, graded_submission_create


@pytest.fixture
def logged_in(client, student):
    client.force_login(student)
    return client


def test_all_topics_is_the_default_choice_and_starts_an_exam_over_every_topic(
    logged_in, student, questions
):
    page = logged_in.get("/exams/new/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'name="all_topics" value="1" id="all-topics" checked' in page
    assert "All topics" in page
    picked = logged_in.get("/exams/new/?topic=cnn").content.decode()
    assert 'id="all-topics" checked' not in picked
    response = logged_in.post(
        "/exams/new/", {"all_topics": "1", "count": "3", "time_limit_minutes": "10"}
    )
    assert response.status_code == 302
    attempt = ExamAttempt.objects.get(user=student)
    assert attempt.items.count() == 3


def test_no_topic_and_no_all_topics_is_still_a_field_error(logged_in, questions):
    response = logged_in.post("/exams/new/", {"count": "3", "time_limit_minutes": "10"})
    assert response.status_code == 400
    assert 'id="error-topics"' in response.content.decode()


def test_the_attempt_page_has_a_sticky_timer_and_the_unanswered_warning(logged_in, questions):
    logged_in.post("/exams/new/", {"all_topics": "1", "count": "2", "time_limit_minutes": "10"})
    attempt = ExamAttempt.objects.get()
    page = logged_in.get(f"/exams/attempts/{attempt.pk}/").content.decode()
    assert 'class="quiz-timer" role="timer"' in page
    assert "quiz/quiz.css" in page
    assert 'data-unanswered="未作答的题目：{positions}。仍然提交吗？"' in page


def test_the_dashboard_lists_real_submissions_as_links_with_their_verdict(logged_in, student):
    exercise = exercise_create("softmax")
    real = graded_submission_create(
        user=student, exercise=exercise, tests=[("a", False, "wrong_answer", 0, 10, "")]
    )
    run = graded_submission_create(
        user=student,
        exercise=exercise,
        tests=[("a", False, "passed", 10, 10, "")],
        kind=Submission.Kind.SAMPLES,
    )
    page = logged_in.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'<a href="/submissions/{real.pk}/">softmax #{real.pk}</a>' in page
    assert 'data-role="verdict">wrong_answer</span>' in page
    assert f'data-submission="{run.pk}"' not in page
    assert ">graded<" not in page
    chinese = logged_in.get("/dashboard/").content.decode()
    assert '<span class="code-label">答案错误</span>' in chinese


def test_each_choice_is_named_for_assistive_technology_even_when_it_is_math(logged_in, questions):
    """A choice written as $math$ renders through KaTeX, which leaves the input without an
    accessible name: every choice input carries its text (without the dollars) as aria-label."""
    single = next(q for q in questions if q.kind == "single")
    single.choices = ["$\\tanh(x)$", "b", "c"]
    single.save()
    logged_in.post("/exams/new/", {"all_topics": "1", "count": "5", "time_limit_minutes": "10"})
    attempt = ExamAttempt.objects.get()
    page = logged_in.get(f"/exams/attempts/{attempt.pk}/").content.decode()
    assert attempt.items.filter(kind="single").exists()  # every question of the fixture drawn
    assert 'aria-label="\\tanh(x)"' in page
    for item in attempt.items.filter(kind__in=("single", "multiple")):
        assert page.count(f'name="answer-{item.position}"') == page.count(
            f'name="answer-{item.position}" value="'
        )
        assert f'name="answer-{item.position}" value="0" aria-label="' in page
