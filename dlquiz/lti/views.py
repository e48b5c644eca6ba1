"""LTI 1.3 endpoints: the tool's JWKS, OIDC login initiation and the launch. Verification
(signature against the platform's keyset, issuer, audience, nonce, state, expiry, deployment)
is pylti1p3's; a launch that fails it gets a 4xx page saying why."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from lti_tool.models import LtiLaunch
from lti_tool.utils import DjangoToolConfig, sync_data_from_launch
from lti_tool.views import OIDCLoginInitView
from lti_tool.views import jwks as lti_jwks
from pylti1p3.contrib.django import DjangoCacheDataStorage, DjangoMessageLaunch, DjangoOIDCLogin
from pylti1p3.exception import LtiException

from dlquiz.lti import services

LAUNCH_CACHE = "lti"
NONCE_KEY = "-nonce-"


class LaunchStateStorage(DjangoCacheDataStorage):
    """pylti1p3's cache storage with one change: a nonce is spent by the launch that checks it
    (deleted atomically), so a captured id_token cannot be posted again."""

    def __init__(self) -> None:
        super().__init__(cache_name=LAUNCH_CACHE)

    def check_value(self, key: str) -> bool:
        if NONCE_KEY in key:
            return bool(self._get_cache().delete(self._prepare_key(key)))
        return bool(super().check_value(key))


def refused(request: HttpRequest, message: str, *, status: int) -> HttpResponse:
    return render(request, "lti/refused.html", {"message": message}, status=status)


def jwks(request: HttpRequest) -> HttpResponse:
    """The tool's public keys, for platforms to verify its service requests."""
    return lti_jwks(request)


@method_decorator((csrf_exempt, xframe_options_exempt), name="dispatch")
class OidcLoginApi(OIDCLoginInitView):
    def get_oidc_response(
        self, request: HttpRequest, registration_uuid: UUID, params: Any
    ) -> HttpResponse:
        if not params.get("target_link_uri") or not params.get("iss"):
            return refused(
                request, _("The login request lacks iss or target_link_uri."), status=400
            )
        oidc = DjangoOIDCLogin(
            request,
            DjangoToolConfig(registration_uuid),
            launch_data_storage=LaunchStateStorage(),
        )
        try:
            return oidc.redirect(params.get("target_link_uri"))
        except LtiException as exc:
            return refused(request, _("Login refused: %(reason)s") % {"reason": exc}, status=400)


@method_decorator((csrf_exempt, xframe_options_exempt), name="dispatch")
class LaunchApi(View):
    """django-lti's launch steps (validate, record the platform's data, check the deployment),
    with the login state read from the shared cache the login initiation wrote it to."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        request.session.clear()
        message_launch = DjangoMessageLaunch(
            request,
            DjangoToolConfig(),
            launch_data_storage=LaunchStateStorage(),
        )
        try:
            message_launch.validate()
            lti_launch = LtiLaunch(message_launch)
            sync_data_from_launch(lti_launch)
        except LtiException as exc:
            return refused(request, _("Launch refused: %(reason)s") % {"reason": exc}, status=400)
        if not lti_launch.deployment.is_active:
            return refused(
                request,
                _(
                    "This deployment is not registered with dlquiz; ask the administrator to add it."
                ),
                status=403,
            )
        if not lti_launch.is_resource_launch:
            return refused(request, _("Only links to a resource can be opened."), status=400)
        try:
            result = services.launch_accept(launch=lti_launch)
        except services.LaunchRefused as exc:
            return refused(request, str(exc.message), status=exc.status)
        login(request, result.user, backend="django.contrib.auth.backends.ModelBackend")
        return HttpResponseRedirect(result.redirect_to)
