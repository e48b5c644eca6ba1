"""Questions in the admin: choices are rows of text with a "correct" box (the stored choices and
answer keep their JSON shape, and a form saved unchanged stores the same values), mistakes are
form errors in English and Chinese, and the question statistics page sorts on the server by any
column, says which one, and shows each question's text."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dlquiz.accounts.services import instructor_create
from dlquiz.quiz.models import AttemptItem, ExamAttempt, Question
from tests.core.html_forms import form_data

pytestmark = pytest.mark.django_db

FORM = "question_form"
PASSWORD = "a-long-Passphrase-7"


@pytest.fixture
def admin_client(db):
    instructor_create(username="prof", password=PASSWORD)

    def client_in(language: str = "en") -> Client:
        client = Client()
        client.cookies["django_language"] = language
        assert client.login(username="prof", password=PASSWORD)
        return client

    return client_in


def url(question: Question) -> str:
    return f"/admin/quiz/question/{question.pk}/change/"


def stored(question: Question) -> tuple:
    question.refresh_from_db()
    return (
        question.choices,
        question.answer,
        question.prompt,
        question.explanation,
        question.edited_in_admin,
    )


def question_single(questions) -> Question:
    return next(q for q in questions if q.key == "q-single")


@pytest.mark.parametrize("key", ["q-single", "q-multiple", "q-numeric", "q-short"])
def test_saving_a_question_unchanged_stores_the_same_values(admin_client, questions, key):
    """Sent back as the page renders it (CRLF line breaks), nothing changes, and the question
    is not marked as edited in the admin (the next import would skip it)."""
    question = Question.objects.get(key=key)
    question.explanation = "line one\n\n  indented <b>line</b>\n"
    if key == "q-multiple":
        question.answer = {"choices": [2, 0]}  # the stored order survives
    question.save()
    before = stored(question)
    client = admin_client()
    page = client.get(url(question)).content.decode()
    response = client.post(url(question), form_data(page, FORM))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert stored(question) == before


def test_choices_are_rows_with_a_correct_box(admin_client, questions):
    page = admin_client().get(url(question_single(questions))).content.decode()
    assert 'name="choices-TOTAL" value="4"' in page  # three choices and a blank row
    assert re.search(r'name="choices-1-correct"[^>]*checked', page)
    assert not re.search(r'name="choices-0-correct"[^>]*checked', page)
    assert 'name="choices"' not in page  # no JSON box
    assert "core/rows.js" in page


def test_ticking_another_choice_and_adding_one_updates_choices_and_answer(admin_client, questions):
    question = question_single(questions)
    client = admin_client()
    data = form_data(client.get(url(question)).content.decode(), FORM)
    data.pop("choices-1-correct")
    data["choices-3-text"] = ["d (new)"]
    data["choices-3-correct"] = ["on"]
    assert client.post(url(question), data).status_code == 302
    question.refresh_from_db()
    assert question.choices == ["a", "b", "c", "d (new)"]
    assert question.answer == {"choice": 3}
    assert question.edited_in_admin


def test_deleting_a_choice_renumbers_the_correct_ones(admin_client, questions):
    question = Question.objects.get(key="q-multiple")  # a, b, c, d; a and c correct
    client = admin_client()
    data = form_data(client.get(url(question)).content.decode(), FORM)
    data["choices-1-DELETE"] = ["on"]
    assert client.post(url(question), data).status_code == 302
    question.refresh_from_db()
    assert question.choices == ["a", "c", "d"]
    assert question.answer == {"choices": [0, 1]}


@pytest.mark.parametrize(
    ("change", "english", "chinese"),
    [
        (
            {"choices-0-correct": ["on"]},
            "Tick exactly one correct choice for a single-choice question.",
            "单选题须恰好勾选一个正确选项。",
        ),
        (
            {"choices-1-correct": None},
            "Tick exactly one correct choice for a single-choice question.",
            "单选题须恰好勾选一个正确选项。",
        ),
        (
            {"choices-0-DELETE": ["on"], "choices-2-DELETE": ["on"]},
            "A choice question needs at least two choices.",
            "选择题至少需要两个选项。",
        ),
        (
            {"choices-3-correct": ["on"], "choices-1-correct": None},
            "Row 4: “choice” is required.",
            "第 4 行：“选项”为必填项。",
        ),
    ],
)
def test_a_wrong_choice_list_is_a_form_error_in_both_languages(
    admin_client, questions, change, english, chinese
):
    question = question_single(questions)
    before = stored(question)
    for language, message in (("en", english), ("zh-hans", chinese)):
        client = admin_client(language)
        data = form_data(client.get(url(question)).content.decode(), FORM)
        for name, value in change.items():
            if value is None:
                data.pop(name, None)
            else:
                data[name] = value
        response = client.post(url(question), data)
        assert response.status_code == 200, language
        assert message in response.content.decode(), language
    assert stored(question) == before


def test_a_numeric_question_keeps_its_json_answer(admin_client, questions):
    question = Question.objects.get(key="q-numeric")
    client = admin_client()
    data = form_data(client.get(url(question)).content.decode(), FORM)
    data["answer"] = ['{"value": 56, "tolerance": 0}']
    assert client.post(url(question), data).status_code == 302
    question.refresh_from_db()
    assert question.answer == {"value": 56, "tolerance": 0} and question.choices == []


# --- question statistics ----------------------------------------------------------------------


def answered(question: Question, results: list[bool]) -> None:
    """One graded attempt per result, each by its own student."""
    now = timezone.now()
    for n, correct in enumerate(results):
        user, _ = User.objects.get_or_create(username=f"s{n}")
        attempt = ExamAttempt.objects.create(
            user=user,
            time_limit_minutes=10,
            started_at=now,
            deadline=now,
            status=ExamAttempt.Status.GRADED,
        )
        AttemptItem.objects.create(
            attempt=attempt,
            position=0,
            question=question,
            kind=question.kind,
            prompt=question.prompt,
            is_correct=correct,
        )


@pytest.fixture
def statistics(questions) -> dict[str, Question]:
    by_key = {q.key: q for q in questions}
    by_key["q-single"].prompt = "为什么要除以 √d_k？" + "这是一个很长的题目文字。" * 10
    by_key["q-single"].save()
    answered(by_key["q-single"], [True, True, False])  # 67%
    answered(by_key["q-multiple"], [True, False, False, False, False])  # 20%
    answered(by_key["q-numeric"], [True])  # 100%
    return by_key


def rows_in_order(html: str) -> list[str]:
    body = html[html.index('id="question-statistics"') :]
    return re.findall(r'href="/admin/quiz/question/(\d+)/change/"', body)


def test_statistics_sort_by_any_column_both_ways(admin_client, statistics):
    client = admin_client()
    single, multiple, numeric = (statistics[k].pk for k in ("q-single", "q-multiple", "q-numeric"))
    up = client.get("/admin/quiz/question/statistics/?o=share_correct").content.decode()
    assert rows_in_order(up)[:3] == [str(multiple), str(single), str(numeric)]
    down = client.get("/admin/quiz/question/statistics/?o=-share_correct").content.decode()
    assert rows_in_order(down)[:3] == [str(numeric), str(single), str(multiple)]
    # Questions nobody answered come last either way.
    assert set(rows_in_order(down)[3:]) == {
        str(q.pk) for k, q in statistics.items() if k not in ("q-single", "q-multiple", "q-numeric")
    }
    by_answers = client.get("/admin/quiz/question/statistics/?o=-answers").content.decode()
    assert rows_in_order(by_answers)[:3] == [str(multiple), str(single), str(numeric)]


def test_the_sorted_column_says_so_and_its_link_reverses_the_order(admin_client, statistics):
    html = admin_client().get("/admin/quiz/question/statistics/?o=-answers").content.decode()
    table = html[html.index('id="question-statistics"') :]
    headers = re.findall(r"<th scope=\"col\"[^>]*>.*?</th>", table[: table.index("</thead>")], re.S)
    assert len(headers) == 7
    sorted_headers = [h for h in headers if "aria-sort" in h]
    assert len(sorted_headers) == 1
    assert (
        'aria-sort="descending"' in sorted_headers[0] and 'href="?o=answers"' in sorted_headers[0]
    )
    assert any('href="?o=question"' in h for h in headers)
    assert any('href="?o=-discrimination"' in h for h in headers)
    # An unknown order falls back to the topic order, ascending.
    fallback = admin_client().get("/admin/quiz/question/statistics/?o=password").content.decode()
    assert 'aria-sort="ascending"' in fallback and 'href="?o=-topic"' in fallback


def test_statistics_show_the_question_text_truncated_with_the_full_text_at_hand(
    admin_client, statistics
):
    html = admin_client("zh-hans").get("/admin/quiz/question/statistics/").content.decode()
    full = statistics["q-single"].prompt
    assert "<details>" in html and f'title="{full}"' in html
    assert f'<p class="full-text">{full}</p>' in html
    assert "题目统计" in html and "正确率" in html
    assert "<td>67%</td>" in html.replace('<td class="number">', "<td>")
    assert ">multiple?<" in html  # a short text is shown whole, as a link


def test_statistics_take_a_fixed_number_of_queries(admin_client, statistics):
    client = admin_client()
    client.get("/admin/quiz/question/statistics/")
    with CaptureQueriesContext(connection) as few:
        client.get("/admin/quiz/question/statistics/")
    for n in range(5):
        Question.objects.create(key=f"extra-{n}", topic=statistics["q-single"].topic, kind="short")
    with CaptureQueriesContext(connection) as more:
        client.get("/admin/quiz/question/statistics/")
    assert len(more.captured_queries) == len(few.captured_queries)


def test_the_question_list_links_to_the_statistics_and_shows_the_text(admin_client, statistics):
    html = admin_client().get("/admin/quiz/question/").content.decode()
    assert 'href="/admin/quiz/question/statistics/"' in html
    assert "multiple?" in html
