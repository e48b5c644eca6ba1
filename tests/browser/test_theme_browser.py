"""A real Chromium in the system's dark and light themes: the study pages follow the setting,
their text keeps enough contrast (WCAG AA, 4.5:1) against what is behind it, and nothing
scrolls sideways at 390 px. Screenshots go to /tmp/shots14a/ when that folder exists."""

from __future__ import annotations

import os
import re

import pytest

from dlquiz.content.models import Card
from dlquiz.content.services import content_load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = "/tmp/shots14a"

# Per text element: its colour and the first opaque background behind it (own or ancestors').
CONTRAST_JS = """
() => {
  const out = [];
  const bgOf = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = getComputedStyle(e).backgroundColor;
      if (c && c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') return c;
    }
    return getComputedStyle(document.documentElement).backgroundColor || 'rgb(255, 255, 255)';
  };
  const sel = 'main p, main li, main a, main h1, main h2, main td, main span, main summary, '
    + 'main button, main label, header a, header span, main cite, main mark';
  for (const el of document.querySelectorAll(sel)) {
    if (el.closest('.katex, .highlight, .visually-hidden')) continue;
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    const r = el.getBoundingClientRect();
    if (!own || r.width === 0 || r.height === 0) continue;
    out.push([el.tagName + '.' + el.className, getComputedStyle(el).color, bgOf(el)]);
  }
  return out;
}
"""


def _rgb(text: str) -> tuple[float, ...]:
    return tuple(float(x) for x in re.findall(r"[\d.]+", text)[:3])


def _luminance(rgb: tuple[float, ...]) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg: str, bg: str) -> float:
    a, b = sorted((_luminance(_rgb(fg)), _luminance(_rgb(bg))), reverse=True)
    return (a + 0.05) / (b + 0.05)


@pytest.fixture
def study_urls(db):
    content_load()
    card = Card.objects.get(heading="激活函数", source_file__startswith="000")
    return {
        "home": "/",
        "topics": "/topics/",
        "topic": card.topic.get_absolute_url(),
        "card": card.get_absolute_url(),
        "search": "/search/?q=softmx",
    }


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_study_pages_follow_the_system_theme_with_legible_text(
    live_server, browser_context, study_urls, scheme
):
    page = browser_context.new_page()
    low: list[tuple] = []
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.emulate_media(color_scheme=scheme)
        for name, url in study_urls.items():
            page.goto(live_server.url + url)
            page.wait_for_load_state("load")
            bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
            assert (_luminance(_rgb(bg)) < 0.05) == (scheme == "dark"), (name, bg)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, width)
            for what, fg, behind in page.evaluate(CONTRAST_JS):
                ratio = contrast(fg, behind)
                if ratio < 4.5:
                    low.append((name, what, fg, behind, round(ratio, 2)))
            if os.path.isdir(SHOTS):
                page.screenshot(path=f"{SHOTS}/{name}-{width}-{scheme}.png", full_page=True)
    assert low == []
