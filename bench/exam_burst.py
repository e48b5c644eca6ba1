"""An exam's last minutes: N students each submit once within a window (by default 300 within
30 s), a mix of light and heavy catalogue exercises, each with its model solution. Reported: the
time to drain the queue, the queue wait (p50/p95, measured by the workers from each submission's
creation to its claim), throughput, and that none was lost; and from those, the worker processes
needed for other class sizes."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field

from bench.client import ApiClient
from bench.grading_load import FINAL, BenchFailure, parse_time, percentile
from bench.stack import ROOT, Account, Stack
from bench.stages import recent_clear, recent_grades

# (slug, package folder, weight): softmax as the common light one, then the catalogue's heavy ones.
MIX = (
    ("softmax", "softmax", 4),
    ("batch-norm", "batch_norm", 2),
    ("conv2d", "conv2d", 2),
    ("transformer-encoder-layer", "transformer_encoder_layer", 2),
)


def solution(folder: str) -> str:
    return (ROOT / "exercises" / folder / "solution_torch.py").read_text()


def plan_exercises(count: int) -> list[tuple[str, str]]:
    """(slug, code) per student, interleaved by weight so every part of the window has a mix."""
    cycle = [(slug, solution(folder)) for slug, folder, weight in MIX for _ in range(weight)]
    return [cycle[(i * 7) % len(cycle)] for i in range(count)]


@dataclass
class ExamBurst:
    students: int
    window_s: float
    submitted: int
    graded: int
    failed: int
    lost: int
    accepted: int
    drain_s: float  # first POST until the last graded_at
    after_window_s: float  # end of the window until the last graded_at
    per_second: float
    wait_p50_s: float
    wait_p95_s: float
    grade_p50_s: float  # creation to graded, per submission
    grade_p95_s: float
    service_mean_s: float = float("nan")  # one grade's time in a worker process, queue excluded
    by_exercise: dict[str, dict[str, float]] = field(default_factory=dict)
    processes: int = 2


def exam_burst_run(
    *,
    stack: Stack,
    students: list[Account],
    window_s: float = 30.0,
    senders: int = 8,
    timeout_s: float = 900,
    processes: int = 2,
) -> ExamBurst:
    recent_clear(redis_url=stack.redis_url)
    work = plan_exercises(len(students))
    ids: dict[int, tuple[Account, str]] = {}
    lock = threading.Lock()
    errors: list[BaseException] = []
    start = time.monotonic() + 0.5
    wall_start = time.time() + 0.5

    def sender(index: int) -> None:
        clients: dict[str, ApiClient] = {}
        try:
            for i in range(index, len(students), senders):
                account = students[i]
                slug, code = work[i]
                delay = start + i * window_s / len(students) - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                client = clients.setdefault(
                    account.username, ApiClient(base_url=stack.base_url, token=account.token)
                )
                response = client.post(
                    "/api/submissions/", {"exercise": slug, "framework": "torch", "code": code}
                )
                if response.status != 201 or not isinstance(response.body, dict):
                    raise BenchFailure(f"POST answered {response.status}: {response.body}")
                with lock:
                    ids[int(response.body["id"])] = (account, slug)
                client.close()
                del clients[account.username]
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=sender, args=(n,)) for n in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]

    details: dict[int, dict] = {}
    deadline = time.monotonic() + timeout_s
    pending = dict(ids)
    while pending and time.monotonic() < deadline:
        for sid, (account, _) in list(pending.items()):
            client = ApiClient(base_url=stack.base_url, token=account.token)
            try:
                body = client.get(f"/api/submissions/{sid}/").body
            finally:
                client.close()
            if isinstance(body, dict) and body.get("status") in FINAL:
                details[sid] = body
                del pending[sid]
        if pending:
            time.sleep(1.0)

    graded = [d for d in details.values() if d["status"] == "graded"]
    failed = [d for d in details.values() if d["status"] == "failed"]
    last = max((parse_time(d["graded_at"]) for d in graded), default=wall_start)
    drain = last - wall_start
    grades = recent_grades(redis_url=stack.redis_url)
    waits = [g["queued_s"] for g in grades if g.get("queued_s") is not None]
    to_grade = [parse_time(d["graded_at"]) - parse_time(d["created_at"]) for d in graded]
    services = [
        sum(v for k, v in g.items() if k not in ("exercise", "verdict", "queued_s")) for g in grades
    ]
    by_exercise: dict[str, dict[str, float]] = {}
    for slug, _, _ in MIX:
        mine = [g for g in grades if g["exercise"] == slug]
        by_exercise[slug] = {
            "graded": len(mine),
            "tests_p50_ms": 1000 * percentile([g.get("tests", 0.0) for g in mine], 50),
            "grade_p50_ms": 1000
            * percentile(
                [
                    sum(v for k, v in g.items() if k not in ("exercise", "verdict", "queued_s"))
                    for g in mine
                ],
                50,
            ),
            "wait_p50_s": percentile(
                [g["queued_s"] for g in mine if g.get("queued_s") is not None], 50
            ),
        }
    return ExamBurst(
        students=len(students),
        window_s=window_s,
        submitted=len(ids),
        graded=len(graded),
        failed=len(failed),
        lost=len(ids) - len(graded) - len(failed),
        accepted=sum(d["verdict"] == "accepted" for d in graded),
        drain_s=drain,
        after_window_s=drain - window_s,
        per_second=len(graded) / drain if drain > 0 else float("nan"),
        wait_p50_s=percentile(waits, 50),
        wait_p95_s=percentile(waits, 95),
        grade_p50_s=percentile(to_grade, 50),
        grade_p95_s=percentile(to_grade, 95),
        service_mean_s=sum(services) / len(services) if services else float("nan"),
        by_exercise=by_exercise,
        processes=processes,
    )


def capacity_rows(
    *, burst: ExamBurst, classes: tuple[int, ...] = (100, 300, 1000, 3000), waits=(30.0, 120.0)
) -> list[tuple[int, float, int]]:
    """(students, wait, processes): processes to grade N submissions of this mix, arriving within
    the same window, so that the last one waits at most `wait` after the window ends. A process
    grades 1 / (mean time of one grade) per second, as measured under this burst's load (one
    process per core)."""
    per_process = 1 / burst.service_mean_s
    rows = []
    for students in classes:
        for wait in waits:
            needed = students / (per_process * (burst.window_s + wait))
            rows.append((students, wait, max(1, math.ceil(needed))))
    return rows
