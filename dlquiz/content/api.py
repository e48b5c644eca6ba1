"""The cards API (CONTRACT §2): public, read-only study material."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dlquiz.content.models import Card
from dlquiz.content.selectors import card_search
from dlquiz.content.serializers import CardSerializer
from dlquiz.core.api import NOT_FOUND


class CardListApi(APIView):
    """Cards from the notes; ``?search=`` keeps those whose question or answer contains the text
    (question matches first), ``?topic=`` those of one topic."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    # Study material is public and searching is cheap; scripts look up many questions at once.
    throttle_classes: list = []

    @extend_schema(
        parameters=[
            OpenApiParameter("search", str, description="Text to look for (Chinese or English)."),
            OpenApiParameter("topic", str, description="Topic slug."),
        ],
        responses=CardSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        base = Card.objects.visible()
        topic = request.query_params.get("topic", "").strip()
        if topic:
            base = base.filter(topic__slug=topic)
        query = request.query_params.get("search", "").strip()
        if query:
            cards = card_search(query=query, base=base)
        else:
            cards = list(base.select_related("topic").order_by("source_file", "position"))
        return Response(CardSerializer(cards, many=True).data)


class CardDetailApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes: list = []

    @extend_schema(responses={200: CardSerializer, 404: NOT_FOUND})
    def get(self, request: Request, card_id: int) -> Response:
        card = get_object_or_404(Card.objects.visible().select_related("topic"), pk=card_id)
        return Response(CardSerializer(card).data)
