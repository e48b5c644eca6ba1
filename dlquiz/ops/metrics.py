"""Grading metrics, kept in Redis so that every worker, on any host, adds to the same figures and
any web process can answer a scrape of /metrics with them.

Workers write with one pipelined round trip per grade (counters with HINCRBY, histograms as
per-bucket counts with HINCRBY plus a HINCRBYFLOAT sum); the web side reads them on scrape, with
the queue depths and the live workers, in a prometheus_client collector. A metric write that fails
is logged and dropped: grading never waits on, or fails for, its metrics."""

from __future__ import annotations

import bisect
import contextlib
import json
import logging
import os
import socket
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache

import redis
from django.conf import settings
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector

log = logging.getLogger(__name__)

PREFIX = "dlquiz:metrics:"
WORKER_KEY = PREFIX + "worker:"
RECENT_KEY = PREFIX + "recent"
RECENT_KEEP = 2000
HEARTBEAT_S = 15
LABEL_SEP = "\x1f"
PART_SEP = "\x1e"
QUEUES = ("cpu", "gpu")


@dataclass(frozen=True)
class Metric:
    name: str
    help: str
    labels: tuple[str, ...]
    buckets: tuple[float, ...] = ()  # empty: a counter


GRADE_BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)
STAGE_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0, 60.0)

QUEUED = Metric(
    "dlquiz_grading_queued_seconds",
    "Time from a submission's creation to a worker claiming it.",
    ("exercise",),
    GRADE_BUCKETS,
)
GRADED = Metric(
    "dlquiz_grading_duration_seconds",
    "Time from claiming a submission to its grade being stored and announced.",
    ("exercise",),
    GRADE_BUCKETS,
)
STAGE = Metric(
    "dlquiz_grading_stage_seconds",
    "Time of each stage of a grade (claim, prepare, sandbox, tests, compare, store, notify).",
    ("stage",),
    STAGE_BUCKETS,
)
VERDICTS = Metric(
    "dlquiz_grading_verdicts_total",
    "Grades stored, by exercise and verdict.",
    ("exercise", "verdict"),
)
SANDBOX_FAILURES = Metric(
    "dlquiz_grading_sandbox_failures_total",
    "Gradings that failed in the grading machinery (retried, or failed for good).",
    ("exercise", "kind"),
)
WARM_UP = Metric(
    "dlquiz_worker_warm_up_seconds",
    "Time a worker pool process took to start its sandbox and time the references.",
    ("host",),
    (1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0),
)
METRICS = (QUEUED, GRADED, STAGE, VERDICTS, SANDBOX_FAILURES, WARM_UP)


def metrics_redis() -> redis.Redis:
    return redis_client(settings.REDIS_URL)


@cache
def redis_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)


class Batch:
    """Observations sent together in one pipeline (`send`)."""

    def __init__(self) -> None:
        self.pipe = metrics_redis().pipeline(transaction=False)

    def count(self, metric: Metric, *labels: str, amount: int = 1) -> Batch:
        self.pipe.hincrby(PREFIX + metric.name, LABEL_SEP.join(labels), amount)
        return self

    def observe(self, metric: Metric, value: float, *labels: str) -> Batch:
        key = PREFIX + metric.name
        label = LABEL_SEP.join(labels)
        bucket = bisect.bisect_left(metric.buckets, value)
        self.pipe.hincrby(key, f"{label}{PART_SEP}{bucket}", 1)
        self.pipe.hincrby(key, f"{label}{PART_SEP}count", 1)
        self.pipe.hincrbyfloat(key, f"{label}{PART_SEP}sum", value)
        return self

    def send(self) -> None:
        try:
            self.pipe.execute()
        except redis.RedisError as exc:
            log.warning("grading metrics not recorded: %s", exc)


def metrics_batch() -> Batch:
    return Batch()


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def worker_heartbeat_start(*, name: str, interval_s: float = HEARTBEAT_S) -> threading.Thread:
    """A worker's main process marks itself alive every interval; the mark expires after three
    missed beats, so /metrics counts a killed worker out within that time."""

    def beat() -> None:
        while True:
            try:
                metrics_redis().set(WORKER_KEY + name, "1", ex=int(interval_s * 3))
            except redis.RedisError as exc:
                log.warning("worker heartbeat not recorded: %s", exc)
            stop.wait(interval_s)

    stop = threading.Event()
    thread = threading.Thread(target=beat, name="dlquiz-heartbeat", daemon=True)
    thread.start()
    return thread


def worker_heartbeat_stop(*, name: str) -> None:
    with contextlib.suppress(redis.RedisError):
        metrics_redis().delete(WORKER_KEY + name)


def split_fields(raw: dict[bytes, bytes]) -> dict[str, dict[str, float]]:
    """{labels: {part: value}} from a histogram hash."""
    out: dict[str, dict[str, float]] = {}
    for field, value in raw.items():
        label, _, part = field.decode().rpartition(PART_SEP)
        out.setdefault(label, {})[part] = float(value)
    return out


def label_values(label: str, names: Sequence[str]) -> list[str]:
    values = label.split(LABEL_SEP) if names else []
    return values + [""] * (len(names) - len(values))


class GradingCollector(Collector):
    """Reads the grading metrics, queue depths and live workers from Redis on every scrape."""

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily | HistogramMetricFamily]:
        client = metrics_redis()
        try:
            pipe = client.pipeline(transaction=False)
            for queue in QUEUES:
                pipe.llen(queue)
            for metric in METRICS:
                pipe.hgetall(PREFIX + metric.name)
            replies = pipe.execute()
            workers = sum(1 for _ in client.scan_iter(match=WORKER_KEY + "*", count=500))
        except redis.RedisError as exc:
            log.warning("grading metrics unavailable: %s", exc)
            up = GaugeMetricFamily("dlquiz_metrics_redis_up", "Whether Redis answered the scrape.")
            up.add_metric([], 0)
            yield up
            return
        up = GaugeMetricFamily("dlquiz_metrics_redis_up", "Whether Redis answered the scrape.")
        up.add_metric([], 1)
        yield up
        depth = GaugeMetricFamily(
            "dlquiz_grading_queue_depth", "Grading messages waiting in a queue.", labels=["queue"]
        )
        for queue, length in zip(QUEUES, replies[: len(QUEUES)], strict=True):
            depth.add_metric([queue], int(length))
        yield depth
        alive = GaugeMetricFamily(
            "dlquiz_workers_alive", "Worker processes whose heartbeat is current."
        )
        alive.add_metric([], workers)
        yield alive
        for metric, raw in zip(METRICS, replies[len(QUEUES) :], strict=True):
            yield from metric_families(metric, raw)


def metric_families(
    metric: Metric, raw: dict[bytes, bytes]
) -> Iterator[CounterMetricFamily | HistogramMetricFamily]:
    if not metric.buckets:
        counter = CounterMetricFamily(
            metric.name.removesuffix("_total"), metric.help, labels=list(metric.labels)
        )
        for field, value in raw.items():
            counter.add_metric(label_values(field.decode(), metric.labels), float(value))
        yield counter
        return
    histogram = HistogramMetricFamily(metric.name, metric.help, labels=list(metric.labels))
    for label, parts in split_fields(raw).items():
        cumulative = 0.0
        buckets: list[tuple[str, float]] = []
        for index, bound in enumerate((*metric.buckets, float("inf"))):
            cumulative += parts.get(str(index), 0.0)
            buckets.append(("+Inf" if bound == float("inf") else repr(bound), cumulative))
        histogram.add_metric(
            label_values(label, metric.labels), buckets, sum_value=parts.get("sum", 0.0)
        )
    yield histogram


def grading_record(
    *, exercise: str, verdict: str, queued_s: float | None, stages: dict[str, float]
) -> None:
    """One stored grade: its verdict, its time queued (first delivery only: a regrade's row was
    created long ago), its time to grade and the time of each stage."""
    batch = metrics_batch().count(VERDICTS, exercise, verdict)
    if queued_s is not None:
        batch.observe(QUEUED, max(queued_s, 0.0), exercise)
    batch.observe(GRADED, sum(v for k, v in stages.items() if k != "tests"), exercise)
    for stage, seconds in stages.items():
        batch.observe(STAGE, max(seconds, 0.0), stage)
    # The last grades one by one, for `make bench`'s per-stage medians (histograms give means).
    batch.pipe.lpush(
        RECENT_KEY,
        json.dumps({"exercise": exercise, "verdict": verdict, "queued_s": queued_s, **stages}),
    )
    batch.pipe.ltrim(RECENT_KEY, 0, RECENT_KEEP - 1)
    batch.send()


def sandbox_failure_record(*, exercise: str, kind: str) -> None:
    metrics_batch().count(SANDBOX_FAILURES, exercise, kind).send()


def warm_up_record(*, seconds: float) -> None:
    metrics_batch().observe(WARM_UP, seconds, socket.gethostname()).send()
