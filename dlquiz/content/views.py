"""Server-rendered study pages: topics, cards, random drill, search."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from dlquiz.content.models import Card, Topic
from dlquiz.content.selectors import (
    card_neighbours,
    card_random,
    card_related,
    card_search_hits,
    topic_cards,
    topic_list_with_counts,
)

SEARCH_PAGE_LIMIT = 100


def topic_list(request: HttpRequest) -> HttpResponse:
    topics = list(topic_list_with_counts())
    return render(
        request,
        "content/topic_list.html",
        {"topics": topics, "card_total": sum(t.card_count for t in topics)},
    )


def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    topic = get_object_or_404(Topic.objects.visible(), slug=slug)
    return render(
        request,
        "content/topic_detail.html",
        {"topic": topic, "cards": list(topic_cards(topic=topic))},
    )


def topic_random(request: HttpRequest, slug: str) -> HttpResponse:
    topic = get_object_or_404(Topic.objects.visible(), slug=slug)
    after = request.GET.get("after", "")
    card = card_random(topic=topic, exclude_id=int(after) if after.isdigit() else None)
    if card is None:
        return redirect(topic)
    return render(request, "content/card_drill.html", {"topic": topic, "card": card})


def card_detail(request: HttpRequest, pk: int) -> HttpResponse:
    card = get_object_or_404(Card.objects.visible().select_related("topic"), pk=pk)
    return render(
        request,
        "content/card_detail.html",
        {
            "card": card,
            "topic": card.topic,
            "neighbours": card_neighbours(card=card),
            "related": list(card_related(card=card)),
        },
    )


def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    results = card_search_hits(query=query) if query else []
    return render(
        request,
        "content/search.html",
        {
            "query": query,
            "results": results[:SEARCH_PAGE_LIMIT],
            "result_count": len(results),
        },
    )
