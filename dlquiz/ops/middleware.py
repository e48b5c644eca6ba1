"""Per-request context: the acting user (for the audit log) and the submission a request is about
(for its log records)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from dlquiz.ops.context import current_actor, current_submission_id


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        actor_token = current_actor.set(getattr(request, "user", None))
        submission_token = current_submission_id.set(None)
        try:
            return self.get_response(request)
        finally:
            current_submission_id.reset(submission_token)
            current_actor.reset(actor_token)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> None:
        raw = view_kwargs.get("submission_id")
        if raw is not None and str(raw).isdigit():
            current_submission_id.set(int(raw))
        return None
