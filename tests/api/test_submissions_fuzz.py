"""Property-based requests generated from the OpenAPI document: the coding endpoints never
answer 5xx, and every answer matches the schema."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from dlquiz.coding.services import exercises_sync
from dlquiz.wsgi import application
from tests.coding.factories import api_client_for, student_create

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


@pytest.fixture
def token_header() -> dict[str, str]:
    # As in Django's test client: the test's transaction must outlive each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    exercises_sync()
    client = api_client_for(student_create("fuzz"))
    yield {"Authorization": client._credentials["HTTP_AUTHORIZATION"]}
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.include(path_regex=r"^/api/(exercises|submissions)/").parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_coding_endpoints_conform_to_their_schema(case, token_header):
    cache.clear()
    # Schema-valid bodies may still name an unknown exercise, which is a documented 400.
    case.call_and_validate(headers=token_header, excluded_checks=[positive_data_acceptance])
