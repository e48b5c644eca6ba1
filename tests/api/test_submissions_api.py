"""The submissions and exercises API of CONTRACT §2, without a worker: rows stay queued unless a
test writes the per-test results a grading writes."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import User

from dlquiz.coding.models import GradedTest, RegradeJob, Submission
from dlquiz.coding.selectors import regrade_job_progress
from dlquiz.coding.services import MAX_CODE_BYTES, regrade_job_create
from tests.coding.factories import (
    SOFTMAX_TORCH,
    api_client_for,
    exercise_create,
    graded_submission_create,
    student_create,
    teacher_create,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def softmax():
    return exercise_create("softmax")


@pytest.fixture
def student() -> User:
    return student_create("lin")


@pytest.fixture
def client(student):
    return api_client_for(student)


def submit(client, body: dict, **headers):
    return client.post("/api/submissions/", body, format="json", **headers)


def body(**changes) -> dict:
    return {"exercise": "softmax", "framework": "torch", "code": SOFTMAX_TORCH} | changes


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/exercises/"),
        ("get", "/api/exercises/softmax/"),
        ("get", "/api/submissions/"),
        ("post", "/api/submissions/"),
        ("post", "/api/submissions/run-samples/"),
        ("get", "/api/submissions/1/"),
    ],
)
def test_anonymous_requests_get_401_with_a_challenge(softmax, method, path):
    """Without credentials every coding endpoint answers 401 (not 403) with WWW-Authenticate."""
    response = getattr(api_client_for(None), method)(path)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")
    assert "detail" in response.json()


def test_a_wrong_token_gets_401(softmax):
    client = api_client_for(None)
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert client.get("/api/exercises/").status_code == 401


def test_session_login_authenticates_the_api(softmax, student):
    from django.test import Client

    web = Client()
    web.login(username="lin", password="a-long-Passphrase-7")
    assert web.get("/api/exercises/").status_code == 200


def test_session_posts_need_the_csrf_token(softmax, student):
    """The web UI posts with its session; without the CSRF token the post is refused."""
    from django.test import Client

    web = Client(enforce_csrf_checks=True)
    web.login(username="lin", password="a-long-Passphrase-7")
    response = web.post("/api/submissions/", body(), content_type="application/json")
    assert response.status_code == 403
    assert not Submission.objects.exists()


def test_exercise_list_shows_published_exercises_to_students(client, softmax):
    exercise_create("attention", position=1)
    exercise_create("draft", is_published=False, position=2)
    response = client.get("/api/exercises/")
    assert response.status_code == 200
    items = response.json()
    assert [item["slug"] for item in items] == ["softmax", "attention"]
    assert set(items[0]) >= {"slug", "title", "max_score", "frameworks"}
    assert items[0]["frameworks"] == ["torch", "numpy"]
    assert items[0]["max_score"] == 10


def test_instructors_see_unpublished_exercises(softmax):
    exercise_create("draft", is_published=False, position=2)
    items = api_client_for(teacher_create()).get("/api/exercises/").json()
    assert "draft" in [item["slug"] for item in items]


def test_exercise_detail_has_statement_starter_code_and_samples(client, softmax):
    data = client.get("/api/exercises/softmax/").json()
    assert data["slug"] == "softmax"
    assert data["statement"] == softmax.statement
    assert data["starter_code"] == softmax.starter_code
    assert data["frameworks"] == ["torch", "numpy"]
    assert data["max_score"] == 10
    assert data["samples"] == softmax.samples


def test_exercise_detail_follows_the_requested_language(client, softmax):
    data = client.get("/api/exercises/softmax/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert data["statement"] == softmax.statement_en
    assert data["title"] == softmax.title_en


def test_unpublished_and_unknown_exercises_are_404_for_students(client, softmax):
    exercise_create("draft", is_published=False)
    assert client.get("/api/exercises/draft/").status_code == 404
    assert client.get("/api/exercises/nope/").status_code == 404


def test_post_records_a_queued_submission_and_answers_201(client, student, softmax):
    response = submit(client, body())
    assert response.status_code == 201
    data = response.json()
    submission = Submission.objects.get()
    assert data["id"] == submission.pk
    assert data["status"] == "queued"
    assert data["verdict"] is None and data["score"] is None and data["tests"] == []
    assert response["Location"] == f"/api/submissions/{submission.pk}/"
    assert (submission.user, submission.exercise, submission.code) == (
        student,
        softmax,
        SOFTMAX_TORCH,
    )
    assert submission.kind == Submission.Kind.SUBMISSION


def test_get_returns_the_contract_shape_while_queued(client, softmax):
    submission_id = submit(client, body()).json()["id"]
    data = client.get(f"/api/submissions/{submission_id}/").json()
    assert {
        "id",
        "exercise",
        "framework",
        "status",
        "verdict",
        "score",
        "max_score",
        "tests",
    } <= set(data)
    assert data["exercise"] == "softmax" and data["framework"] == "torch"
    assert data["max_score"] == 10


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"code": ""}, "code"),
        ({"code": "   \n"}, "code"),
        ({"code": "x = 1\x00"}, "code"),
        ({"code": 12}, "code"),
        ({"code": None}, "code"),
        ({"exercise": "no-such-exercise"}, "exercise"),
        ({"framework": "jax"}, "framework"),
        ({"framework": "python"}, "framework"),
    ],
)
def test_invalid_input_is_400_with_a_field_message(client, softmax, changes, field):
    response = submit(client, body(**changes))
    assert response.status_code == 400
    errors = response.json()
    assert isinstance(errors[field], list) and errors[field][0]
    assert not Submission.objects.exists()


def test_missing_fields_are_400_each_with_a_message(client, softmax):
    response = submit(client, {})
    assert response.status_code == 400
    assert set(response.json()) == {"exercise", "framework", "code"}


def test_code_of_exactly_64_kib_is_accepted_and_one_byte_more_is_not(client, softmax):
    header = "# é\n"  # multi-byte characters: the limit counts UTF-8 bytes
    filler = MAX_CODE_BYTES - len(header.encode())
    assert submit(client, body(code=header + "x" * filler)).status_code == 201
    response = submit(client, body(code=header + "x" * (filler + 1)))
    assert response.status_code == 400
    assert "64 KiB" in response.json()["code"][0]
    assert Submission.objects.count() == 1


def test_code_far_larger_than_the_limit_is_400_not_an_error(client, softmax):
    response = submit(client, body(code="x" * (1024 * 1024)))
    assert response.status_code == 400
    assert not Submission.objects.exists()


def test_invalid_utf8_in_the_body_is_400(client, softmax):
    raw = b'{"exercise": "softmax", "framework": "torch", "code": "\xff\xfe x = 1"}'
    response = client.generic("POST", "/api/submissions/", raw, content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()
    assert not Submission.objects.exists()


def test_a_lone_surrogate_escape_in_the_code_is_400(client, softmax):
    raw = b'{"exercise": "softmax", "framework": "torch", "code": "x = \\ud800"}'
    response = client.generic("POST", "/api/submissions/", raw, content_type="application/json")
    assert response.status_code == 400
    assert "code" in response.json()


def test_malformed_json_and_other_content_types_are_refused_cleanly(client, softmax):
    raw = b'{"exercise": '
    assert (
        client.generic(
            "POST", "/api/submissions/", raw, content_type="application/json"
        ).status_code
        == 400
    )
    assert client.post("/api/submissions/", body()).status_code == 415  # multipart form


def test_unpublished_exercise_cannot_be_submitted_to_by_students(client, softmax):
    exercise_create("draft", is_published=False)
    response = submit(client, body(exercise="draft"))
    assert response.status_code == 400
    assert "exercise" in response.json()


def test_another_students_submission_is_404_like_a_missing_one(client, softmax):
    other = student_create("mei")
    theirs = graded_submission_create(
        user=other, exercise=softmax, tests=[("small", False, "passed", 10, 10, "")]
    )
    assert client.get(f"/api/submissions/{theirs.pk}/").status_code == 404
    assert client.get("/api/submissions/999999/").status_code == 404
    assert client.get("/api/submissions/99999999999999999999999/").status_code == 404
    assert api_client_for(other).get(f"/api/submissions/{theirs.pk}/").status_code == 200


def test_history_lists_only_the_callers_own_submissions(client, student, softmax):
    attention = exercise_create("attention", position=1)
    mine = graded_submission_create(
        user=student, exercise=softmax, tests=[("a", False, "passed", 10, 10, "")]
    )
    graded_submission_create(
        user=student, exercise=attention, tests=[("a", False, "passed", 10, 10, "")]
    )
    graded_submission_create(
        user=student,
        exercise=softmax,
        kind=Submission.Kind.SAMPLES,
        tests=[("a", False, "passed", 10, 10, "")],
    )
    graded_submission_create(
        user=student_create("mei"), exercise=softmax, tests=[("a", False, "passed", 10, 10, "")]
    )
    items = client.get("/api/submissions/?exercise=softmax").json()
    assert [item["id"] for item in items] == [mine.pk]
    assert items[0]["verdict"] == "accepted" and items[0]["score"] == 10
    assert len(client.get("/api/submissions/").json()) == 2


def test_hidden_test_messages_never_reach_a_student(client, student, softmax):
    """A hidden test's message may quote its inputs: students get its name, status and score
    only; instructors get everything."""
    secret = "expected [0.1234, 0.8766] for x=[-3.2, -1.3]"
    submission = graded_submission_create(
        user=student,
        exercise=softmax,
        tests=[
            ("small", False, "wrong_answer", 0, 1, "max abs error 0.5 at [0]"),
            ("stable for large logits", True, "wrong_answer", 0, 1, secret),
        ],
    )
    response = client.get(f"/api/submissions/{submission.pk}/")
    assert secret not in response.content.decode()
    data = response.json()
    assert data["status"] == "graded" and data["verdict"] == "wrong_answer"
    visible, hidden = data["tests"]
    assert visible == {
        "name": "small",
        "hidden": False,
        "status": "wrong_answer",
        "score": 0,
        "max_score": 1,
        "time_ms": 0.5,
        "message": "max abs error 0.5 at [0]",
        # Additions to CONTRACT §2: the message as a code (here text no format covers), the
        # warnings of the test's call, a visible test's arrays (none stored here).
        "message_code": "text",
        "message_params": {"text": "max abs error 0.5 at [0]"},
        "warnings": [],
        "arrays": [],
    }
    assert hidden["name"] == "stable for large logits" and hidden["hidden"] is True
    assert hidden["status"] == "wrong_answer" and hidden["message"] == ""
    assert hidden["message_code"] == "" and hidden["message_params"] == {}
    assert hidden["time_ms"] is None
    teacher = api_client_for(teacher_create())
    assert teacher.get(f"/api/submissions/{submission.pk}/").json()["tests"][1]["message"] == secret


def test_a_hidden_performance_test_shows_a_student_its_time_against_the_limit_only(
    client, student, softmax
):
    """Exact times of hidden tests could carry their inputs out: a student gets the ratio to the
    allowed time to a tenth, an instructor the milliseconds."""
    submission = graded_submission_create(
        user=student,
        exercise=softmax,
        tests=[("performance: 4096 x 1024", True, "passed", 1, 1, "median time 0.5 ms")],
    )
    GradedTest.objects.filter(submission=submission).update(time_ms=0.517, time_limit_ms=1.25)
    test = client.get(f"/api/submissions/{submission.pk}/").json()["tests"][0]
    assert test["time_ms"] is None
    assert test["message"] == "within the allowed time (0.4x of the limit)"
    GradedTest.objects.filter(submission=submission).update(status="too_slow", time_ms=2.3)
    test = client.get(f"/api/submissions/{submission.pk}/").json()["tests"][0]
    assert (test["time_ms"], test["message"]) == (None, "over the allowed time (1.8x of the limit)")
    teacher = api_client_for(teacher_create())
    full = teacher.get(f"/api/submissions/{submission.pk}/").json()["tests"][0]
    assert (full["time_ms"], full["message"]) == (2.3, "median time 0.5 ms")


def test_a_third_pending_submission_is_429_with_retry_after_and_nothing_is_lost(client, softmax):
    first = submit(client, body())
    second = submit(client, body())
    assert (first.status_code, second.status_code) == (201, 201)
    third = submit(client, body())
    assert third.status_code == 429
    assert int(third["Retry-After"]) > 0
    assert "detail" in third.json()
    assert Submission.objects.count() == 2
    run = client.post("/api/submissions/run-samples/", body(), format="json")
    assert run.status_code == 429
    # Once one is graded, the next is accepted.
    Submission.objects.filter(pk=first.json()["id"]).update(status=Submission.Status.GRADED)
    assert submit(client, body()).status_code == 201


def test_instructors_are_exempt_from_quotas(softmax, settings):
    teacher = api_client_for(teacher_create())
    statuses = {submit(teacher, body()).status_code for _ in range(4)}
    assert statuses == {201}


def test_the_per_minute_throttle_answers_429_and_spares_polling(client, softmax, settings):
    settings.REST_FRAMEWORK = settings.REST_FRAMEWORK | {
        "DEFAULT_THROTTLE_RATES": {"submissions": "3/min", "anon": "120/min"}
    }
    codes = []
    for _ in range(4):
        response = submit(client, body())
        codes.append(response.status_code)
        Submission.objects.update(status=Submission.Status.GRADED)
    assert codes == [201, 201, 201, 429]
    assert int(response["Retry-After"]) > 0
    assert Submission.objects.count() == 3
    for _ in range(5):
        assert client.get("/api/submissions/").status_code == 200


def test_the_same_idempotency_key_returns_the_same_submission(client, softmax):
    first = submit(client, body(), HTTP_IDEMPOTENCY_KEY="retry-1")
    again = submit(client, body(), HTTP_IDEMPOTENCY_KEY="retry-1")
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Submission.objects.count() == 1
    other = submit(client, body(), HTTP_IDEMPOTENCY_KEY="retry-2")
    assert other.json()["id"] != first.json()["id"]


def test_a_retry_with_the_same_key_succeeds_even_when_the_quota_is_full(client, softmax):
    first = submit(client, body(), HTTP_IDEMPOTENCY_KEY="k1")
    submit(client, body(), HTTP_IDEMPOTENCY_KEY="k2")
    retry = submit(client, body(), HTTP_IDEMPOTENCY_KEY="k1")
    assert retry.status_code == 200 and retry.json()["id"] == first.json()["id"]


def test_idempotency_keys_belong_to_one_user(client, softmax):
    mine = submit(client, body(), HTTP_IDEMPOTENCY_KEY="same").json()["id"]
    theirs = submit(api_client_for(student_create("mei")), body(), HTTP_IDEMPOTENCY_KEY="same")
    assert theirs.status_code == 201 and theirs.json()["id"] != mine


def test_an_overlong_idempotency_key_is_400(client, softmax):
    response = submit(client, body(), HTTP_IDEMPOTENCY_KEY="k" * 129)
    assert response.status_code == 400
    assert not Submission.objects.exists()


def test_run_samples_is_recorded_apart_from_history(client, softmax):
    response = client.post("/api/submissions/run-samples/", body(), format="json")
    assert response.status_code == 201
    data = response.json()
    assert data["kind"] == "samples" and data["status"] == "queued"
    assert Submission.objects.get(pk=data["id"]).kind == Submission.Kind.SAMPLES
    assert client.get("/api/submissions/").json() == []
    assert client.get(f"/api/submissions/{data['id']}/").status_code == 200


def test_output_streams_are_shown_for_sample_runs_only(client, student, softmax):
    """Printed output may contain hidden inputs, so students see it only for sample runs."""
    graded = graded_submission_create(
        user=student, exercise=softmax, tests=[("h", True, "passed", 10, 10, "")]
    )
    samples = graded_submission_create(
        user=student,
        exercise=softmax,
        kind=Submission.Kind.SAMPLES,
        tests=[("s", False, "passed", 1, 1, "")],
    )
    Submission.objects.update(stdout="printed x")
    assert client.get(f"/api/submissions/{graded.pk}/").json()["stdout"] == ""
    assert client.get(f"/api/submissions/{samples.pk}/").json()["stdout"] == "printed x"


def test_regrade_puts_submissions_back_in_the_queue_and_reports_progress(student, softmax):
    teacher = teacher_create()
    submissions = [
        graded_submission_create(
            user=student, exercise=softmax, tests=[("a", False, "wrong_answer", 0, 10, "")]
        )
        for _ in range(3)
    ]
    job = regrade_job_create(
        created_by=teacher, submission_ids=[s.pk for s in submissions], description="all softmax"
    )
    assert Submission.objects.filter(status=Submission.Status.QUEUED).count() == 3
    assert regrade_job_progress(job=job).done == 0 and job.total == 3
    # A student polling a queued regrade sees no stale verdict.
    data = api_client_for(student).get(f"/api/submissions/{submissions[0].pk}/").json()
    assert data["status"] == "queued" and data["verdict"] is None and data["tests"] == []
    from django.utils import timezone

    Submission.objects.filter(pk=submissions[0].pk).update(
        status=Submission.Status.GRADED, graded_at=timezone.now()
    )
    progress = regrade_job_progress(job=RegradeJob.objects.get(pk=job.pk))
    assert (progress.done, progress.total, progress.finished) == (1, 3, False)


def test_the_openapi_schema_describes_the_coding_api(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    paths = schema["paths"]
    for path in (
        "/api/exercises/",
        "/api/exercises/{slug}/",
        "/api/submissions/",
        "/api/submissions/{submission_id}/",
        "/api/submissions/run-samples/",
    ):
        assert path in paths
    post = paths["/api/submissions/"]["post"]
    assert {"201", "400", "401", "429"} <= set(post["responses"])
    assert any(p["name"] == "Idempotency-Key" for p in post["parameters"])
    submission = schema["components"]["schemas"]["Submission"]
    assert {
        "id",
        "exercise",
        "framework",
        "status",
        "verdict",
        "score",
        "max_score",
        "tests",
    } <= set(submission["properties"])


def test_the_schema_passes_openapi_validation():
    """`manage.py spectacular --validate` raises on a schema that is not valid OpenAPI 3."""
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("spectacular", "--validate", stdout=out)
    assert "openapi: 3" in out.getvalue()


def test_swagger_ui_is_served_from_local_static_files(client):
    import re

    page = client.get("/api/docs/").content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert any("swagger-ui" in asset for asset in assets)
    for asset in assets:
        assert asset.startswith("/"), asset
    for asset in assets:
        if asset.startswith("/static/"):
            from django.contrib.staticfiles import finders

            assert finders.find(asset.removeprefix("/static/")), asset


def test_malformed_ids_and_slugs_get_a_json_404(client):
    for path in ("/api/submissions/abc/", "/api/submissions/-1/", "/api/exercises/no%20such/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/json", path
