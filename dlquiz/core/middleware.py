"""Requests no view can serve, answered before any view runs."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _

from dlquiz.core.api import api_error_response, is_api_request


class NulRejectMiddleware:
    """A NUL character in the path or a query parameter is a 400. No name, slug or search term
    holds one, and PostgreSQL refuses it in any text it compares, so it would otherwise reach the
    database and fail there (SQLite quietly finds nothing)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            message = _("The address contains a NUL character.")
            if is_api_request(request):
                return api_error_response(status_code=400, detail=message)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
