"""A similarity check through the real path: a course's instructor starts it on the page, the
task goes through a real Redis to a real Celery worker, and the page shows the ranked pairs of
that course's students (a student of no course is not compared)."""

from __future__ import annotations

import pytest
from django.test import Client

from dlquiz.similarity.models import SimilarityRun
from tests.coding.factories import student_create
from tests.conftest import wait_until
from tests.courses.factories import instructor_of
from tests.similarity.factories import (
    DISGUISED,
    INDEPENDENT,
    ORIGINAL,
    assignment_setting,
    attention_exercise,
    course_with_students,
    final_submit,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_the_worker_runs_a_check_started_from_the_page(celery_worker):
    """The run goes queued → done on the worker, with every pair compared, and the disguised
    copy at the top of the page's ranking."""
    exercise = attention_exercise()
    course, students = course_with_students("dl-a", students=["lin", "wang", "zhao"])
    assignment_setting(course, exercise)
    lin = final_submit(user=students[0], exercise=exercise, code=ORIGINAL)
    wang = final_submit(user=students[1], exercise=exercise, code=DISGUISED)
    final_submit(user=students[2], exercise=exercise, code=INDEPENDENT)
    final_submit(user=student_create("outsider"), exercise=exercise, code=ORIGINAL)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(instructor_of(course))

    response = client.post("/similarity/runs/", {"exercise": exercise.slug, "course": course.pk})
    assert response.status_code == 302
    run = SimilarityRun.objects.get()

    def finished() -> bool:
        run.refresh_from_db()
        return run.is_finished

    wait_until(finished, timeout=120, interval=0.2, what="the similarity check")
    assert run.status == SimilarityRun.Status.DONE, run.message
    assert (run.submissions_count, run.pairs_total, run.pairs_done, run.percent) == (3, 3, 3, 100)
    top = run.pairs.order_by("-score").first()
    assert {top.submission_a_id, top.submission_b_id} == {lin.pk, wang.pk}

    html = client.get(response["Location"]).content.decode()
    assert "data-refresh-seconds" not in html
    ranked = html[html.index("<tbody>") :]
    assert ranked.index("/similarity/pairs/") == ranked.index(f"/similarity/pairs/{top.pk}/")
