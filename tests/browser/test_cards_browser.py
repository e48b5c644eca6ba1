"""A real Chromium opens a card full of formulas and sees KaTeX-rendered math."""

from __future__ import annotations

import pytest

from dlquiz.content.models import Card
from dlquiz.content.services import content_load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser_context):
    return browser_context.new_page()


def test_card_with_formulas_shows_rendered_math(live_server, page):
    content_load()
    card = Card.objects.get(question="LSTM", source_file__startswith="000")
    errors: list[str] = []
    fonts: list[int] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "response",
        lambda r: fonts.append(r.status) if "/vendor/katex/fonts/" in r.url else None,
    )
    page.goto(live_server.url + card.get_absolute_url())
    page.wait_for_selector(".answer .katex", timeout=15_000)
    assert page.locator(".answer .katex-display").count() >= 1
    assert page.locator(".answer .math.display .katex").count() >= 1
    assert page.locator(".math-error, .katex-error").count() == 0
    visible = page.inner_text("main")
    assert "$$" not in visible and "\\begin{aligned}" not in visible
    # KaTeX's fonts come from dlquiz's own static files.
    page.wait_for_load_state("networkidle")
    assert fonts and all(status == 200 for status in fonts)
    assert errors == []


def test_table_of_activation_formulas_renders_cases(live_server, page):
    content_load()
    card = Card.objects.get(question="激活函数", source_file__startswith="000")
    page.goto(live_server.url + card.get_absolute_url())
    page.wait_for_selector("table .katex", timeout=15_000)
    assert page.locator("table .katex").count() >= 6
    visible = page.inner_text("main")
    assert "$" not in visible and "\\frac" not in visible and "\\text{" not in visible


def test_plain_text_dollars_on_other_pages_render_too(live_server, page):
    """Pages outside the cards (quiz, exercises) get $…$ rendered by the shared layout."""
    content_load()
    page.goto(live_server.url + "/search/?q=%24%5Csqrt%7Bd_k%7D%24")
    page.wait_for_selector("main .katex", timeout=15_000)
    assert "$" not in page.inner_text("main form ~ p")
