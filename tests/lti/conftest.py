"""The platform and the tool's registration with it, through django-lti's models as an
instructor fills them in the admin."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from lti_tool.models import Key, LtiDeployment, LtiRegistration

from tests.lti.platform import CLIENT_ID, DEPLOYMENT_ID, Platform


@pytest.fixture
def platform() -> Iterator[Platform]:
    server = Platform()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def lti_cache(redis_server, settings) -> None:
    """The login state and nonces live in the real Redis, as in a deployment."""
    settings.CACHES = {
        **settings.CACHES,
        "lti": {**settings.CACHES["lti"], "LOCATION": redis_server.url},
    }


@pytest.fixture
def registration(platform: Platform, db) -> LtiRegistration:
    key = Key.objects.generate()
    platform.tool_public_pem = key.public_key
    registration = LtiRegistration.objects.create(
        name="Test LMS",
        issuer=platform.issuer,
        client_id=CLIENT_ID,
        auth_url=f"{platform.url}/auth",
        token_url=f"{platform.url}/token",
        keyset_url=f"{platform.url}/jwks",
    )
    LtiDeployment.objects.create(
        registration=registration, deployment_id=DEPLOYMENT_ID, is_active=True
    )
    return registration
