"""The answer to a login refused because its username and address failed too often."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from axes.helpers import get_cool_off
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dlquiz.core.api import api_error_response, is_api_request

LOCKED_STATUS = 429


def lockout_message(*, cool_off: timedelta | None) -> str:
    """Translated, and saying when to try again and who can lift the lock earlier."""
    if cool_off is None:
        return _("Too many failed logins. Ask an administrator to unlock your account.")
    minutes = max(1, round(cool_off.total_seconds() / 60))
    return ngettext(
        "Too many failed logins. Try again in %(minutes)d minute, or ask an administrator "
        "to unlock your account.",
        "Too many failed logins. Try again in %(minutes)d minutes, or ask an administrator "
        "to unlock your account.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: a 429 with Retry-After; JSON under /api/, a page elsewhere."""
    cool_off = get_cool_off(request)
    message = lockout_message(cool_off=cool_off)
    if is_api_request(request):
        response: HttpResponse = api_error_response(status_code=LOCKED_STATUS, detail=message)
    else:
        response = render(
            request, "registration/locked_out.html", {"message": message}, status=LOCKED_STATUS
        )
    if cool_off is not None:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response


def client_address(request: HttpRequest) -> str:
    """AXES_CLIENT_IP_CALLABLE: REMOTE_ADDR, or behind DLQUIZ_PROXY_COUNT proxies the address the
    outermost of them saw (a client can prepend anything to X-Forwarded-For, never append)."""
    proxies = settings.DLQUIZ_PROXY_COUNT
    if proxies > 0:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return str(request.META.get("REMOTE_ADDR", ""))
