"""A real Chromium takes a whole practice exam: start, answer (autosaved), submit, results."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from dlquiz.content.models import Card, Topic
from dlquiz.quiz.models import ExamAttempt, Question

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def exam_data():
    topic = Topic.objects.create(slug="cnn", name_zh="卷积神经网络", name_en="CNN")
    card = Card.objects.create(
        topic=topic,
        question="空洞卷积",
        answer="等效核 d(k-1)+1",
        answer_html="<p>等效核</p>",
        key="c1",
    )
    specs = [
        (
            "b-single",
            "single",
            "$3\\times3$ 卷积核空洞率 2 的感受野？",
            ["3×3", "5×5", "7×7"],
            {"choice": 1},
        ),
        (
            "b-multiple",
            "multiple",
            "池化的作用？",
            ["下采样", "改变通道数", "平移鲁棒"],
            {"choices": [0, 2]},
        ),
        ("b-numeric", "numeric", "AlexNet Conv1 输出边长？", [], {"value": 55, "tolerance": 0}),
        ("b-short", "short", "转置卷积的另一个名字？", [], {"accept": ["反卷积"], "patterns": []}),
    ]
    for key, kind, prompt, choices, answer in specs:
        q = Question.objects.create(
            key=key,
            topic=topic,
            kind=kind,
            prompt=prompt,
            choices=choices,
            answer=answer,
            explanation=f"解释 {key}",
        )
        q.cards.add(card)
    return card


@pytest.fixture
def page(live_server, browser_context):
    user = get_user_model().objects.create_user("examinee", password="pw-examinee-123")
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    browser_context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )
    return browser_context.new_page()


def answer_item(page, item, *, correct: bool) -> None:
    section = page.locator(f"#item-{item.position}")
    e = item.expected
    if item.kind == "single":
        choice = e["choice"] if correct else (e["choice"] + 1) % len(item.choices)
        section.locator(f"input[value='{choice}']").check()
    elif item.kind == "multiple":
        picks = (
            e["choices"]
            if correct
            else [i for i in range(len(item.choices)) if i not in e["choices"]]
        )
        for i in picks:
            section.locator(f"input[value='{i}']").check()
    elif item.kind == "numeric":
        section.locator("input[type=text]").fill(str(int(e["value"])) if correct else "54")
    else:
        section.locator("input[type=text]").fill(e["accept"][0] if correct else "卷积")
    page.wait_for_selector(f"#item-{item.position}[data-saved='1']", timeout=10_000)


def test_whole_practice_exam(live_server, page, exam_data):
    """Pick a topic, count and time limit; answers autosave and survive a reload; submitting
    shows per-topic results with the wrong answer explained and linked to its card, and that
    card is then due for review."""
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live_server.url + "/exams/new/?topic=cnn")
    page.fill("#id_count", "4")
    page.fill("#id_time", "5")
    page.click("#start-exam")
    page.wait_for_selector("#attempt-form")
    attempt = ExamAttempt.objects.get()
    items = list(attempt.items.order_by("position"))
    assert len(items) == 4
    # The prompt's math is rendered by KaTeX.
    page.wait_for_selector(".quiz-prompt .katex", timeout=15_000)
    for item in items:
        answer_item(page, item, correct=item.kind != "multiple")
    saved = {i.position: i.answer for i in attempt.items.all()}
    assert all(v is not None for v in saved.values())

    page.reload()
    single = next(i for i in items if i.kind == "single")
    assert page.locator(
        f"#item-{single.position} input[value='{single.expected['choice']}']"
    ).is_checked()

    page.click("#finish")
    page.wait_for_selector("#score")
    assert page.inner_text("#score").replace(" ", "") == "3/4"
    wrong = next(i for i in items if i.kind == "multiple")
    section = page.locator(f"#result-{wrong.position}")
    assert "解释 b-multiple" in section.inner_text()
    section.locator("a.card-link").click()
    page.wait_for_url(f"**/cards/{exam_data.pk}/")

    page.goto(live_server.url + "/review/?topic=cnn")
    assert page.locator(f"[data-card-id='{exam_data.pk}']").count() == 1
    page.goto(live_server.url + "/dashboard/")
    assert page.locator("svg.quiz-mastery-chart g[data-topic='cnn'] rect").count() == 2
    assert errors == []


def test_time_out_submits_the_page_and_grades_as_timed_out(live_server, page, exam_data):
    """When the countdown reaches zero the page submits itself; the form's answers arrive after
    the deadline, are not counted, and the result says time ran out."""
    page.goto(live_server.url + "/exams/new/?topic=cnn")
    page.fill("#id_count", "4")
    page.click("#start-exam")
    page.wait_for_selector("#attempt-form")
    attempt = ExamAttempt.objects.get()
    ExamAttempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() + timedelta(seconds=4))
    page.reload()
    single = next(i for i in attempt.items.all() if i.kind == "single")
    # Checked without autosave reaching the server in time: only the form carries it.
    page.evaluate(
        "([pos, choice]) => { document.querySelector("
        "`#item-${pos} input[value='${choice}']`).checked = true; }",
        [single.position, single.expected["choice"]],
    )
    page.wait_for_selector(".quiz-timed-out", timeout=15_000)
    attempt.refresh_from_db()
    assert attempt.status == "graded" and attempt.timed_out and attempt.score == 0
