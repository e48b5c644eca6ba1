"""A practice exam in a real Chromium: the timer stays in view while scrolling, and submitting
with questions unanswered names them and lets the student go back."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from dlquiz.quiz.models import ExamAttempt
from tests.browser.test_exam_browser import exam_data  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(live_server, browser_context):
    user = get_user_model().objects.create_user("examinee", password="pw-examinee-123")
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    browser_context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )
    page = browser_context.new_page()
    page.set_viewport_size({"width": 390, "height": 500})
    return page


def test_timer_stays_visible_and_unanswered_questions_are_named_before_submitting(
    live_server,
    page,
    exam_data,  # noqa: F811
):
    page.goto(live_server.url + "/exams/new/")
    # "All topics" is checked by default and checks every topic box.
    assert page.is_checked("#all-topics")
    assert all(box.is_checked() for box in page.locator("input[name=topics]").all())
    page.locator("input[name=topics]").first.uncheck()
    assert not page.is_checked("#all-topics")
    page.check("#all-topics")
    page.fill("#id_count", "4")
    page.click("#start-exam")
    page.wait_for_selector("#attempt-form")

    page.locator("#finish").scroll_into_view_if_needed()
    box = page.locator(".quiz-timer").bounding_box()
    assert box is not None and 0 <= box["y"] < 5, box  # stuck to the top of the viewport

    first = page.locator(".quiz-item").first
    field = first.locator("input").first
    if field.get_attribute("type") in ("radio", "checkbox"):
        field.check()
    else:
        field.fill("55")
    page.wait_for_selector(".quiz-item[data-saved='1']")
    messages: list[str] = []

    def dismiss(dialog) -> None:
        messages.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.click("#finish")
    page.wait_for_timeout(300)
    assert len(messages) == 1 and "2, 3, 4" in messages[0], messages
    assert ExamAttempt.objects.get().status != ExamAttempt.Status.GRADED
    assert page.locator(".quiz-item.unanswered").count() == 3

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#finish")
    page.wait_for_url("**/exams/attempts/*/")
    page.wait_for_load_state("load")
    assert ExamAttempt.objects.get().status == ExamAttempt.Status.GRADED
