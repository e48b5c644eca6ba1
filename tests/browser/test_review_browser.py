"""A real Chromium reviews cards with the keyboard only: Space shows the answer, 1-4 rate it;
the buttons show the next interval; undo appears once there is a rating to undo; the page is
legible in the dark theme and fits a phone."""

from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from dlquiz.content.models import Card, Topic
from dlquiz.quiz.models import ReviewLog, ReviewState

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = "/tmp/shots14a"


@pytest.fixture
def reviewer(live_server, browser_context):
    topic = Topic.objects.create(slug="cnn", name_zh="卷积神经网络", name_en="CNN")
    for i in range(3):
        Card.objects.create(
            topic=topic,
            question=f"简述空洞卷积 {i}",
            answer=f"等效核 {i}",
            answer_html=f"<p>等效核 {i}</p>",
            key=f"c{i}",
            note_title="神经网络基础",
            heading_path="卷积神经网络",
        )
    user = get_user_model().objects.create_user("reviewer", password="pw-reviewer-123")
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    browser_context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )
    return user


def _shot(page, name: str) -> None:
    if os.path.isdir(SHOTS):
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_keyboard_review_with_intervals_and_undo(live_server, browser_context, reviewer):
    page = browser_context.new_page()
    page.goto(live_server.url + "/review/")
    assert page.locator(".review-undo").count() == 0  # nothing rated yet
    assert "Space" in page.inner_text(".review-shortcuts") or "空格" in page.inner_text(
        ".review-shortcuts"
    )
    first = page.locator(".quiz-card").get_attribute("data-card-id")
    ratings = page.locator(".review-ratings .rating")
    assert not ratings.first.is_visible()
    page.keyboard.press(" ")
    assert ratings.first.is_visible()
    labels = [ratings.nth(i).locator(".rating-interval").inner_text() for i in range(4)]
    assert labels[0] in {"1 min", "1分钟"} and labels[3].endswith(("d", "天")), labels
    with page.expect_navigation():
        page.keyboard.press("3")  # Good
    state = ReviewState.objects.get(user=reviewer, card_id=int(first))
    log = ReviewLog.objects.get(user=reviewer, card_id=int(first))
    assert log.rating == 3 and state.reps == 1
    assert page.locator(".quiz-card").get_attribute("data-card-id") != first
    assert page.locator(".review-undo").count() == 1
    with page.expect_navigation():
        page.click(".review-undo button")
    assert not ReviewState.objects.filter(user=reviewer).exists()
    assert page.locator(".review-undo").count() == 0
    # Typing in a form field does not rate.
    page.fill("#id_desired_retention", "")
    page.keyboard.press("1")
    assert not ReviewLog.objects.filter(user=reviewer).exists()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [390, 1280])
def test_review_page_fits_and_is_legible_in_both_themes(
    live_server, browser_context, reviewer, scheme, width
):
    page = browser_context.new_page()
    page.set_viewport_size({"width": width, "height": 844})
    page.emulate_media(color_scheme=scheme)
    page.goto(live_server.url + "/review/")
    page.keyboard.press(" ")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
    fg = page.evaluate("getComputedStyle(document.body).color")
    dark_bg = bg == "rgb(20, 23, 27)"
    assert dark_bg == (scheme == "dark"), bg
    assert fg != bg
    _shot(page, f"review-{width}-{scheme}")
