"""Code, output, messages and instructor-edited text that contain HTML or JavaScript are shown
escaped (or sanitised, for Markdown) on every page that shows them, the admin included; text
reflected from the URL is escaped too.

A page fails when the browser would build an element from a payload: a <script> whose whole
text is the payload's `alert(1)`, or any element with an `onerror=alert(1)` attribute."""

from __future__ import annotations

import html as html_lib
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import quote

import pytest

from dlquiz.coding.models import Submission
from dlquiz.content.models import Card
from dlquiz.quiz.models import Question
from dlquiz.quiz.services import attempt_create
from tests.coding.factories import graded_submission_create
from tests.security.conftest import XSS_ATTR, XSS_SCRIPT, World, session_client

pytestmark = pytest.mark.django_db

BOTH = f"{XSS_SCRIPT} and {XSS_ATTR}"
ESCAPED_SCRIPT = html_lib.escape(XSS_SCRIPT, quote=False)


class InjectedMarkup(HTMLParser):
    """Collects the elements a browser would build from the payloads."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False
        self._script_text: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        for name, value in attrs:
            if name.startswith("on") and value and "alert(1)" in value:
                self.found.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src") and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value!r}>")
        if tag in ("iframe", "object", "embed"):
            self.found.append(f"<{tag}>")
        if tag == "script":
            self._in_script = True
            self._script_text = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._in_script:
            self._in_script = False
            if "".join(self._script_text).strip() == "alert(1)":
                self.found.append("<script>alert(1)</script>")

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self._script_text.append(data)


def assert_no_injected_markup(response, where: str) -> str:
    assert response.status_code == 200, f"{where}: {response.status_code}"
    text = response.content.decode()
    parser = InjectedMarkup()
    parser.feed(text)
    parser.close()
    assert not parser.found, f"{where}: payload became markup: {parser.found}"
    assert XSS_SCRIPT not in text and "<img src=x onerror" not in text, where
    return text


def test_the_detector_finds_payloads_that_became_markup():
    """The check used on every page does catch each payload when it is not escaped."""
    for raw in (XSS_SCRIPT, XSS_ATTR, '<a href="javascript:alert(1)">x</a>', "<iframe src=x>"):
        parser = InjectedMarkup()
        parser.feed(f"<p>{raw}</p>")
        assert parser.found, raw
    parser = InjectedMarkup()
    parser.feed(f"<p>{html_lib.escape(BOTH)}</p><script>var a = 1;</script>")
    assert not parser.found


@dataclass
class Hostile:
    submission: Submission
    card: Card
    question: Question


CODE = f'''"""{BOTH}"""
# </script>{XSS_SCRIPT}
def softmax(x, dim=-1):
    print("{XSS_ATTR}")
    return x
'''


@pytest.fixture
def hostile(world: World) -> Hostile:
    """Every text a student or an instructor controls, carrying the payloads."""
    submission = graded_submission_create(
        user=world.student_a,
        exercise=world.exercise,
        code=CODE,
        tests=[
            (f"sample {XSS_SCRIPT}", False, "wrong_answer", 0, 1, f"expected 1, got {BOTH}"),
            (f"hidden {XSS_ATTR}", True, "passed", 1, 1, f"hidden {BOTH}"),
        ],
    )
    Submission.objects.filter(pk=submission.pk).update(
        stdout=f"out {BOTH}", stderr=f"err {BOTH}", message=f"SyntaxError {BOTH}"
    )
    submission.refresh_from_db()

    # Instructors edit cards in the admin: go through the admin's own form and save.
    admin = session_client(world.instructor)
    response = admin.post(
        f"/admin/content/card/{world.card.pk}/change/",
        {
            "topic": world.topic.pk,
            "question": f"Q {BOTH}",
            "answer": f"A {BOTH}\n\n[link](javascript:alert(1))\n\n<iframe src=x></iframe>",
            "edited_in_admin": "on",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    card = Card.objects.get(pk=world.card.pk)
    assert XSS_SCRIPT in card.question

    world.topic.name_zh = world.topic.name_en = f"T {BOTH}"
    world.topic.description = f"D {BOTH}"
    world.topic.save()
    world.exercise.title = world.exercise.title_en = f"E {BOTH}"
    world.exercise.statement = world.exercise.statement_en = f"S {BOTH}\n\n```python\n{BOTH}\n```"
    world.exercise.save()

    question = world.question
    question.prompt = f"P {BOTH}"
    question.choices = [f"c0 {XSS_SCRIPT}", f"c1 {XSS_ATTR}", "c2"]
    question.explanation = f"X {BOTH}"
    question.save()
    return Hostile(submission=submission, card=card, question=question)


def student_pages(world: World, hostile: Hostile) -> list[str]:
    s = hostile.submission.pk
    return [
        f"/submissions/{s}/",
        f"/submissions/{s}/result/",
        "/submissions/",
        "/exercises/",
        f"/exercises/{world.exercise.slug}/",
        "/dashboard/",
        "/",
        "/topics/",
        f"/topics/{world.topic.slug}/",
        f"/topics/{world.topic.slug}/random/",
        f"/cards/{hostile.card.pk}/",
        "/search/?q=" + quote("alert(1)"),
        f"/review/?topic={world.topic.slug}",
        "/exams/",
        "/exams/new/",
    ]


def test_student_pages_escape_code_output_and_messages(world: World, hostile: Hostile):
    """Every page a student sees with their submission, the edited card, topic, exercise and
    question on it shows the payloads as text."""
    client = session_client(world.student_a)
    for url in student_pages(world, hostile):
        assert_no_injected_markup(client.get(url), url)


def test_submission_page_shows_the_payloads_as_text(world: World, hostile: Hostile):
    """The scan is meaningful: code, output and messages are on the page, escaped."""
    page = session_client(world.student_a).get(f"/submissions/{hostile.submission.pk}/")
    text = assert_no_injected_markup(page, "submission detail")
    assert text.count(ESCAPED_SCRIPT) >= 3  # code, stdout or stderr, messages
    assert "&lt;/script&gt;" in text


def test_exam_pages_escape_question_text(world: World, hostile: Hostile):
    """Prompt and choices while taking the exam, and the explanation on the result page."""
    attempt = attempt_create(
        user=world.student_a, topics=[world.topic.slug], count=1, time_limit_minutes=30, seed=3
    )
    client = session_client(world.student_a)
    url = f"/exams/attempts/{attempt.pk}/"
    assert_no_injected_markup(client.get(url), "attempt in progress")
    finished = client.post(f"{url}finish/", {"answer-1": "1"})
    assert finished.status_code == 302
    text = assert_no_injected_markup(client.get(url), "attempt result")
    assert "X " in text  # the explanation is shown once graded
    assert_no_injected_markup(client.get("/dashboard/"), "dashboard after an exam")


def test_admin_pages_escape_student_and_instructor_text(world: World, hostile: Hostile):
    """The instructor's admin shows submissions (code, output, every test), cards, topics,
    exercises and questions escaped."""
    client = session_client(world.instructor)
    s = hostile.submission.pk
    urls = [
        "/admin/",
        "/admin/coding/submission/",
        f"/admin/coding/submission/{s}/change/",
        "/admin/coding/exercise/",
        f"/admin/coding/exercise/{world.exercise.pk}/change/",
        "/admin/content/card/",
        f"/admin/content/card/{hostile.card.pk}/change/",
        "/admin/content/topic/",
        f"/admin/content/topic/{world.topic.pk}/change/",
        "/admin/quiz/question/",
        f"/admin/quiz/question/{hostile.question.pk}/change/",
        "/admin/quiz/examattempt/",
    ]
    for url in urls:
        assert_no_injected_markup(client.get(url), url)
    change = client.get(f"/admin/coding/submission/{s}/change/").content.decode()
    assert ESCAPED_SCRIPT in change  # hidden-test message and code are shown, escaped


def test_reflected_values_are_escaped(world: World):
    """What comes from the URL (search text, topic filter, login redirect) is escaped."""
    client = session_client(world.student_a)
    for url in [
        "/search/?q=" + quote(BOTH),
        "/review/?topic=" + quote(BOTH),
        "/exams/new/?topics=" + quote(BOTH),
        "/api/docs/?x=" + quote(BOTH),
    ]:
        assert_no_injected_markup(client.get(url), url)
    anonymous = session_client(None)
    assert_no_injected_markup(anonymous.get("/accounts/login/?next=" + quote(BOTH)), "login next")
    not_found = anonymous.get("/cards/999999/?" + quote(BOTH))
    assert XSS_SCRIPT not in not_found.content.decode()


def test_api_pages_for_browsers_escape_the_payloads(world: World, hostile: Hostile):
    """A browser opening an API URL gets either JSON (sent with nosniff, so never run as HTML)
    or DRF's HTML view of it, with the payloads escaped."""
    client = session_client(world.student_a)
    for url in [
        f"/api/submissions/{hostile.submission.pk}/",
        "/api/submissions/",
        f"/api/exercises/{world.exercise.slug}/",
        f"/api/cards/{hostile.card.pk}/",
        "/api/cards/?search=" + quote(BOTH),
    ]:
        response = client.get(url, HTTP_ACCEPT="text/html")
        assert response["X-Content-Type-Options"] == "nosniff"
        if response["Content-Type"].startswith("text/html"):
            assert_no_injected_markup(response, url)
        else:
            assert response["Content-Type"].startswith("application/json"), url
