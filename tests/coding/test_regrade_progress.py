"""The regrade job page follows the job while it runs: its progress region names the URL it is
fetched again from (core/live.js) and asks to be fetched again until every submission of the
job is graded; then it carries the finished message the page announces (role="status"), in
English and in Chinese. With a real worker the region goes from running to finished."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from dlquiz.coding.models import Exercise, RegradeJob, Submission
from dlquiz.coding.services import exercises_sync
from tests.coding.factories import (
    PASSWORD,
    SOFTMAX_TORCH,
    exercise_create,
    graded_submission_create,
    student_create,
    teacher_create,
)
from tests.conftest import wait_until


def instructor(language: str = "en") -> Client:
    client = Client()
    client.cookies["django_language"] = language
    assert client.login(username="prof", password=PASSWORD)
    return client


def job_of_two() -> RegradeJob:
    teacher_create("prof")
    exercise = exercise_create("softmax")
    lin = student_create("lin")
    submissions = [
        graded_submission_create(
            user=lin, exercise=exercise, tests=[("a", False, "passed", 1, 1, "")]
        )
        for _ in range(2)
    ]
    instructor().post(
        "/admin/coding/submission/",
        {
            "action": "regrade_selected",
            "_selected_action": [s.pk for s in submissions],
            "post": "yes",
        },
    )
    return RegradeJob.objects.get()


def graded(submission_id: int) -> None:
    Submission.objects.filter(pk=submission_id).update(status="graded", graded_at=timezone.now())


@pytest.mark.django_db
def test_the_job_page_has_a_progress_region_that_refreshes_itself():
    job = job_of_two()
    html = instructor().get(f"/admin/coding/regradejob/{job.pk}/change/").content.decode()
    progress_url = f"/admin/coding/regradejob/{job.pk}/progress/"
    assert (
        f'id="regrade-job-progress" class="module aligned" data-live data-live-url="{progress_url}"'
        in html
    )
    assert 'data-refresh-seconds="2"' in html and "0/2 graded (0%), running" in html
    assert 'role="status"' in html and 'data-live-status-for="regrade-job-progress"' in html
    assert "core/live.js" in html
    assert 'http-equiv="refresh"' not in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "running", "done"),
    [
        (
            "en",
            "1/2 graded (50%), running",
            "Regrade finished: 2 of 2 submissions graded, 0 failed.",
        ),
        (
            "zh-hans",
            "已评分 1/2（50%），进行中",
            "重新评分已完成：2 份提交中已评分 2 份，失败 0 份。",
        ),
    ],
)
def test_the_progress_region_follows_the_job_until_it_has_finished(language, running, done):
    job = job_of_two()
    client = instructor(language)
    url = f"/admin/coding/regradejob/{job.pk}/progress/"
    first, second = job.submissions.order_by("pk").values_list("pk", flat=True)

    graded(first)
    html = client.get(url).content.decode()
    assert running in html and 'data-refresh-seconds="2"' in html
    assert "data-live-done" not in html

    graded(second)
    html = client.get(url).content.decode()
    assert "data-refresh-seconds" not in html
    assert f'data-live-done="{done}"' in html
    assert html.lstrip().startswith('<div id="regrade-job-progress"')  # the region alone


@pytest.mark.django_db
def test_the_progress_region_is_for_staff_only():
    job = job_of_two()
    student_create("mei")
    student = Client()
    student.login(username="mei", password=PASSWORD)
    url = f"/admin/coding/regradejob/{job.pk}/progress/"
    assert student.get(url)["Location"].startswith("/admin/login/")
    assert instructor().get("/admin/coding/regradejob/999/progress/").status_code == 404


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_regrade_on_the_worker_turns_the_region_from_running_to_finished(celery_worker):
    """Regrade all, confirmed, queued through the real Redis to the real worker: the region
    the page polls shows the job running, then finished with its message."""
    exercises_sync()
    teacher_create("prof")
    lin = student_create("lin")
    exercise = Exercise.objects.get(slug="softmax")
    graded_submission_create(
        user=lin, exercise=exercise, code=SOFTMAX_TORCH, tests=[("a", False, "passed", 1, 1, "")]
    )
    client = instructor()
    response = client.post(
        "/admin/coding/exercise/",
        {"action": "regrade_all_submissions", "_selected_action": [exercise.pk], "post": "yes"},
    )
    job = RegradeJob.objects.get()
    assert response["Location"] == f"/admin/coding/regradejob/{job.pk}/change/"
    url = f"/admin/coding/regradejob/{job.pk}/progress/"
    seen = []

    def finished() -> bool:
        html = client.get(url).content.decode()
        seen.append("data-refresh-seconds" in html)
        return "data-live-done=" in html

    wait_until(finished, timeout=240, interval=0.3, what="the regrade job")
    assert seen[0] is True and seen[-1] is False
    html = client.get(url).content.decode()
    assert 'data-live-done="Regrade finished: 1 of 1 submission graded, 0 failed."' in html
    submission = job.submissions.get()
    assert submission.status == "graded" and submission.verdict == "accepted"
