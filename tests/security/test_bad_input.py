"""Hostile or broken requests get a clear 4xx JSON answer, never a 500: oversized bodies,
invalid UTF-8, NUL bytes, deeply nested JSON, wrong content types, malformed JSON and values of
the wrong type, on every endpoint that accepts a body, and absurd path or query values."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from dlquiz.coding.models import Submission
from tests.security.conftest import World, token_client

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Endpoint:
    method: str
    url: Callable[[World], str]
    valid: Callable[[World], dict]
    name: str


SOFTMAX = "def softmax(x, dim=-1):\n    return x\n"

ENDPOINTS = [
    Endpoint(
        "POST",
        lambda w: "/api/auth/token/",
        lambda w: {"username": "alice", "password": "not it"},
        "token",
    ),
    Endpoint(
        "POST",
        lambda w: "/api/submissions/",
        lambda w: {"exercise": "softmax", "framework": "torch", "code": SOFTMAX},
        "submit",
    ),
    Endpoint(
        "POST",
        lambda w: "/api/submissions/run-samples/",
        lambda w: {"exercise": "softmax", "framework": "torch", "code": SOFTMAX},
        "run-samples",
    ),
    Endpoint(
        "POST",
        lambda w: f"/api/reviews/{w.card.pk}/rate/",
        lambda w: {"rating": "good"},
        "review-rate",
    ),
    Endpoint(
        "POST",
        lambda w: "/api/exams/attempts/",
        lambda w: {"topics": [w.topic.slug], "count": 1, "time_limit_minutes": 5},
        "attempt-create",
    ),
    Endpoint(
        "PUT",
        lambda w: f"/api/exams/attempts/{w.attempt_a.pk}/answers/1/",
        lambda w: {"answer": 1},
        "attempt-answer",
    ),
]
# Endpoints that take no body must shrug off whatever body comes anyway.
BODYLESS = [
    Endpoint("POST", lambda w: "/api/reviews/undo/", lambda w: {}, "review-undo"),
    Endpoint(
        "POST",
        lambda w: f"/api/exams/attempts/{w.attempt_a.pk}/finish/",
        lambda w: {},
        "attempt-finish",
    ),
]

BAD_BODIES: dict[str, tuple[bytes, str]] = {
    "malformed json": (b'{"exercise": "softmax", ', "application/json"),
    "trailing garbage": (b'{"rating": "good"} xyz', "application/json"),
    "invalid utf-8": (b'{"code": "\xff\xfe\xfd", "rating": "\xc3\x28"}', "application/json"),
    "raw nul byte": (b'{"code": "a\x00b"}', "application/json"),
    "json array": (b"[1, 2, 3]", "application/json"),
    "json string": (b'"softmax"', "application/json"),
    "json number": (b"42", "application/json"),
    "json null": (b"null", "application/json"),
    "empty body": (b"", "application/json"),
    "nan literal": (b'{"answer": NaN, "count": Infinity}', "application/json"),
    "huge number": (b'{"answer": 1e999999, "count": 1' + b"0" * 5000 + b"}", "application/json"),
    "form encoded": (
        b"exercise=softmax&framework=torch&code=x",
        "application/x-www-form-urlencoded",
    ),
    "multipart": (
        b'--b\r\nContent-Disposition: form-data; name="code"\r\n\r\nx\r\n--b--\r\n',
        "multipart/form-data; boundary=b",
    ),
    "plain text": (b"def softmax(x): return x", "text/plain"),
    "xml": (b"<submission><code>x</code></submission>", "application/xml"),
    "json with charset latin-1": (
        '{"code": "é"}'.encode("latin-1"),
        "application/json; charset=latin-1",
    ),
}


def assert_clear_4xx(response, where: str) -> dict:
    """A 4xx answer in JSON whose body says what is wrong."""
    assert 400 <= response.status_code < 500, (
        f"{where}: {response.status_code} {response.content[:300]!r}"
    )
    assert response["Content-Type"].startswith("application/json"), (
        f"{where}: {response['Content-Type']} {response.content[:200]!r}"
    )
    body = response.json()
    assert isinstance(body, dict) and body, f"{where}: {body!r}"
    text = json.dumps(body)
    assert len(text) > 10 and "Traceback" not in text, f"{where}: {text}"
    return body


def send(client, endpoint: Endpoint, world: World, body: bytes, content_type: str):
    return client.generic(
        endpoint.method, endpoint.url(world), data=body, content_type=content_type
    )


@pytest.mark.parametrize("case", list(BAD_BODIES), ids=list(BAD_BODIES))
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.name for e in ENDPOINTS])
def test_bad_bodies_get_a_clear_4xx(world: World, endpoint: Endpoint, case: str):
    """Each broken body is refused with a JSON message and writes nothing."""
    body, content_type = BAD_BODIES[case]
    before = Submission.objects.count()
    client = token_client(world.student_a)
    response = send(client, endpoint, world, body, content_type)
    assert_clear_4xx(response, f"{endpoint.method} {endpoint.url(world)} with {case}")
    assert Submission.objects.count() == before


# Python's json module recurses once per level: about 1,000 levels exhaust the stack.
NESTED: dict[str, bytes] = {
    "arrays": b"[" * 50_000 + b"]" * 50_000,
    "objects": b'{"a":' * 20_000 + b"1" + b"}" * 20_000,
}


@pytest.mark.parametrize("shape", list(NESTED))
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.name for e in ENDPOINTS])
def test_deeply_nested_json_gets_a_clear_4xx(world: World, endpoint: Endpoint, shape: str):
    """JSON nested tens of thousands of levels deep (small enough to pass the size limit) is
    refused as invalid input, not answered with a 500."""
    response = send(
        token_client(world.student_a), endpoint, world, NESTED[shape], "application/json"
    )
    assert_clear_4xx(response, f"{endpoint.method} {endpoint.url(world)} nested {shape}")


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.name for e in ENDPOINTS])
def test_oversized_body_gets_a_clear_4xx_in_json(world: World, endpoint: Endpoint):
    """A body beyond the upload limit (2 MiB against 256 KiB) is refused, in JSON like every
    other API error, and nothing is recorded."""
    before = Submission.objects.count()
    body = json.dumps(
        {"exercise": "softmax", "framework": "torch", "code": "#" * (2 * 2**20)}
    ).encode()
    response = send(token_client(world.student_a), endpoint, world, body, "application/json")
    assert_clear_4xx(response, f"{endpoint.method} {endpoint.url(world)} with 2 MiB")
    assert Submission.objects.count() == before


@pytest.mark.parametrize("case", [*BAD_BODIES, *NESTED])
@pytest.mark.parametrize("endpoint", BODYLESS, ids=[e.name for e in BODYLESS])
def test_bodyless_endpoints_never_fail_on_a_body(world: World, endpoint: Endpoint, case: str):
    """Endpoints without input either ignore a stray body or refuse it with a 4xx; never 500."""
    body, content_type = (
        BAD_BODIES[case] if case in BAD_BODIES else (NESTED[case], "application/json")
    )
    response = send(token_client(world.student_a), endpoint, world, body, content_type)
    assert response.status_code < 500, f"{endpoint.name} with {case}: {response.status_code}"
    if response.status_code >= 400:
        assert_clear_4xx(response, f"{endpoint.name} with {case}")


WRONG_TYPES = [
    {"exercise": 1, "framework": "torch", "code": SOFTMAX},
    {"exercise": ["softmax"], "framework": "torch", "code": SOFTMAX},
    {"exercise": "softmax", "framework": {"x": 1}, "code": SOFTMAX},
    {"exercise": "softmax", "framework": "torch", "code": 12},
    {"exercise": "softmax", "framework": "torch", "code": None},
    {"exercise": "softmax", "framework": "torch", "code": {"a": "b"}},
    {"exercise": "softmax", "framework": "torch", "code": "a\x00b"},
    {"exercise": "softmax", "framework": "torch", "code": "x = '\ud800'"},
    {"exercise": "soft\x00max", "framework": "torch", "code": SOFTMAX},
    {"exercise": "../../etc/passwd", "framework": "torch", "code": SOFTMAX},
    {"exercise": "softmax", "framework": "jax", "code": SOFTMAX},
    {"exercise": "softmax", "framework": "torch", "code": "   \n\t  "},
    {"exercise": "softmax", "framework": "torch", "code": "#" * (64 * 1024 + 1)},
    {"exercise": "s" * 10_000, "framework": "torch", "code": SOFTMAX},
    {},
]


@pytest.mark.parametrize("url", ["/api/submissions/", "/api/submissions/run-samples/"])
@pytest.mark.parametrize("payload", WRONG_TYPES, ids=range(len(WRONG_TYPES)))
def test_submission_fields_of_the_wrong_kind_get_field_messages(world: World, url, payload):
    """Each field is validated with a message naming the field; nothing is recorded."""
    before = Submission.objects.count()
    body = json.dumps(payload).encode()  # \ud800 survives as an escape, as a client may send it
    response = token_client(world.student_a).generic(
        "POST", url, data=body, content_type="application/json"
    )
    errors = assert_clear_4xx(response, f"POST {url} {str(payload)[:80]}")
    assert response.status_code == 400
    assert set(errors) <= {"exercise", "framework", "code", "detail", "non_field_errors"}
    assert Submission.objects.count() == before


@pytest.mark.parametrize(
    "url, payload",
    [
        ("/api/auth/token/", {"username": "a\x00", "password": "b"}),
        ("/api/auth/token/", {"username": ["alice"], "password": {"x": 1}}),
        ("/api/auth/token/", {"username": "alice" * 10_000, "password": "x" * 100_000}),
        ("/api/reviews/{card}/rate/", {"rating": "superb"}),
        ("/api/reviews/{card}/rate/", {"rating": None}),
        ("/api/reviews/{card}/rate/", {"rating": ["good"]}),
        ("/api/reviews/{card}/rate/", {"rating": "go\x00od"}),
        ("/api/exams/attempts/", {"topics": [], "count": 1, "time_limit_minutes": 5}),
        ("/api/exams/attempts/", {"topics": "sec-topic", "count": 1, "time_limit_minutes": 5}),
        ("/api/exams/attempts/", {"topics": ["nope"], "count": 1, "time_limit_minutes": 5}),
        ("/api/exams/attempts/", {"topics": ["sec\x00"], "count": 1, "time_limit_minutes": 5}),
        ("/api/exams/attempts/", {"topics": ["sec-topic"], "count": -1, "time_limit_minutes": 5}),
        (
            "/api/exams/attempts/",
            {"topics": ["sec-topic"], "count": 10**30, "time_limit_minutes": 5},
        ),
        (
            "/api/exams/attempts/",
            {"topics": ["sec-topic"], "count": 1, "time_limit_minutes": 1e308},
        ),
        (
            "/api/exams/attempts/",
            {"topics": [f"t{i}" for i in range(2_000)], "count": 1, "time_limit_minutes": 5},
        ),
        ("/api/exams/attempts/", {"topics": [{"a": 1}], "count": "x", "time_limit_minutes": None}),
    ],
)
def test_other_writes_with_wrong_values_get_field_messages(world: World, url, payload):
    response = token_client(world.student_a).post(
        url.format(card=world.card.pk), payload, format="json"
    )
    assert_clear_4xx(response, f"POST {url} {str(payload)[:80]}")


@pytest.mark.parametrize(
    "answer",
    ["x\x00", 10**400, -1, 99, [0, 1, "x"], {"a": 1}, "1" * 100_000, [[[[[]]]]], True],
    ids=range(9),
)
def test_exam_answers_of_any_shape_never_fail(world: World, answer):
    """An autosaved answer is stored when it fits the question and refused with a message
    when it does not; grading afterwards works either way."""
    client = token_client(world.student_a)
    url = f"/api/exams/attempts/{world.attempt_a.pk}/"
    response = client.generic(
        "PUT",
        f"{url}answers/1/",
        data=json.dumps({"answer": answer}),
        content_type="application/json",
    )
    assert response.status_code in (200, 400), response.content[:300]
    if response.status_code == 400:
        assert_clear_4xx(response, f"answer {str(answer)[:40]}")
    finished = client.post(f"{url}finish/", {}, format="json")
    assert finished.status_code == 200, finished.content[:300]


HUGE = "9" * 40


@pytest.mark.parametrize(
    "url",
    [
        f"/api/submissions/{HUGE}/",
        "/api/submissions/-1/",
        "/api/submissions/0/",
        "/api/submissions/1e3/",
        f"/api/exams/attempts/{HUGE}/",
        f"/api/exams/attempts/1/answers/{HUGE}/",
        f"/api/cards/{HUGE}/",
        f"/api/exercises/{'x' * 5000}/",
        "/api/exercises/%00/",
        "/api/submissions/?exercise=%00",
        "/api/submissions/?exercise=" + "x" * 10_000,
        "/api/cards/?search=%00",
        "/api/cards/?search=" + "%F0%9F%92%A9" * 2000,
        "/api/cards/?search=%ff%fe",
        "/api/cards/?topic=%00",
        "/api/reviews/due/?topic=%00",
        "/api/reviews/due/?topic=" + "x" * 10_000,
    ],
)
def test_absurd_path_and_query_values_never_fail(world: World, url: str):
    """Out-of-range ids, NUL bytes and huge query strings give 200 or a clear 4xx."""
    response = token_client(world.student_a).get(url)
    assert response.status_code < 500, f"{url[:80]}: {response.status_code}"
    if response.status_code >= 400 and response.status_code != 404:
        assert_clear_4xx(response, url[:80])


@pytest.mark.parametrize(
    "url",
    [
        f"/submissions/{HUGE}/",
        f"/submissions/{HUGE}/result/",
        f"/exams/attempts/{HUGE}/",
        f"/exams/{HUGE}/start/",
        f"/cards/{HUGE}/",
        f"/topics/{'x' * 5000}/",
        "/search/?q=%00",
        "/search/?q=" + "x" * 10_000,
        "/search/?q=%ff%fe",
        f"/topics/sec-topic/random/?after={HUGE}",
        "/review/?topic=%00",
        "/exercises/%00/",
    ],
)
def test_absurd_page_urls_never_fail(world: World, url: str):
    from tests.security.conftest import session_client

    client = session_client(world.student_a)
    method = client.post if url.endswith("/start/") else client.get
    response = method(url)
    assert response.status_code < 500, f"{url[:80]}: {response.status_code}"


@pytest.mark.parametrize(
    "url, data",
    [
        ("/accounts/login/", {"username": "a\x00", "password": "x"}),
        ("/accounts/signup/", {"username": "e\x00ve", "password1": "x", "password2": "x"}),
        ("/accounts/signup/", {"username": "e" * 10_000, "password1": "x", "password2": "x"}),
        ("/review/{card}/rate/", {"rating": "\x00"}),
        ("/exams/new/", {"topics": ["\x00"], "count": "1e9", "time_limit_minutes": "-5"}),
        ("/exams/attempts/{attempt}/finish/", {"answer-1": "\x00" * 1000}),
    ],
)
def test_web_forms_with_bad_values_never_fail(world: World, url: str, data: dict):
    from tests.security.conftest import session_client

    client = session_client(None if "accounts" in url else world.student_a)
    response = client.post(url.format(card=world.card.pk, attempt=world.attempt_a.pk), data)
    assert response.status_code < 500, f"{url}: {response.status_code}"
