"""The home page in both languages, the favicon, and the theme variables with a dark set."""

from __future__ import annotations

import re
from pathlib import Path

from django.contrib.staticfiles import finders


def test_home_page_is_chinese_by_default_and_english_on_request(client, db):
    zh = client.get("/").content.decode()
    assert "按主题浏览问答卡片" in zh and "参加限时模拟考试" in zh
    assert "Browse the Q&A cards by topic" not in zh
    en = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Browse the Q&A cards by topic" in en and "按主题浏览问答卡片" not in en


def test_every_page_links_the_vendored_favicon(client, db):
    html = client.get("/").content.decode()
    href = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html)
    assert href and href.group(1).endswith("img/favicon.svg")
    path = finders.find("img/favicon.svg")
    assert path and Path(path).read_text(encoding="utf-8").startswith("<svg")


def test_site_css_defines_every_colour_once_with_a_dark_set():
    """Both themes define the same variables; the dark set applies when the system asks."""
    css = Path(finders.find("css/site.css")).read_text(encoding="utf-8")
    light = re.search(r":root \{([^}]*)\}", css).group(1)
    dark_block = css.split("@media (prefers-color-scheme: dark)", 1)[1]
    dark = re.search(r":root \{([^}]*)\}", dark_block).group(1)
    names = set(re.findall(r"(--[\w-]+):", light))
    assert names == set(re.findall(r"(--[\w-]+):", dark))
    assert {"--fg", "--bg", "--surface", "--accent", "--muted"} <= names
