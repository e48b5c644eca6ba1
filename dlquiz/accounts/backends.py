"""Authentication backends: login attempts from outside are counted and refused when locked out."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class LoginAttemptBackend(AxesStandaloneBackend):
    """django-axes' check, for calls that come with a request.

    ``authenticate()`` without a request is made in-process (the test client's ``login``, the
    shell, a management command), never by someone guessing passwords over the network; axes
    would refuse it outright, so it is left to the next backend uncounted.
    """

    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
