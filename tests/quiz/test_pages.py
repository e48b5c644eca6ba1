"""Web pages: review with rating and undo, new exam form, taking and result pages, dashboard."""

import re

import pytest

from dlquiz.quiz.models import ExamAttempt, ReviewState


@pytest.fixture
def logged_in(client, student):
    client.force_login(student)
    return client


def test_pages_require_login(client, questions):
    """Anonymous visitors are sent to the login page."""
    for url in ("/review/", "/exams/", "/exams/new/", "/dashboard/"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"]


def test_review_page_shows_question_answer_and_ratings(logged_in, student, cards):
    """The review page shows the next card, its rendered answer and four rating buttons;
    rating and undo post back and redirect to the queue."""
    page = logged_in.get("/review/").content.decode()
    shown = next(c for c in cards if f'data-card-id="{c.pk}"' in page)
    assert shown.question in page and shown.answer_html in page
    assert len(re.findall(r'name="rating" value="(again|hard|good|easy)"', page)) == 4
    response = logged_in.post(f"/review/{shown.pk}/rate/", {"rating": "easy"})
    assert response.status_code == 302
    assert ReviewState.objects.filter(user=student, card=shown).exists()
    assert f'data-card-id="{shown.pk}"' not in logged_in.get("/review/").content.decode()
    logged_in.post("/review/undo/")
    assert not ReviewState.objects.filter(user=student, card=shown).exists()


def test_review_page_shows_intervals_shortcuts_forecast_and_undo_only_when_useful(
    logged_in, student, cards
):
    """Each rating button shows the next interval and its key; undo appears only once a card
    was rated; the 30-day forecast has 30 days."""
    english = {"HTTP_ACCEPT_LANGUAGE": "en"}
    page = logged_in.get("/review/", **english).content.decode()
    assert "Undo last rating" not in page
    intervals = re.findall(r'class="rating-interval">([^<]+)<', page)
    assert intervals[0] == "1 min" and intervals[3].endswith(" d"), intervals
    assert re.findall(r'data-key="(\d)"', page) == ["1", "2", "3", "4"]
    assert page.count('class="forecast-bar"') == 30
    shown = next(c for c in cards if f'data-card-id="{c.pk}"' in page)
    logged_in.post(f"/review/{shown.pk}/rate/", {"rating": "good"})
    assert "Undo last rating" in logged_in.get("/review/", **english).content.decode()


def test_review_settings_are_saved_and_bad_input_answers_400_with_the_field_message(
    logged_in, student, cards
):
    from dlquiz.quiz.models import ReviewSettings

    bad = logged_in.post(
        "/review/settings/",
        {"desired_retention": "50", "exam_date": "2001-01-01"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    body = bad.content.decode()
    assert bad.status_code == 400 and 'id="retention-error"' in body
    assert "must be between 0.7 and 0.97" in body and 'value="50"' in body
    assert not ReviewSettings.objects.filter(user=student).exists()
    ok = logged_in.post("/review/settings/", {"desired_retention": "95", "exam_date": "2099-06-01"})
    assert ok.status_code == 302
    saved = ReviewSettings.objects.get(user=student)
    assert saved.desired_retention == 0.95 and str(saved.exam_date) == "2099-06-01"
    page = logged_in.get("/review/").content.decode()
    assert 'value="95"' in page and 'value="2099-06-01"' in page


def test_new_exam_form_errors_and_start(logged_in, questions):
    """The form lists topics with questions, reports errors by field, and starts an attempt."""
    page = logged_in.get("/exams/new/?topic=cnn").content.decode()
    assert 'value="cnn" checked' in page
    bad = logged_in.post("/exams/new/", {"count": 3, "time_limit_minutes": 5})
    assert bad.status_code == 400 and 'id="error-topics"' in bad.content.decode()
    ok = logged_in.post("/exams/new/", {"topics": ["cnn"], "count": 3, "time_limit_minutes": 5})
    assert ok.status_code == 302
    attempt = ExamAttempt.objects.get()
    assert ok["Location"] == f"/exams/attempts/{attempt.pk}/"


def test_take_page_never_contains_answers_and_submit_grades(logged_in, questions):
    """The taking page carries no expected answers; submitting the form saves and grades it."""
    logged_in.post("/exams/new/", {"topics": ["cnn"], "count": 5, "time_limit_minutes": 5})
    attempt = ExamAttempt.objects.get()
    page = logged_in.get(f"/exams/attempts/{attempt.pk}/").content.decode()
    assert "because b" not in page and 'id="time-left"' in page
    single = attempt.items.get(kind="single")
    form = {f"answer-{single.position}": str(single.expected["choice"])}
    logged_in.post(f"/exams/attempts/{attempt.pk}/finish/", form)
    result = logged_in.get(f"/exams/attempts/{attempt.pk}/").content.decode()
    attempt.refresh_from_db()
    assert attempt.score == 1 and "because" not in result  # the single one was right
    assert 'class="card-link"' in result and "a and c" in result


def test_someone_elses_attempt_page_is_404(client, other_student, student, questions):
    """A student cannot open another student's attempt page."""
    client.force_login(student)
    client.post("/exams/new/", {"topics": ["cnn"], "count": 2, "time_limit_minutes": 5})
    attempt = ExamAttempt.objects.get()
    client.force_login(other_student)
    assert client.get(f"/exams/attempts/{attempt.pk}/").status_code == 404


def test_dashboard_chart_and_weakest_topics(logged_in, questions):
    """After an exam the dashboard draws an SVG bar per topic and links the weak topic."""
    logged_in.post("/exams/new/", {"topics": ["cnn"], "count": 5, "time_limit_minutes": 5})
    attempt = ExamAttempt.objects.get()
    logged_in.post(f"/exams/attempts/{attempt.pk}/finish/", {})
    page = logged_in.get("/dashboard/").content.decode()
    assert "<svg" in page and 'data-topic="cnn"' in page
    assert "/exams/new/?topic=cnn" in page
    assert re.search(r'id="due-reviews">\d+<', page)


def test_pages_are_chinese_by_default(logged_in, questions):
    """Without an Accept-Language header the pages, ratings and form errors are in Chinese."""
    review = logged_in.get("/review/").content.decode()
    assert "显示答案" in review and "键盘：空格键显示答案" in review
    assert re.search(r'class="rating-label">重来<', review)
    bad = logged_in.post("/exams/new/", {"count": 3, "time_limit_minutes": 5})
    assert "请至少选择一个主题" in bad.content.decode()
    too_many = logged_in.post(
        "/exams/new/", {"topics": ["cnn"], "count": 99, "time_limit_minutes": 5}
    )
    assert "必须在 1 到 50 之间" in too_many.content.decode()
    assert "模拟考试" in logged_in.get("/exams/").content.decode()
    assert "各主题掌握度" in logged_in.get("/dashboard/").content.decode()


def test_pages_are_english_when_the_browser_asks_for_it(logged_in, questions):
    """Accept-Language: en serves the English pages, ratings and form errors."""
    english = {"HTTP_ACCEPT_LANGUAGE": "en"}
    review = logged_in.get("/review/", **english).content.decode()
    assert "Keyboard: Space shows the answer" in review and "重来" not in review
    assert re.search(r'class="rating-label">Again<', review)
    bad = logged_in.post("/exams/new/", {"count": 3, "time_limit_minutes": 5}, **english)
    assert "choose at least one topic" in bad.content.decode()
    assert "Mastery by topic" in logged_in.get("/dashboard/", **english).content.decode()


def test_api_error_messages_stay_english_whatever_the_language(questions, student):
    """The service's messages reach the JSON API in English whatever the page language."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(student)
    body = {"topics": ["cnn", "no-such-topic"], "count": 3, "time_limit_minutes": 5}
    for language in ("zh-hans", "en"):
        response = client.post(
            "/api/exams/attempts/", body, format="json", HTTP_ACCEPT_LANGUAGE=language
        )
        assert response.status_code == 400
        assert response.json()["topics"] == ["unknown topic(s): no-such-topic"]
