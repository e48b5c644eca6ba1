"""The coding API (CONTRACT §2): exercises, submissions, "Run samples"."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import Throttled, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from dlquiz.accounts.services import user_is_instructor
from dlquiz.coding import notify, selectors, services
from dlquiz.coding.models import Exercise, Submission
from dlquiz.coding.serializers import (
    ExerciseDetailSerializer,
    ExerciseListItemSerializer,
    SubmissionCreateSerializer,
    SubmissionSerializer,
    SubmissionSummarySerializer,
)
from dlquiz.core.api import INVALID, NOT_FOUND, UNAUTHORIZED
from dlquiz.core.serializers import ErrorSerializer

IDEMPOTENCY_HEADER = "Idempotency-Key"

SUBMISSIONS_THROTTLED = OpenApiResponse(
    ErrorSerializer,
    description="Too many submissions being graded or made this minute; see `Retry-After`.",
)


class SubmissionRateThrottle(SimpleRateThrottle):
    """Per-user submissions per minute (rate `submissions` in settings); only POSTs count, so
    polling for a result is never refused, and instructors are exempt."""

    scope = "submissions"

    def get_rate(self) -> str | None:
        # Read at request time, not import time, so a settings change takes effect.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view) -> bool:
        if request.method != "POST" or user_is_instructor(request.user):
            return True
        return super().allow_request(request, view)

    def get_cache_key(self, request, view) -> str | None:
        if not request.user or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


def exercise_payload(*, exercise: Exercise) -> dict:
    return {
        "slug": exercise.slug,
        "title": selectors.exercise_title(exercise=exercise),
        "max_score": exercise.max_score,
        "frameworks": exercise.frameworks,
        "due_at": exercise.due_at,
    }


class ExerciseListApi(APIView):
    @extend_schema(
        operation_id="exercises_list",
        responses={200: ExerciseListItemSerializer(many=True), 401: UNAUTHORIZED},
        description="Every exercise the caller may submit to (students: published ones).",
    )
    def get(self, request: Request) -> Response:
        exercises = selectors.exercise_list_visible(user=request.user)
        payload = [exercise_payload(exercise=exercise) for exercise in exercises]
        return Response(ExerciseListItemSerializer(payload, many=True).data)


class ExerciseDetailApi(APIView):
    @extend_schema(
        operation_id="exercises_retrieve",
        parameters=[OpenApiParameter("slug", str, OpenApiParameter.PATH)],
        responses={200: ExerciseDetailSerializer, 401: UNAUTHORIZED, 404: NOT_FOUND},
    )
    def get(self, request: Request, slug: str) -> Response:
        exercise = selectors.exercise_get_visible(user=request.user, slug=slug)
        if exercise is None:
            raise Http404
        payload = exercise_payload(exercise=exercise) | {
            "statement": selectors.exercise_statement(exercise=exercise),
            "starter_code": exercise.starter_code,
            "samples": exercise.samples,
        }
        return Response(ExerciseDetailSerializer(payload).data)


def submission_submit_response(request: Request, *, kind: str) -> Response:
    """Parse, hand over to the service, shape the answer; a refusal writes nothing."""
    serializer = SubmissionCreateSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
    try:
        submission, created = services.submission_submit(
            user=request.user,
            exercise_slug=data["exercise"],
            framework=data["framework"],
            code=data["code"],
            kind=kind,
            idempotency_key=key if kind == Submission.Kind.SUBMISSION else "",
        )
    except services.SubmissionInvalid as exc:
        raise ValidationError(exc.errors) from exc
    except services.SubmissionQuotaExceeded as exc:
        raise Throttled(
            wait=exc.retry_after_s,
            detail=(
                f"{exc.active} of your submissions are still being graded; "
                f"at most {services.MAX_ACTIVE_SUBMISSIONS} may wait at once."
            ),
        ) from exc
    submission = selectors.submission_get_visible(user=request.user, submission_id=submission.pk)
    payload = selectors.submission_result(submission=submission, viewer=request.user)
    return Response(
        SubmissionSerializer(payload).data,
        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        headers={"Location": f"/api/submissions/{submission.pk}/"},
    )


class SubmissionListCreateApi(APIView):
    throttle_classes = [SubmissionRateThrottle]

    @extend_schema(
        operation_id="submissions_list",
        parameters=[
            OpenApiParameter(
                "exercise", str, description="Only submissions to this exercise (slug)."
            )
        ],
        responses={200: SubmissionSummarySerializer(many=True), 401: UNAUTHORIZED},
        description="The caller's own submissions, newest first (Run samples runs excluded).",
    )
    def get(self, request: Request) -> Response:
        submissions = selectors.submission_history(
            user=request.user, exercise_slug=request.query_params.get("exercise") or None
        )
        return Response(SubmissionSummarySerializer(submissions, many=True).data)

    @extend_schema(
        operation_id="submissions_create",
        request=SubmissionCreateSerializer,
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                str,
                OpenApiParameter.HEADER,
                description="Any unique string (≤128 characters); a retried request with the "
                "same key returns the same submission and is never graded twice.",
            )
        ],
        responses={
            201: SubmissionSerializer,
            200: OpenApiResponse(
                SubmissionSerializer, description="The earlier submission with this key."
            ),
            400: INVALID,
            401: UNAUTHORIZED,
            429: SUBMISSIONS_THROTTLED,
        },
        description="Record a submission; it is graded in the background (poll its URL).",
    )
    def post(self, request: Request) -> Response:
        return submission_submit_response(request, kind=Submission.Kind.SUBMISSION)


class SubmissionRunSamplesApi(APIView):
    throttle_classes = [SubmissionRateThrottle]

    @extend_schema(
        operation_id="submissions_run_samples",
        request=SubmissionCreateSerializer,
        responses={
            201: SubmissionSerializer,
            400: INVALID,
            401: UNAUTHORIZED,
            429: SUBMISSIONS_THROTTLED,
        },
        description="Grade the code against the visible sample tests only; the run is not part "
        "of the submission history or of any score. Poll `/api/submissions/<id>/` for the result.",
    )
    def post(self, request: Request) -> Response:
        return submission_submit_response(request, kind=Submission.Kind.SAMPLES)


def wait_seconds(request: Request) -> float:
    raw = request.query_params.get("wait")
    if raw is None:
        return 0.0
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 <= value <= notify.MAX_WAIT_S:  # also refuses nan
        raise ValidationError({"wait": [f"a number of seconds from 0 to {notify.MAX_WAIT_S:g}"]})
    return value


class SubmissionDetailApi(APIView):
    @extend_schema(
        operation_id="submissions_retrieve",
        parameters=[
            OpenApiParameter("submission_id", int, OpenApiParameter.PATH),
            OpenApiParameter(
                "wait",
                float,
                description=(
                    "Seconds (0-20) to hold the answer until the submission is graded or failed. "
                    "The server may answer sooner with it still queued or running (when busy): "
                    "ask again."
                ),
            ),
        ],
        responses={200: SubmissionSerializer, 400: INVALID, 401: UNAUTHORIZED, 404: NOT_FOUND},
    )
    def get(self, request: Request, submission_id: str) -> Response:
        if not submission_id.isascii() or not submission_id.isdigit():
            raise Http404
        wait = wait_seconds(request)
        submission = selectors.submission_get_visible(
            user=request.user, submission_id=int(submission_id)
        )
        if submission is None:
            raise Http404
        submission = selectors.submission_get_finished(
            user=request.user, submission=submission, timeout_s=wait
        )
        payload = selectors.submission_result(submission=submission, viewer=request.user)
        return Response(SubmissionSerializer(payload).data)
