"""Property-based fuzzing of the whole API from its own OpenAPI document (/api/schema/), with
schemathesis, in-process through the WSGI application: no request may end in a 5xx, and every
response must match what the schema documents (status code, content type, body).

Run as a student (quotas and throttles apply) and as an instructor (who sees everything), each
with a bounded number of examples per operation so the file runs in a few minutes on CI."""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from dlquiz.wsgi import application
from tests.security.conftest import World

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

# Bounded for CI; DLQUIZ_FUZZ_EXAMPLES=500 digs deeper locally.
MAX_EXAMPLES = int(os.environ.get("DLQUIZ_FUZZ_EXAMPLES", "25"))

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    # Input the schema forbids must not be accepted with a 2xx.
    negative_data_rejection,
]


# Generating the document needs no database, so it is loaded once, at collection.
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)

FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)


@pytest.fixture(autouse=True)
def keep_the_test_connection_open():
    """Django's test client keeps the database connection across requests (the test runs in a
    transaction); calling the WSGI application directly must do the same, or each request
    would close the connection at its end."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


# Status codes each operation must document, beyond what its shape implies (see below).
EXTRA_DOCUMENTED: dict[str, set[str]] = {}


def operations() -> list[tuple[str, dict]]:
    document = schema.raw_schema
    return [
        (f"{method.upper()} {path}", operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def statuses_required(label: str, operation: dict) -> set[str]:
    """401 when credentials are required, 404 when the path names a resource, 400 always (a
    body to validate, or a NUL character in the address)."""
    required = set(EXTRA_DOCUMENTED.get(label, set())) | {"400"}
    security = operation.get("security", [])
    if security and {} not in security:
        required.add("401")
    if "{" in label:
        required.add("404")
    return required


@pytest.mark.parametrize(
    "label, operation", [pytest.param(label, op, id=label) for label, op in operations()]
)
def test_every_operation_documents_its_statuses(label: str, operation: dict):
    """Clients can rely on the schema: the error statuses an operation answers are in it."""
    missing = statuses_required(label, operation) - set(operation["responses"])
    assert not missing, f"{label} does not document {sorted(missing)}"


def validate(case, **kwargs) -> None:
    case.call_and_validate(checks=CHECKS, **kwargs)


def token_header(user) -> dict[str, str]:
    token, _ = Token.objects.get_or_create(user=user)
    return {"Authorization": f"Token {token.key}"}


@FUZZ_SETTINGS
@schema.parametrize()
def test_api_as_a_student(case, world: World):
    """Whatever a student sends, the API answers with a documented, well-formed response."""
    cache.clear()  # the per-minute throttle would otherwise turn most examples into 429s
    validate(case, headers=token_header(world.student_a))


@FUZZ_SETTINGS
@schema.parametrize()
def test_api_as_an_instructor(case, world: World):
    """Instructors are exempt from quotas, so their examples reach deeper into each handler."""
    validate(case, headers=token_header(world.instructor))


@FUZZ_SETTINGS
@schema.parametrize()
def test_api_without_credentials(case, world: World):
    """Anonymous requests get 401 (or the public answer), never a 5xx."""
    cache.clear()
    validate(case)
