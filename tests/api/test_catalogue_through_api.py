"""The whole catalogue through the REST API and a real worker: every exercise is listed, every
model solution in every framework it offers is accepted, and a shipped mistake comes back with
its diagnosis."""

from __future__ import annotations

import time

import pytest

from dlquiz.coding.models import Submission
from dlquiz.coding.services import exercises_sync
from exercises.registry import exercise_get, exercise_list
from tests.coding.factories import api_client_for, teacher_create

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _wait(client, ids: list[int], *, timeout: float) -> dict[int, dict]:
    """Every submission as the API returns it once it is graded or failed. Progress is polled
    with one query rather than a request per submission: seventy requests every fraction of a
    second would take a core from the worker whose timing the performance tests judge."""
    deadline = time.monotonic() + timeout
    finished = Submission.objects.filter(
        pk__in=ids, status__in=(Submission.Status.GRADED, Submission.Status.FAILED)
    )
    while time.monotonic() < deadline and finished.count() < len(ids):
        time.sleep(0.5)
    done = {pk: client.get(f"/api/submissions/{pk}/").json() for pk in ids}
    late = [pk for pk, data in done.items() if data["status"] not in ("graded", "failed")]
    assert not late, f"{len(late)} submissions not graded in {timeout}s"
    return done


def test_every_exercise_is_listed_and_its_model_solutions_are_accepted(celery_worker):
    """GET /api/exercises/ lists every package; each model solution, posted as a student would
    (an instructor's account, exempt from the per-student queue limit), is graded accepted."""
    exercises_sync()
    client = api_client_for(teacher_create())
    listed = {row["slug"]: row for row in client.get("/api/exercises/").json()}
    packages = exercise_list()
    assert set(listed) == {package.slug for package in packages}
    posted: dict[int, tuple[str, str]] = {}
    for package in packages:
        assert listed[package.slug]["frameworks"] == list(package.frameworks)
        for framework in package.frameworks:
            response = client.post(
                "/api/submissions/",
                {
                    "exercise": package.slug,
                    "framework": framework,
                    "code": package.solution_source(framework=framework),
                },
                format="json",
            )
            assert response.status_code == 201, response.json()
            posted[response.json()["id"]] = (package.slug, framework)
    graded = _wait(client, list(posted), timeout=900)
    # Each failing test with its message (a too_slow one says how long it took and was allowed).
    rejected = {
        posted[pk]: (
            data["verdict"],
            [(t["name"], t["message"]) for t in data["tests"] if t["status"] != "passed"],
        )
        for pk, data in graded.items()
        if data["verdict"] != "accepted"
    }
    assert rejected == {}


def test_a_shipped_mistake_is_diagnosed_through_the_api(celery_worker):
    """cross-entropy without the max shift: graded through the worker, the API names a shipped
    mistake that returns the same on the failing tests, in English on request."""
    exercises_sync()
    client = api_client_for(teacher_create())
    mistake = next(m for m in exercise_get("cross-entropy").mistakes if m.name == "no_max_shift")
    response = client.post(
        "/api/submissions/",
        {"exercise": "cross-entropy", "framework": mistake.framework, "code": mistake.source},
        format="json",
    )
    data = _wait(client, [response.json()["id"]], timeout=300)[response.json()["id"]]
    assert data["verdict"] == "invalid_output"
    english = client.get(
        f"/api/submissions/{response.json()['id']}/", HTTP_ACCEPT_LANGUAGE="en"
    ).json()
    # The first shipped mistake with the same outputs on the failing tests is named.
    named = {m.name: m for m in exercise_get("cross-entropy").mistakes}
    assert english["diagnosis"]["message"] == named[english["diagnosis"]["mistake"]].diagnosis["en"]
