"""Study pages: topic index, topic page, card page, random drill, admin."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dlquiz.content.models import Card, Topic

pytestmark = pytest.mark.django_db


def visible_text(html: str) -> str:
    html = re.sub(r'<(span|div) class="math [a-z]+">.*?</\1>', " ", html, flags=re.S)
    html = re.sub(r"<(script|style|pre|code)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", "", html)


def test_topic_index_lists_topics_with_card_counts_in_few_queries(client, loaded_content):
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/topics/")
    assert page.status_code == 200
    assert len(queries) <= 5
    html = page.content.decode()
    rnn = Topic.objects.get(slug="rnn")
    count = Card.objects.visible().filter(topic=rnn).count()
    assert rnn.name_zh in html and f"{count} " in html


def test_topic_page_lists_its_cards_in_few_queries(client, loaded_content):
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/topics/attention/")
    assert page.status_code == 200 and len(queries) <= 5
    assert "为什么除以根号dk呢？" in page.content.decode()
    assert client.get("/topics/no-such-topic/").status_code == 404


def test_topic_and_search_pages_name_notes_by_title_not_file_name(client, loaded_content):
    """Students see 神经网络基础, never 000_cec37892dd650e11.txt."""
    for url in ("/topics/rnn/", "/search/?q=LSTM"):
        html = client.get(url).content.decode()
        assert "神经网络基础" in html, url
        assert ".txt" not in html, url


def test_every_card_page_renders_without_raw_latex(client, loaded_content):
    """No page shows $$ or a TeX command outside a math element (KaTeX renders those)."""
    leaks = []
    for card in Card.objects.visible():
        page = client.get(f"/cards/{card.id}/")
        assert page.status_code == 200
        text = visible_text(page.content.decode())
        if "$" in text or re.search(r"\\(frac|begin|text|sigma|sqrt)\b", text):
            leaks.append(card.question)
    assert leaks == []


def test_card_page_shows_source_related_and_neighbours(client, loaded_content):
    card = Card.objects.get(heading="LSTM", source_file__startswith="000")
    html = client.get(card.get_absolute_url()).content.decode()
    assert f"{card.line_start}–{card.line_end}" in html
    assert "<cite>神经网络基础</cite>" in html and "神经网络基础 › 循环神经网络" in html
    assert 'class="math display"' in html
    assert 'rel="prev"' in html and 'rel="next"' in html
    for other in card.related.all()[:3]:
        assert other.get_absolute_url() in html
    assert "vendor/katex/katex.min.js" in html and "content/math.js" in html


def test_hidden_card_is_not_served(client, loaded_content):
    card = Card.objects.visible().first()
    Card.objects.filter(pk=card.pk).update(is_hidden=True)
    try:
        assert client.get(card.get_absolute_url()).status_code == 404
    finally:
        Card.objects.filter(pk=card.pk).update(is_hidden=False)


def test_random_drill_shows_a_card_of_the_topic_with_the_answer_folded(client, loaded_content):
    page = client.get("/topics/rnn/random/")
    html = page.content.decode()
    assert page.status_code == 200 and "<details" in html
    shown = int(re.search(r'id="card-(\d+)"', html).group(1))
    assert Card.objects.get(pk=shown).topic.slug == "rnn"
    again = client.get(f"/topics/rnn/random/?after={shown}").content.decode()
    assert f'id="card-{shown}"' not in again


def test_pages_speak_chinese_by_default_and_english_on_request(client, loaded_content):
    assert "主题" in client.get("/topics/").content.decode()
    client.cookies["django_language"] = "en"
    html = client.get("/topics/").content.decode()
    assert "Topics" in html and "Recurrent networks" in html


def test_admin_can_edit_hide_and_merge_cards(client, loaded_content):
    admin = get_user_model().objects.create_superuser("boss", "boss@example.org", "pw-12345!")
    client.force_login(admin)
    a, b = Card.objects.filter(heading="为什么除以根号dk呢？").order_by("position")
    assert client.get(f"/admin/content/card/{a.id}/change/").status_code == 200
    response = client.post(
        "/admin/content/card/",
        {"action": "merge_cards", "_selected_action": [a.id, b.id]},
    )
    assert response.status_code == 302
    b.refresh_from_db()
    a.refresh_from_db()
    assert b.merged_into_id == a.id and a.edited_in_admin
    assert client.get("/admin/content/topic/").status_code == 200
