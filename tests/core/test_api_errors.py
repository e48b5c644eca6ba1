"""Errors under /api/ are JSON (CONTRACT §2) even when no API view answers: unknown URLs,
bodies over the upload limit, JSON nested too deeply. Pages keep Django's HTML answers."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import RequestDataTooBig
from django.test import RequestFactory

from dlquiz.core.views import bad_request
from tests.coding.factories import api_client_for, student_create

pytestmark = pytest.mark.django_db


def assert_json_error(response, status: int) -> str:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    detail = json.loads(response.content)["detail"]
    assert isinstance(detail, str) and detail
    return detail


@pytest.mark.parametrize("url", ["/api/nope/", "/api/", "/api/cards/abc/", "/api/a/b/c/"])
def test_unknown_api_urls_get_a_json_404(url: str):
    """A URL under /api/ that names no endpoint gets the API's own 404 body."""
    response = api_client_for(None).get(url)
    assert assert_json_error(response, 404) == "Not found."


def test_a_token_clients_post_to_an_unknown_url_gets_the_404_not_a_csrf_page():
    response = api_client_for(student_create()).post("/api/nope/", {"a": 1}, format="json")
    assert_json_error(response, 404)


def test_unknown_api_urls_get_json_with_debug_on_too(settings):
    """With DEBUG on Django would answer its HTML debug page; the API keeps its JSON."""
    settings.DEBUG = True
    assert_json_error(api_client_for(None).get("/api/nope/"), 404)


def test_an_api_url_without_its_slash_still_redirects_to_the_endpoint():
    response = api_client_for(None).get("/api/cards")
    assert response.status_code == 301
    assert response["Location"] == "/api/cards/"


def test_unknown_pages_keep_the_html_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_an_oversized_body_is_a_json_400_that_states_the_limit(settings):
    """Not a 413: CONTRACT §2 answers invalid input with a 400."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    body = json.dumps({"rating": "good", "padding": "x" * (100 * 1024)})
    response = api_client_for(student_create()).generic(
        "POST", "/api/auth/token/", data=body, content_type="application/json"
    )
    assert "64 KiB" in assert_json_error(response, 400)


@pytest.mark.parametrize(
    "body", [b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 30_000 + b"1" + b"}" * 30_000]
)
def test_json_nested_too_deeply_is_a_400_that_says_so(body: bytes):
    response = api_client_for(student_create()).generic(
        "POST", "/api/exams/attempts/", data=body, content_type="application/json"
    )
    assert "nested too deeply" in assert_json_error(response, 400)


def test_malformed_json_keeps_drfs_parse_error_message():
    response = api_client_for(student_create()).generic(
        "POST", "/api/exams/attempts/", data=b'{"topics": ', content_type="application/json"
    )
    assert assert_json_error(response, 400).startswith("JSON parse error - ")


def test_a_body_too_big_read_outside_an_api_view_is_json_under_api():
    """handler400: Django turns RequestDataTooBig raised by a middleware into a 400; under
    /api/ it is answered as the API would."""
    request = RequestFactory().post("/api/submissions/")
    response = bad_request(request, RequestDataTooBig("too big"))
    assert "KiB" in assert_json_error(response, 400)


def test_a_bad_request_on_a_page_keeps_the_html_400():
    request = RequestFactory().post("/login/")
    response = bad_request(request, RequestDataTooBig("too big"))
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


def test_a_server_error_under_api_is_json_without_details():
    """handler500: an API client can still parse the answer, which says nothing of the error."""
    from dlquiz.core.views import server_error

    response = server_error(RequestFactory().get("/api/submissions/1/"))
    assert assert_json_error(response, 500) == "Internal server error."


def test_a_server_error_on_a_page_is_djangos_page():
    from dlquiz.core.views import server_error

    response = server_error(RequestFactory().get("/topics/"))
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
