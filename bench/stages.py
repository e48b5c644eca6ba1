"""Where a grade's time goes: the per-stage times the workers record for each grade (kept in
Redis by dlquiz.ops.metrics), as medians, and the overhead beyond the tests' own compute."""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass

import redis

from dlquiz.ops.metrics import RECENT_KEY

# In the order a grade goes through them. `sandbox` is the sandbox's job less the tests' own
# compute (`tests`, timed by the fork server per call): starting the child, moving inputs and
# results; `compare` is judging the results against the expected values.
STAGES = ("queued_s", "claim", "prepare", "sandbox", "tests", "compare", "store", "notify")
OVERHEAD = ("claim", "prepare", "sandbox", "compare", "store", "notify")
OVERHEAD_TARGET = 0.5


@dataclass
class StageBreakdown:
    exercise: str
    grades: int
    p50_ms: dict[str, float]
    overhead_ratio_p50: float  # median over grades of overhead / tests' compute
    overhead_with_queue_ratio_p50: float


def recent_grades(*, redis_url: str) -> list[dict]:
    client = redis.Redis.from_url(redis_url)
    try:
        return [json.loads(raw) for raw in client.lrange(RECENT_KEY, 0, -1)]
    finally:
        client.close()


def recent_clear(*, redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    try:
        client.delete(RECENT_KEY)
    finally:
        client.close()


def stage_breakdown(*, grades: list[dict], exercise: str) -> StageBreakdown:
    mine = [g for g in grades if g["exercise"] == exercise and g.get("tests")]
    p50 = {
        stage: statistics.median(
            (g.get(stage) or 0.0) * 1000
            for g in mine
            if stage != "queued_s" or g[stage] is not None
        )
        for stage in STAGES
        if mine
    }
    ratios = [sum(g.get(s, 0.0) for s in OVERHEAD) / g["tests"] for g in mine]
    with_queue = [
        (sum(g.get(s, 0.0) for s in OVERHEAD) + (g.get("queued_s") or 0.0)) / g["tests"]
        for g in mine
    ]
    return StageBreakdown(
        exercise=exercise,
        grades=len(mine),
        p50_ms=p50,
        overhead_ratio_p50=statistics.median(ratios) if ratios else float("nan"),
        overhead_with_queue_ratio_p50=statistics.median(with_queue) if with_queue else float("nan"),
    )
