from django.contrib.auth import login
from django.contrib.auth.forms import UserCreationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from dlquiz.accounts.lockout import lockout_response
from dlquiz.core.api import INVALID, THROTTLED


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = UserCreationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("home")
    return render(request, "registration/signup.html", {"form": form})


class TokenRequestSerializer(AuthTokenSerializer):
    """DRF's, with lengths bounded: a username longer than any account's is refused as a field
    error before anything authenticates (or records a failed attempt) with it."""

    username = serializers.CharField(label="Username", max_length=150, write_only=True)
    password = serializers.CharField(
        label="Password",
        max_length=4096,
        style={"input_type": "password"},
        trim_whitespace=False,
        write_only=True,
    )


class TokenObtainApi(APIView):
    """Exchange a username and password for the API token of that user."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: inline_serializer("TokenResponse", {"token": serializers.CharField()}),
            400: INVALID,
            429: THROTTLED,
        },
    )
    def post(self, request: Request) -> Response:
        # The Django request, so that django-axes counts a failure and marks a lockout on the
        # object its middleware sees; a locked-out pair gets the 429 instead of the 400.
        serializer = TokenRequestSerializer(
            data=request.data, context={"request": request._request}
        )
        if not serializer.is_valid():
            if getattr(request._request, "axes_locked_out", False):
                return lockout_response(request._request)  # type: ignore[return-value]
            raise ValidationError(serializer.errors)
        token, _ = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key}, status=status.HTTP_200_OK)
