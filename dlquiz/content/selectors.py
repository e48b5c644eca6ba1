"""Reads of the Q&A bank, shared by the web pages, the API and other apps."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Length

from dlquiz.content.models import Card, Topic
from dlquiz.content.parsing import question_strip_numbering, text_normalise

FUZZY_MIN_SHARE = 0.6
FUZZY_LIMIT = 20


@dataclass(frozen=True)
class CardNeighbours:
    previous: Card | None
    next: Card | None


def topic_list_with_counts() -> QuerySet[Topic]:
    """Visible topics, each with ``card_count`` of its visible cards, in taxonomy order."""
    visible = Q(cards__is_hidden=False, cards__is_retired=False, cards__merged_into__isnull=True)
    return Topic.objects.visible().annotate(card_count=Count("cards", filter=visible))


def topic_cards(*, topic: Topic) -> QuerySet[Card]:
    return Card.objects.visible().filter(topic=topic).order_by("source_file", "position", "id")


def card_neighbours(*, card: Card) -> CardNeighbours:
    """Previous and next card in the card's topic (notes order)."""
    ids = list(topic_cards(topic=card.topic).values_list("id", flat=True))
    try:
        i = ids.index(card.id)
    except ValueError:
        return CardNeighbours(previous=None, next=None)
    prev_id = ids[i - 1] if i > 0 else None
    next_id = ids[i + 1] if i + 1 < len(ids) else None
    found = Card.objects.in_bulk([x for x in (prev_id, next_id) if x])
    return CardNeighbours(previous=found.get(prev_id), next=found.get(next_id))


def card_related(*, card: Card) -> QuerySet[Card]:
    return card.related.visible().select_related("topic").order_by("source_file", "position")


def card_random(*, topic: Topic, exclude_id: int | None = None) -> Card | None:
    ids = list(topic_cards(topic=topic).values_list("id", flat=True))
    if exclude_id in ids and len(ids) > 1:
        ids.remove(exclude_id)
    if not ids:
        return None
    return Card.objects.get(pk=random.choice(ids))


def _query_fold(query: str) -> str:
    query = query.strip()
    return text_normalise(question_strip_numbering(query))


def _ranked(qs: QuerySet[Card], folded: str, query: str) -> QuerySet[Card]:
    return qs.annotate(
        rank=Case(
            When(question=query, then=Value(-1)),
            When(question_norm=folded, then=Value(0)),
            When(question_norm__startswith=folded, then=Value(1)),
            When(question_norm__contains=folded, then=Value(2)),
            default=Value(3),
            output_field=IntegerField(),
        ),
        question_length=Length("question"),
    ).order_by("rank", "question_length", "source_file", "position", "id")


def _grams(folded: str) -> set[str]:
    """Latin words and digit runs whole; CJK text as overlapping character pairs."""
    grams = set(re.findall(r"[a-z0-9]{2,}", folded))
    cjk = re.sub(r"[a-z0-9\W_]+", " ", folded)
    for run in cjk.split():
        grams |= {run[i : i + 2] for i in range(len(run) - 1)} or {run}
    return grams


def card_search(*, query: str, base: QuerySet[Card] | None = None) -> list[Card]:
    """Cards whose question or answer contains the query, questions first.

    Matching ignores case, full-width/half-width forms, whitespace and punctuation, and a
    leading section number (``1.1 ``). A query of several words matches cards containing all
    of them. When nothing contains the query, cards sharing most of its words and character
    pairs are returned instead (best first)."""
    qs = (base if base is not None else Card.objects.visible()).select_related("topic")
    folded = _query_fold(query)
    if not folded:
        return []
    hits = list(
        _ranked(
            qs.filter(Q(question_norm__contains=folded) | Q(answer_norm__contains=folded)),
            folded,
            query.strip(),
        )
    )
    if hits:
        return hits
    words = [text_normalise(w) for w in query.split()]
    words = [w for w in words if w]
    if len(words) > 1:
        cond = Q()
        in_question = []
        for w in words:
            cond &= Q(question_norm__contains=w) | Q(answer_norm__contains=w)
            in_question.append(When(question_norm__contains=w, then=Value(1)))
        hits = list(
            qs.filter(cond)
            .annotate(
                rank=sum(
                    (Case(w, default=Value(0), output_field=IntegerField()) for w in in_question),
                    Value(0),
                )
            )
            .order_by("-rank", "source_file", "position")
        )
        if hits:
            return hits
    return _card_search_fuzzy(qs=qs, folded=folded)


def _card_search_fuzzy(*, qs: QuerySet[Card], folded: str) -> list[Card]:
    grams = _grams(folded)
    if len(folded) < 4 or not grams:
        return []
    scored: list[tuple[float, Card]] = []
    for card in qs.only(
        "id", "question", "question_norm", "answer_norm", "source_file", "position", "topic"
    ):
        in_q = sum(1 for g in grams if g in card.question_norm)
        in_a = sum(1 for g in grams if g in card.answer_norm)
        share = max(in_q, in_a) / len(grams)
        if share >= FUZZY_MIN_SHARE:
            scored.append((share + 0.01 * in_q / len(grams), card))
    scored.sort(key=lambda x: (-x[0], x[1].source_file, x[1].position))
    ids = [c.id for _, c in scored[:FUZZY_LIMIT]]
    full = Card.objects.select_related("topic").in_bulk(ids)
    return [full[i] for i in ids]


def card_find(*, text: str) -> Card | None:
    """The card that best matches a question text (for authored fixtures that cite a card by
    its question). Prefers an exact question, then a question containing the text."""
    hits = card_search(query=text)
    return hits[0] if hits else None
