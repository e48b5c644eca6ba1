"""With a real worker: grading a submission moves the figures of /metrics (verdicts, time queued,
stage times, workers alive, warm-up), and the worker's log names the submission it graded."""

from __future__ import annotations

import re

import pytest
from prometheus_client.parser import text_string_to_metric_families

from dlquiz.coding.services import exercises_sync
from tests.api.test_submissions_e2e import wait_graded
from tests.coding.factories import (
    SOFTMAX_TORCH,
    SOFTMAX_WRONG_TORCH,
    api_client_for,
    student_create,
)
from tests.conftest import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def scrape(client) -> dict[str, float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    return {
        f"{sample.name}{sorted(sample.labels.items())}": sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def test_grading_by_a_real_worker_moves_the_metrics_and_logs_the_submission(client, celery_worker):
    exercises_sync()
    verdict = "dlquiz_grading_verdicts_total[('exercise', 'softmax'), ('verdict', '{}')]"
    queued = "dlquiz_grading_queued_seconds_count[('exercise', 'softmax')]"
    tests_stage = "dlquiz_grading_stage_seconds_sum[('stage', 'tests')]"
    before = scrape(client)
    student = api_client_for(student_create())
    ids = []
    for code in (SOFTMAX_TORCH, SOFTMAX_WRONG_TORCH):
        created = student.post(
            "/api/submissions/",
            {"exercise": "softmax", "framework": "torch", "code": code},
            format="json",
        )
        assert created.status_code == 201
        ids.append(created.json()["id"])
    assert [wait_graded(student, i)["verdict"] for i in ids] == ["accepted", "wrong_answer"]

    # The worker records a grade's figures right after announcing it: wait for the last one.
    wait_until(
        lambda: scrape(client).get(queued, 0) >= before.get(queued, 0) + 2,
        timeout=10,
        what="both grades in the metrics",
    )
    after = scrape(client)
    for name in ("accepted", "wrong_answer"):
        assert after[verdict.format(name)] == before.get(verdict.format(name), 0) + 1
    assert after[queued] == before.get(queued, 0) + 2
    assert after[tests_stage] > before.get(tests_stage, 0)
    assert after["dlquiz_workers_alive[]"] >= 1
    assert after["dlquiz_grading_queue_depth[('queue', 'cpu')]"] == 0
    log = celery_worker.log.read_text()
    for submission_id in ids:
        assert re.search(rf"\[submission {submission_id}\] graded: \w+ in \d+ ms", log), log[-2000:]


def test_each_pool_process_records_its_warm_up_time(client, celery_worker):
    """Warm-up times every reference of the catalogue: on a loaded machine that takes minutes."""

    def warmed_up() -> float:
        return sum(
            value
            for name, value in scrape(client).items()
            if name.startswith("dlquiz_worker_warm_up_seconds_count")
        )

    wait_until(
        lambda: warmed_up() >= celery_worker.concurrency,
        timeout=600,
        interval=2,
        what="both pool processes warmed up",
    )
