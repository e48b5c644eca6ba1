"""Reviews and exam attempts over the API. Thin: parse, call one service or selector, shape."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dlquiz.content.models import Card, Topic
from dlquiz.core.api import CONFLICT, INVALID, NOT_FOUND, UNAUTHORIZED
from dlquiz.quiz import selectors, services
from dlquiz.quiz.grading import expected_describe
from dlquiz.quiz.models import AttemptItem, ExamAttempt
from dlquiz.quiz.services import AttemptClosed, QuizInputError


def _bad_request(error: QuizInputError) -> ValidationError:
    return ValidationError({error.field: [error.message]})


# --- reviews ----------------------------------------------------------------------------------


class ReviewCardSerializer(serializers.Serializer):
    card_id = serializers.IntegerField()
    question = serializers.CharField()
    answer = serializers.CharField()
    answer_html = serializers.CharField()
    topic = serializers.CharField()
    due = serializers.DateTimeField(allow_null=True)
    is_new = serializers.BooleanField()


class ReviewDueSerializer(serializers.Serializer):
    due_count = serializers.IntegerField()
    new_left_today = serializers.IntegerField()
    cards = ReviewCardSerializer(many=True)


def _review_card(card: Card, *, due=None, is_new: bool) -> dict:
    return {
        "card_id": card.pk,
        "question": card.question,
        "answer": card.answer,
        "answer_html": card.answer_html,
        "topic": card.topic.slug,
        "due": due,
        "is_new": is_new,
    }


class ReviewDueApi(APIView):
    """Today's review queue: cards due now (earliest first), then new cards within the daily
    new-card limit."""

    @extend_schema(
        parameters=[OpenApiParameter("topic", str, description="Topic slug (optional).")],
        responses={200: ReviewDueSerializer, 400: INVALID, 401: UNAUTHORIZED},
    )
    def get(self, request: Request) -> Response:
        slug = request.query_params.get("topic", "").strip()
        topic = None
        if slug:
            topic = Topic.objects.filter(slug=slug).first()
            if topic is None:
                raise ValidationError({"topic": ["unknown topic"]})
        queue = selectors.review_queue(user=request.user, topic=topic)
        cards = [_review_card(s.card, due=s.due, is_new=False) for s in queue.due]
        cards += [_review_card(c, is_new=True) for c in queue.new]
        data = {
            "due_count": queue.due_count,
            "new_left_today": queue.new_left_today,
            "cards": cards,
        }
        return Response(ReviewDueSerializer(data).data)


class ReviewRateInputSerializer(serializers.Serializer):
    rating = serializers.ChoiceField(choices=list(services.RATINGS))


class ReviewStateSerializer(serializers.Serializer):
    card_id = serializers.IntegerField(source="card.pk")
    due = serializers.DateTimeField()
    reps = serializers.IntegerField()
    stability = serializers.FloatField(source="fsrs_card.stability", allow_null=True)
    difficulty = serializers.FloatField(source="fsrs_card.difficulty", allow_null=True)


class ReviewRateApi(APIView):
    """Rate a card again / hard / good / easy; FSRS schedules its next review."""

    @extend_schema(
        request=ReviewRateInputSerializer,
        responses={
            200: ReviewStateSerializer,
            400: INVALID,
            401: UNAUTHORIZED,
            404: NOT_FOUND,
        },
    )
    def post(self, request: Request, card_id: int) -> Response:
        card = get_object_or_404(Card.objects.visible(), pk=card_id)
        payload = ReviewRateInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        state = services.review_rate(
            user=request.user, card=card, rating=payload.validated_data["rating"]
        )
        return Response(ReviewStateSerializer(state).data)


class ReviewUndoSerializer(serializers.Serializer):
    undone = serializers.BooleanField()
    card_id = serializers.IntegerField(allow_null=True)


class ReviewUndoApi(APIView):
    """Undo the caller's last rating (the card returns to its state before it)."""

    @extend_schema(request=None, responses={200: ReviewUndoSerializer, 401: UNAUTHORIZED})
    def post(self, request: Request) -> Response:
        log = services.review_undo(user=request.user)
        return Response({"undone": log is not None, "card_id": log.card_id if log else None})


# --- exam attempts ----------------------------------------------------------------------------


class AttemptCreateSerializer(serializers.Serializer):
    topics = serializers.ListField(child=serializers.SlugField(), allow_empty=False)
    count = serializers.IntegerField(min_value=1, max_value=services.MAX_QUESTIONS)
    time_limit_minutes = serializers.IntegerField(
        min_value=1, max_value=services.MAX_TIME_LIMIT_MINUTES
    )


class AttemptItemSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    kind = serializers.CharField()
    topic = serializers.CharField(source="question.topic.slug")
    prompt = serializers.CharField()
    choices = serializers.ListField(child=serializers.CharField())
    answer = serializers.JSONField(allow_null=True)
    # Only once the attempt is graded:
    is_correct = serializers.BooleanField(allow_null=True, required=False)
    expected = serializers.CharField(required=False)
    explanation = serializers.CharField(required=False)
    cards = serializers.ListField(child=serializers.IntegerField(), required=False)


class AttemptSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    topics = serializers.ListField(child=serializers.CharField())
    exam = serializers.IntegerField(source="exam_id", allow_null=True)
    started_at = serializers.DateTimeField()
    deadline = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    timed_out = serializers.BooleanField()
    score = serializers.FloatField(allow_null=True)
    max_score = serializers.FloatField()
    items = AttemptItemSerializer(many=True)
    withheld = serializers.BooleanField(
        help_text="True while the attempt's exam-mode assignment withholds its results: "
        "`score` is null and the items carry no marks, answers or explanations until released."
    )


def _item_data(item: AttemptItem, *, graded: bool) -> dict:
    data = {
        "position": item.position,
        "kind": item.kind,
        "question": item.question,
        "prompt": item.prompt,
        "choices": item.choices,
        "answer": item.answer,
    }
    if graded:
        data.update(
            is_correct=item.is_correct,
            expected=expected_describe(
                kind=item.kind, expected=item.expected, choices=item.choices
            ),
            explanation=item.explanation,
            cards=[c.pk for c in item.question.cards.all()],
        )
    return data


def attempt_data(attempt: ExamAttempt, *, viewer) -> dict:
    withheld = selectors.attempt_withheld(attempt=attempt, viewer=viewer)
    graded = attempt.status == ExamAttempt.Status.GRADED and not withheld
    items = [_item_data(i, graded=graded) for i in selectors.attempt_items(attempt=attempt)]
    data = {**attempt.__dict__, "exam_id": attempt.exam_id, "items": items, "withheld": withheld}
    if withheld:
        data["score"] = None
    return AttemptSerializer(data).data


class AttemptCreateApi(APIView):
    """Start a practice exam over the chosen topics: a fixed draw of questions and variants."""

    @extend_schema(
        request=AttemptCreateSerializer,
        responses={201: AttemptSerializer, 400: INVALID, 401: UNAUTHORIZED},
    )
    def post(self, request: Request) -> Response:
        payload = AttemptCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            attempt = services.attempt_create(user=request.user, **payload.validated_data)
        except QuizInputError as error:
            raise _bad_request(error) from error
        return Response(attempt_data(attempt, viewer=request.user), status=status.HTTP_201_CREATED)


class AttemptDetailApi(APIView):
    """One of the caller's attempts; an attempt past its deadline is graded on the way."""

    @extend_schema(responses={200: AttemptSerializer, 401: UNAUTHORIZED, 404: NOT_FOUND})
    def get(self, request: Request, attempt_id: int) -> Response:
        attempt = selectors.attempt_get_for_user(user=request.user, attempt_id=attempt_id)
        attempt = services.attempt_refresh(attempt=attempt)
        return Response(attempt_data(attempt, viewer=request.user))


class AttemptAnswerInputSerializer(serializers.Serializer):
    answer = serializers.JSONField(
        allow_null=True,
        help_text="single: choice index; multiple: list of indexes; numeric: number; short: text",
    )


class AttemptAnswerSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    answer = serializers.JSONField(allow_null=True)
    answered_at = serializers.DateTimeField()


class AttemptAnswerApi(APIView):
    """Save (autosave) the answer to one question. 409 once the attempt is finished or past its
    deadline: the answer is not recorded."""

    @extend_schema(
        request=AttemptAnswerInputSerializer,
        responses={
            200: AttemptAnswerSerializer,
            400: INVALID,
            401: UNAUTHORIZED,
            404: NOT_FOUND,
            409: CONFLICT,
        },
    )
    def put(self, request: Request, attempt_id: int, position: int) -> Response:
        attempt = selectors.attempt_get_for_user(user=request.user, attempt_id=attempt_id)
        payload = AttemptAnswerInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            item = services.attempt_answer(
                attempt=attempt, position=position, answer=payload.validated_data["answer"]
            )
        except QuizInputError as error:
            raise _bad_request(error) from error
        except AttemptClosed as error:
            return Response({"detail": str(error)}, status=status.HTTP_409_CONFLICT)
        return Response(AttemptAnswerSerializer(item).data)


class AttemptFinishApi(APIView):
    """Submit the attempt for grading (idempotent); returns the graded attempt."""

    @extend_schema(
        request=None,
        responses={200: AttemptSerializer, 401: UNAUTHORIZED, 404: NOT_FOUND},
    )
    def post(self, request: Request, attempt_id: int) -> Response:
        attempt = selectors.attempt_get_for_user(user=request.user, attempt_id=attempt_id)
        attempt = services.attempt_finish(attempt=attempt)
        return Response(attempt_data(attempt, viewer=request.user))
