"""API plumbing shared by every app: the exception handler, the JSON answers for errors raised
outside an API view, and the documented error responses every API module reuses."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from dlquiz.core.serializers import ErrorSerializer

API_PREFIX = "/api/"


class RequestTooLarge(APIException):
    """A 400, not a 413: CONTRACT §2 answers invalid input with a 400, and a submission whose
    code is far over its limit has always been one."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "Request body too large."
    default_code = "request_too_large"


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's handler; anything it does not know stays a 500 and is logged by Django."""
    if isinstance(exc, RequestDataTooBig):
        # Raised by Django when the body is first read, i.e. inside the view.
        exc = RequestTooLarge(request_too_large_detail())
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, list):
        response.data = {"detail": response.data}
    return response


def request_too_large_detail() -> str:
    limit_kib = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024
    return f"Request body too large: at most {limit_kib} KiB."


def is_api_request(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def api_error_response(*, status_code: int, detail: str) -> JsonResponse:
    """The JSON error body of CONTRACT §2, for answers given outside DRF's views."""
    return JsonResponse({"detail": detail}, status=status_code)


UNAUTHORIZED = OpenApiResponse(ErrorSerializer, description="No or invalid credentials.")
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="Unknown, or not the caller's.")
INVALID = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="Invalid input: an object mapping each field to a list of messages.",
)
CONFLICT = OpenApiResponse(ErrorSerializer, description="Not possible in the current state.")
THROTTLED = OpenApiResponse(ErrorSerializer, description="Too many requests; see `Retry-After`.")

MALFORMED_ADDRESS = "A NUL character in the path or a query parameter (refused before any view)."


def document_malformed_address(result: dict, generator, request, public) -> dict:
    """drf-spectacular post-processing hook: every operation may answer the 400 of
    `NulRejectMiddleware`, so every operation documents one."""
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for item in result.get("paths", {}).values():
        for operation in item.values():
            responses = operation.get("responses") if isinstance(operation, dict) else None
            if responses is not None and "400" not in responses:
                responses["400"] = {"description": MALFORMED_ADDRESS, "content": error}
    return result
