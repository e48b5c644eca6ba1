"""Searching the cards: /api/cards/?search= (CONTRACT §2), card_search, card_find."""

from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

from dlquiz.content.models import Card
from dlquiz.content.selectors import card_find, card_search

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(loaded_content) -> APIClient:
    return APIClient()


def results(response) -> list[dict]:
    data = response.json()
    return data["results"] if isinstance(data, dict) else data


def search(api: APIClient, text: str) -> list[dict]:
    response = api.get("/api/cards/", {"search": text})
    assert response.status_code == 200
    return results(response)


def test_anonymous_clients_may_search_and_get_the_contract_fields(api):
    found = search(api, "梯度爆炸")
    assert found
    for item in found:
        assert {"id", "question", "answer", "topic", "source"} <= item.keys()
        assert re.match(r"^\d{3}_[0-9a-f]+\.txt:\d+-\d+$", item["source"])


def test_invalid_token_does_not_block_public_cards(api):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert api.get("/api/cards/", {"search": "LSTM"}).status_code == 200


def test_chinese_substring_finds_question_and_answer_matches(api):
    found = search(api, "梯度消失")
    questions = [c["question"] for c in found]
    assert "RNN 中为什么会出现梯度消失？" in questions
    assert all("梯度消失" in c["question"] or "梯度消失" in c["answer"] for c in found)


def test_english_terms_match_case_insensitively(api):
    lower = {c["id"] for c in search(api, "layer normalization")}
    upper = {c["id"] for c in search(api, "LAYER NORMALIZATION")}
    assert lower and lower == upper


def test_question_matches_rank_above_answer_matches(api):
    found = search(api, "LSTM")
    in_question = [("lstm" in c["question"].lower()) for c in found]
    assert in_question[0]
    # Once answer-only matches start, no question match follows.
    first_answer_only = in_question.index(False)
    assert not any(in_question[first_answer_only:])


@pytest.mark.parametrize(
    "query",
    [
        "1.1 预训练和微调任务有什么区别？两者的目的是什么？",
        "预训练和微调任务有什么区别？两者的目的是什么？",
        "预训练和微调任务有什么区别？两者的目的是什么",
        "预训练和微调任务有什么区别?两者的目的是什么?",
        "预训练和微调任务有什么区别",
        "  预训练和微调任务   有什么区别 ",
    ],
)
def test_a_question_is_found_by_its_full_text_with_or_without_number_and_mark(api, query):
    found = search(api, query)
    assert found[0]["question"] == "预训练和微调任务有什么区别？两者的目的是什么？"


def test_every_card_is_found_first_by_its_own_question(loaded_content):
    """The acceptance check in miniature: each question finds its card at the top."""
    misses = []
    for card in Card.objects.visible():
        hits = card_search(query=card.question)
        if not hits or hits[0].question != card.question:
            misses.append(card.question)
    assert misses == []


def test_full_width_query_matches_half_width_text(api):
    assert (
        search(api, "ＲｅＬＵ") and search(api, "ＲｅＬＵ")[0]["id"] == search(api, "relu")[0]["id"]
    )


def test_several_words_match_cards_containing_all_of_them(api):
    found = search(api, "sigmoid tanh")
    assert found
    for c in found:
        text = (c["question"] + c["answer"]).lower()
        assert "sigmoid" in text and "tanh" in text


def test_a_slightly_different_wording_still_finds_the_card(api):
    """No card contains this exact text; the fuzzy fallback finds the closest question."""
    found = search(api, "为什么ReLU常被用于神经网络的激活函数")
    assert found[0]["question"] == "为什么 ReLU 常用于神经网络的激活函数？"


def test_nonsense_finds_nothing(api):
    assert search(api, "zzqxv 不存在的术语 qqq") == []


def test_hidden_cards_are_not_found(api):
    card = Card.objects.get(heading="早停法")
    card.is_hidden = True
    card.save()
    try:
        assert card.question not in [c["question"] for c in search(api, "早停法")]
    finally:
        card.is_hidden = False
        card.save()


def test_topic_filter(api):
    found = results(api.get("/api/cards/", {"topic": "rnn", "search": "梯度"}))
    assert found and all(c["topic"] == "rnn" for c in found)


def test_card_detail_api(api):
    card = Card.objects.visible().first()
    data = api.get(f"/api/cards/{card.id}/").json()
    assert data["id"] == card.id and data["question"] == card.question


def test_card_find_picks_the_best_match(loaded_content):
    assert card_find(text="为什么除以根号dk呢").question == "为什么除以根号dk呢？"
    assert card_find(text="2.2 为什么 ReLU 常用于神经网络的激活函数？").question == (
        "为什么 ReLU 常用于神经网络的激活函数？"
    )
    assert card_find(text="完全无关的内容 xyzzy") is None


def test_web_search_page(client, loaded_content):
    page = client.get("/search/", {"q": "多头注意力"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "为什么需要<mark>多头注意力</mark>？" in html
    assert client.get("/search/").status_code == 200


def test_a_latin_typo_still_finds_the_cards(api):
    """``softmx`` (one letter missing) finds the cards that say softmax; the API still returns
    nothing but cards, exact matches (none here) first."""
    found = search(api, "softmx")
    assert found and all("softmax" in (c["question"] + c["answer"]).lower() for c in found[:5])
    assert any("softmax" in c["question"].lower() for c in found[:3])


@pytest.mark.parametrize("query", ["梯度消夫", "梯消失"])
def test_a_chinese_query_with_one_wrong_or_missing_character_still_finds(api, query):
    found = search(api, query)
    assert found and "梯度消失" in found[0]["question"] + found[0]["answer"]


def test_typo_tolerance_never_removes_exact_matches(api):
    """Every card containing the text is returned, in the same order as before typos were
    tolerated."""
    exact = [c.id for c in Card.objects.visible() if "lstm" in (c.question + c.answer).lower()]
    found = [c["id"] for c in search(api, "LSTM")]
    assert set(exact) <= set(found)


def test_approximate_find_reports_the_closest_span():
    from dlquiz.content.selectors import approximate_find

    assert approximate_find(pattern="softmx", text="thesoftmaxfn", budget=1) == (1, 3, 10)
    assert approximate_find(pattern="梯度消夫", text="关于梯度消失问题", budget=1) == (1, 2, 6)
    assert approximate_find(pattern="abcd", text="zzzz", budget=1) is None


def test_search_page_marks_why_each_card_matched(client, loaded_content):
    """The question's match is marked; an answer match shows a snippet around it; a typo
    match is labelled as a close match."""
    html = client.get("/search/", {"q": "softmx"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<mark>softmax</mark>" in html.lower() or "<mark>softmax" in html.lower()
    assert "close match" in html
    html = client.get("/search/", {"q": "梯度消失"}).content.decode()
    assert "<mark>梯度消失</mark>" in html
    assert 'class="snippet"' in html
