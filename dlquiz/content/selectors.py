"""Reads of the Q&A bank, shared by the web pages, the API and other apps."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Length
from django.utils.html import conditional_escape, format_html

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
            When(Q(question=query) | Q(heading=query), then=Value(-1)),
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
    typo = _card_search_typo(qs=qs, folded=folded)
    seen = {c.id for c in typo}
    return typo + [c for c in _card_search_fuzzy(qs=qs, folded=folded) if c.id not in seen]


TYPO_MIN_LATIN = 4
TYPO_MIN_CJK = 3


def typo_budget(folded: str) -> int:
    """Edits allowed between a query and the text it should find: none for short queries, one
    for words up to 7 characters (3+ for Chinese, where words are short), two beyond."""
    cjk = any("\u4e00" <= ch <= "\u9fff" for ch in folded)
    if len(folded) < (TYPO_MIN_CJK if cjk else TYPO_MIN_LATIN):
        return 0
    return 1 if len(folded) <= 7 else 2


def approximate_find(*, pattern: str, text: str, budget: int) -> tuple[int, int, int] | None:
    """The substring of `text` closest to `pattern` within `budget` edits (insert, delete,
    replace), as ``(distance, start, end)``; None when none is that close.

    Only windows around exact occurrences of one of ``budget + 1`` pieces of the pattern are
    examined (with k edits, at least one of k + 1 pieces survives intact), each with the
    classic approximate-substring dynamic programme."""
    n = len(pattern)
    if not n or budget < 0:
        return None
    size = -(-n // (budget + 1))
    pieces = [(i, pattern[i : i + size]) for i in range(0, n, size)]
    best: tuple[int, int, int] | None = None
    windows: set[tuple[int, int]] = set()
    for offset, piece in pieces:
        start = text.find(piece)
        while start != -1:
            lo = max(0, start - offset - budget)
            hi = min(len(text), start - offset + n + budget)
            windows.add((lo, hi))
            start = text.find(piece, start + 1)
    for lo, hi in sorted(windows):
        window = text[lo:hi]
        # prev[j]: edits to match pattern[:i] ending at window[j-1]; start[j]: where it began.
        prev = [0] * (len(window) + 1)
        begin = list(range(len(window) + 1))
        for i in range(1, n + 1):
            cur = [i] + [0] * len(window)
            cur_begin = [0] * (len(window) + 1)
            for j in range(1, len(window) + 1):
                cost = 0 if pattern[i - 1] == window[j - 1] else 1
                options = (
                    (prev[j - 1] + cost, begin[j - 1]),
                    (prev[j] + 1, begin[j]),
                    (cur[j - 1] + 1, cur_begin[j - 1]),
                )
                cur[j], cur_begin[j] = min(options)
            prev, begin = cur, cur_begin
        for j in range(1, len(window) + 1):
            if prev[j] > budget:
                continue
            if (
                best is None
                or prev[j] < best[0]
                or (prev[j] == best[0] and lo + begin[j] == best[1] and lo + j > best[2])
            ):
                best = (prev[j], lo + begin[j], lo + j)
    return best


def _card_search_typo(*, qs: QuerySet[Card], folded: str) -> list[Card]:
    """Cards whose question or answer holds the query with a typo or two (``softmx`` finds
    softmax; ``梯度消夫`` finds 梯度消失), closest first, questions before answers. The
    candidates come from plain ``contains`` filters, so SQLite and PostgreSQL answer alike."""
    budget = typo_budget(folded)
    if not budget:
        return []
    size = -(-len(folded) // (budget + 1))
    pieces = {folded[i : i + size] for i in range(0, len(folded), size)}
    cond = Q()
    for piece in pieces:
        cond |= Q(question_norm__contains=piece) | Q(answer_norm__contains=piece)
    scored: list[tuple[int, int, Card]] = []
    for card in (
        qs.filter(cond)
        .select_related(None)
        .only("id", "question_norm", "answer_norm", "source_file", "position")
    ):
        in_q = approximate_find(pattern=folded, text=card.question_norm, budget=budget)
        in_a = approximate_find(pattern=folded, text=card.answer_norm, budget=budget)
        found = [(d[0], where) for where, d in ((0, in_q), (1, in_a)) if d is not None]
        if found:
            distance, where = min(found)
            scored.append((distance, where, card))
    scored.sort(key=lambda x: (x[0], x[1], x[2].source_file, x[2].position))
    ids = [c.id for _, _, c in scored[:FUZZY_LIMIT]]
    full = Card.objects.select_related("topic").in_bulk(ids)
    return [full[i] for i in ids]


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


# --- search results with the reason they matched -------------------------------------------

SNIPPET_BEFORE = 40
SNIPPET_AFTER = 80
_MARKDOWN_NOISE_RE = re.compile(r"<[^>]+>|!\[[^\]]*\]\([^)]*\)|[#*`|>]+|\$+|\s+")


@dataclass(frozen=True)
class SearchHit:
    card: Card
    question_html: str  # the question, matched part in <mark>
    snippet_html: str  # the answer around the match, in <mark>; empty when the question matched
    typo: bool  # found only with a typo tolerated


def _folded_with_positions(text: str) -> tuple[str, list[int]]:
    """``text_normalise`` of `text`, with each folded character's position in `text`."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        folded = text_normalise(ch)
        out.append(folded)
        where.extend([i] * len(folded))
    return "".join(out), where


def _locate(*, folded_query: str, text: str) -> tuple[int, int, bool] | None:
    """Span of `text` that matches the query (exactly, or else within the typo budget)."""
    folded, where = _folded_with_positions(text)
    if not folded:
        return None
    at = folded.find(folded_query)
    if at != -1:
        return where[at], where[at + len(folded_query) - 1] + 1, False
    found = approximate_find(pattern=folded_query, text=folded, budget=typo_budget(folded_query))
    if found is None or found[2] <= found[1]:
        return None
    return where[found[1]], where[found[2] - 1] + 1, True


def _marked(text: str, span: tuple[int, int, bool] | None, *, window: bool) -> str:
    if span is None:
        return conditional_escape(text)
    start, end, _typo = span
    lo = max(0, start - SNIPPET_BEFORE) if window else 0
    hi = min(len(text), end + SNIPPET_AFTER) if window else len(text)
    return format_html(
        "{}{}<mark>{}</mark>{}{}",
        "…" if lo > 0 else "",
        text[lo:start],
        text[start:end],
        text[end:hi],
        "…" if hi < len(text) else "",
    )


def card_search_hits(*, query: str, base: QuerySet[Card] | None = None) -> list[SearchHit]:
    """``card_search`` with, for each card, what matched: the question with the match marked,
    or a snippet of the answer around it (the answer as plain text, without Markdown marks)."""
    folded_query = _query_fold(query)
    hits: list[SearchHit] = []
    for card in card_search(query=query, base=base):
        in_question = _locate(folded_query=folded_query, text=card.question)
        plain = _MARKDOWN_NOISE_RE.sub(" ", card.answer).strip()
        in_answer = None if in_question else _locate(folded_query=folded_query, text=plain)
        typo = bool((in_question or in_answer or (0, 0, False))[2])
        snippet = _marked(plain, in_answer, window=True) if in_answer else ""
        if in_question is None and in_answer is None:
            snippet = conditional_escape(plain[: SNIPPET_BEFORE + SNIPPET_AFTER])
        hits.append(
            SearchHit(
                card=card,
                question_html=_marked(card.question, in_question, window=False),
                snippet_html=snippet,
                typo=typo,
            )
        )
    return hits
