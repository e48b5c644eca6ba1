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
    card = Card.objects.get(heading="LSTM", source_file__startswith="000")
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
    card = Card.objects.get(heading="激活函数", source_file__startswith="000")
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


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_activation_table_is_readable_on_a_phone(live_server, browser_context, scheme):
    """At 390 px the page does not scroll sideways: the table scrolls in its own container;
    no column is empty, the first column keeps its words whole and the pros/cons columns keep
    a readable width. Screenshots go to /tmp/shots14a/ when that folder exists."""
    import os

    content_load()
    card = Card.objects.get(heading="激活函数", source_file__startswith="000")
    page = browser_context.new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    page.emulate_media(color_scheme=scheme)
    page.goto(live_server.url + card.get_absolute_url())
    page.wait_for_selector("table .katex", timeout=15_000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    wrap = page.locator(".answer .table-wrap").first
    assert wrap.evaluate("e => e.scrollWidth > e.clientWidth")  # scrolls on its own
    assert wrap.get_attribute("tabindex") == "0"
    rows = page.locator(".answer table tr")
    for i in range(rows.count()):
        cells = rows.nth(i).locator("td")
        assert cells.count() == 4
        texts = [cells.nth(j).inner_text().strip() for j in range(4)]
        assert all(texts[:3]), texts
        first = cells.nth(0)
        # One line: the name is never broken inside a word ("Leaky ReLU" stays whole).
        lines = first.evaluate(
            "e => { const r = document.createRange(); r.selectNodeContents(e);"
            " return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size; }"
        )
        assert lines == 1, texts[0]
        for j in (2, 3):
            assert cells.nth(j).evaluate("e => e.getBoundingClientRect().width") >= 120
    if os.path.isdir("/tmp/shots14a"):
        page.screenshot(path=f"/tmp/shots14a/card-table-390-{scheme}.png", full_page=True)


def test_search_marks_matches_and_tolerates_typos(live_server, browser_context):
    """Typing ``softmx`` in the header's search box finds softmax cards, each result showing
    the matched text marked; a Chinese query with a wrong character finds 梯度消失."""
    import os

    content_load()
    page = browser_context.new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/")
    page.fill(".site-search input", "softmx")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    marks = page.locator(".search-results mark")
    assert marks.count() >= 3
    assert all("softmax" in marks.nth(i).inner_text().lower() for i in range(3))
    assert page.locator(".search-results .typo-note").count() >= 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    if os.path.isdir("/tmp/shots14a"):
        page.screenshot(path="/tmp/shots14a/search-softmx-390-light.png", full_page=True)
    page.goto(live_server.url + "/search/?q=梯度消夫")
    assert "梯度消失" in page.locator(".search-results li").first.inner_text()
