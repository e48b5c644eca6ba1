"""The reviews and exam-attempt API: auth, ownership, validation, hidden answers, schema."""

import pytest
from rest_framework.test import APIClient

from dlquiz.quiz.models import ExamAttempt


@pytest.fixture
def client_for():
    def make(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


def start(client, **overrides):
    body = {"topics": ["cnn"], "count": 5, "time_limit_minutes": 10, **overrides}
    return client.post("/api/exams/attempts/", body, format="json")


def test_endpoints_require_authentication(client_for, questions):
    """Without credentials every review and exam endpoint answers 401."""
    anon = client_for()
    assert anon.get("/api/reviews/due/").status_code == 401
    assert anon.post("/api/reviews/undo/").status_code == 401
    assert start(anon).status_code == 401
    assert anon.get("/api/exams/attempts/1/").status_code == 401


def test_token_auth_works(questions, student):
    """A script with `Authorization: Token <key>` can start an attempt."""
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=student)
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert start(client).status_code == 201


def test_attempt_hides_answers_until_graded(client_for, student, questions):
    """Before grading no expected answer, explanation or variant parameter is in the response."""
    client = client_for(student)
    response = start(client)
    assert response.status_code == 201
    data = response.json()
    text = response.content.decode()
    assert len(data["items"]) == 5 and data["status"] == "in_progress"
    assert all("expected" not in i and "explanation" not in i for i in data["items"])
    for forbidden in ("because b", "params", "seed", "tolerance", "patterns"):
        assert forbidden not in text
    assert (
        client.get(f"/api/exams/attempts/{data['id']}/").json()["items"][0].get("expected") is None
    )


def test_answer_finish_and_result(client_for, student, questions):
    """Answers are saved per position; finishing grades and reveals answers and card links."""
    client = client_for(student)
    data = start(client).json()
    attempt = ExamAttempt.objects.get(pk=data["id"])
    single = attempt.items.get(kind="single")
    url = f"/api/exams/attempts/{attempt.pk}/answers/{single.position}/"
    saved = client.put(url, {"answer": single.expected["choice"]}, format="json")
    assert saved.status_code == 200 and saved.json()["answer"] == single.expected["choice"]
    result = client.post(f"/api/exams/attempts/{attempt.pk}/finish/").json()
    assert result["status"] == "graded" and result["score"] == 1
    graded_single = next(i for i in result["items"] if i["kind"] == "single")
    assert graded_single["is_correct"] and graded_single["expected"] == "b"
    assert graded_single["cards"]
    assert client.put(url, {"answer": 0}, format="json").status_code == 409


def test_other_students_attempts_are_404(client_for, student, other_student, questions):
    """Another student's attempt does not exist for the caller: 404 on read, answer and finish."""
    attempt_id = start(client_for(student)).json()["id"]
    other = client_for(other_student)
    assert other.get(f"/api/exams/attempts/{attempt_id}/").status_code == 404
    assert (
        other.put(
            f"/api/exams/attempts/{attempt_id}/answers/1/", {"answer": 1}, format="json"
        ).status_code
        == 404
    )
    assert other.post(f"/api/exams/attempts/{attempt_id}/finish/").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"topics": []}, "topics"),
        ({"topics": ["no-such-topic"]}, "topics"),
        ({"count": 0}, "count"),
        ({"count": "many"}, "count"),
        ({"time_limit_minutes": 100000}, "time_limit_minutes"),
    ],
)
def test_create_validation_is_400_with_field_messages(client_for, student, questions, body, field):
    """Invalid exam parameters answer 400 with a message under the offending field."""
    response = start(client_for(student), **body)
    assert response.status_code == 400
    assert field in response.json() and response.json()[field]


def test_answer_validation_is_400(client_for, student, questions):
    """A malformed answer or a missing position answers 400 naming the field."""
    client = client_for(student)
    attempt = ExamAttempt.objects.get(pk=start(client).json()["id"])
    numeric = attempt.items.get(question__key="q-numeric")
    r = client.put(
        f"/api/exams/attempts/{attempt.pk}/answers/{numeric.position}/",
        {"answer": "abc"},
        format="json",
    )
    assert r.status_code == 400 and "answer" in r.json()
    r = client.put(f"/api/exams/attempts/{attempt.pk}/answers/99/", {"answer": 1}, format="json")
    assert r.status_code == 400 and "position" in r.json()
    r = client.put(f"/api/exams/attempts/{attempt.pk}/answers/1/", {}, format="json")
    assert r.status_code == 400 and "answer" in r.json()


def test_review_due_rate_and_undo(client_for, student, cards):
    """Due cards are listed, a rating schedules the card, undo restores it, bad input is 400."""
    client = client_for(student)
    due = client.get("/api/reviews/due/").json()
    assert due["due_count"] == 0 and len(due["cards"]) == len(cards)
    card_id = due["cards"][0]["card_id"]
    rated = client.post(f"/api/reviews/{card_id}/rate/", {"rating": "again"}, format="json")
    assert rated.status_code == 200 and rated.json()["reps"] == 1
    bad = client.post(f"/api/reviews/{card_id}/rate/", {"rating": "meh"}, format="json")
    assert bad.status_code == 400 and "rating" in bad.json()
    assert client.get("/api/reviews/due/?topic=nope").status_code == 400
    assert (
        client.post("/api/reviews/999999/rate/", {"rating": "good"}, format="json").status_code
        == 404
    )
    undone = client.post("/api/reviews/undo/").json()
    assert undone == {"undone": True, "card_id": card_id}


def test_schema_documents_the_endpoints(client_for, student):
    """The OpenAPI document lists the review and attempt endpoints."""
    schema = (
        client_for(student).get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    )
    for path in (
        "/api/reviews/due/",
        "/api/reviews/{card_id}/rate/",
        "/api/reviews/undo/",
        "/api/exams/attempts/",
        "/api/exams/attempts/{attempt_id}/answers/{position}/",
        "/api/exams/attempts/{attempt_id}/finish/",
    ):
        assert path in schema
