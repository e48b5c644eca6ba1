"""GET /metrics: refused to the public, open to loopback or a bearer token; django-prometheus'
web metrics and the grading metrics read from Redis."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from prometheus_client.parser import text_string_to_metric_families

from dlquiz.ops import metrics
from dlquiz.ops.context import SubmissionIdFilter, submission_context

pytestmark = pytest.mark.django_db


def scrape(client: Client, **headers: str) -> dict[str, float]:
    response = client.get("/metrics", **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    return {
        f"{sample.name}{sorted(sample.labels.items())}": sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def test_metrics_are_refused_from_another_address_by_default(client):
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 403


def test_metrics_are_served_to_loopback_by_default(client, redis_server):
    samples = scrape(client)
    assert any(name.startswith("django_http_requests") for name in samples)
    assert samples["dlquiz_metrics_redis_up[]"] == 1


@override_settings(DLQUIZ_METRICS_TOKEN="s3cret-scrape-token")
def test_with_a_token_only_a_bearer_of_it_may_scrape_even_from_loopback(client, redis_server):
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="s3cret-scrape-token").status_code == 403
    samples = scrape(
        client, HTTP_AUTHORIZATION="Bearer s3cret-scrape-token", REMOTE_ADDR="203.0.113.9"
    )
    assert "dlquiz_workers_alive[]" in samples


@override_settings(DLQUIZ_METRICS_ALLOWED_IPS=["10.1.2.3"])
def test_the_allowed_addresses_are_a_setting(client):
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200


def test_grading_figures_recorded_by_a_worker_appear_in_a_scrape(client, redis_server):
    metrics.metrics_redis().flushdb()
    metrics.grading_record(
        exercise="softmax",
        verdict="accepted",
        queued_s=0.03,
        stages={"claim": 0.002, "sandbox": 0.01, "tests": 0.02, "store": 0.004, "notify": 0.001},
    )
    metrics.grading_record(
        exercise="softmax", verdict="wrong_answer", queued_s=None, stages={"sandbox": 0.3}
    )
    metrics.sandbox_failure_record(exercise="softmax", kind="retried")
    metrics.warm_up_record(seconds=4.2)
    # Three stand-in messages on the broker's own queue; gone again before a real worker reads it.
    metrics.metrics_redis().rpush("cpu", "m1", "m2", "m3")
    try:
        metrics.worker_heartbeat_start(name="host-a:1")
        samples = scrape(client)
    finally:
        metrics.metrics_redis().delete("cpu")
    assert samples["dlquiz_grading_queue_depth[('queue', 'cpu')]"] == 3
    assert samples["dlquiz_grading_queue_depth[('queue', 'gpu')]"] == 0
    assert samples["dlquiz_workers_alive[]"] == 1
    verdict = "dlquiz_grading_verdicts_total[('exercise', 'softmax'), ('verdict', '{}')]"
    assert samples[verdict.format("accepted")] == 1
    assert samples[verdict.format("wrong_answer")] == 1
    assert samples["dlquiz_grading_queued_seconds_count[('exercise', 'softmax')]"] == 1
    assert (
        samples["dlquiz_grading_queued_seconds_bucket[('exercise', 'softmax'), ('le', '0.05')]"]
        == 1
    )
    assert (
        samples["dlquiz_grading_queued_seconds_bucket[('exercise', 'softmax'), ('le', '0.025')]"]
        == 0
    )
    # Time to grade is every stage but the tests' own compute, which the sandbox stage excludes.
    assert samples["dlquiz_grading_duration_seconds_sum[('exercise', 'softmax')]"] == pytest.approx(
        0.017 + 0.3
    )
    assert samples["dlquiz_grading_stage_seconds_sum[('stage', 'tests')]"] == pytest.approx(0.02)
    assert (
        samples[
            "dlquiz_grading_sandbox_failures_total[('exercise', 'softmax'), ('kind', 'retried')]"
        ]
        == 1
    )
    assert (
        samples[
            "dlquiz_worker_warm_up_seconds_count[('host', '"
            + __import__("socket").gethostname()
            + "')]"
        ]
        == 1
    )


def test_a_scrape_with_redis_down_says_so_instead_of_failing(client):
    with override_settings(REDIS_URL="redis://127.0.0.1:1/0"):
        samples = scrape(client)
    assert samples["dlquiz_metrics_redis_up[]"] == 0


def test_log_records_carry_the_submission_being_handled(caplog):
    import logging

    log = logging.getLogger("dlquiz.test")
    caplog.handler.addFilter(SubmissionIdFilter())
    with caplog.at_level(logging.INFO, logger="dlquiz.test"):
        log.info("outside")
        with submission_context(submission_id=4711):
            log.info("inside")
    assert [(r.getMessage(), r.submission_id) for r in caplog.records] == [
        ("outside", "-"),
        ("inside", 4711),
    ]
