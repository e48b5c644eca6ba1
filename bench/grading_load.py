"""Grading through the real API: latency of one submission at a time against the naive floor
(a fresh Python importing torch), a burst of submissions at once, sustained throughput."""

from __future__ import annotations

import statistics
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime

from bench.client import ApiClient
from bench.stack import VENV_BIN, Account, Stack

SOFTMAX_TORCH = """import torch


def softmax(x, dim=-1):
    shifted = x - x.amax(dim=dim, keepdim=True).clamp_min(-3e38)
    e = torch.exp(shifted)
    return e / e.sum(dim=dim, keepdim=True)
"""

FINAL = ("graded", "failed")


class BenchFailure(AssertionError):
    """The service did something a benchmark must not hide (a lost or rejected submission)."""


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile; q in [0, 100]."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def parse_time(value: str) -> float:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def submission_payload() -> dict[str, str]:
    return {"exercise": "softmax", "framework": "torch", "code": SOFTMAX_TORCH}


def submit(client: ApiClient) -> int:
    response = client.post("/api/submissions/", submission_payload())
    if response.status not in (200, 201, 202) or not isinstance(response.body, dict):
        raise BenchFailure(f"POST /api/submissions/ answered {response.status}: {response.body}")
    return int(response.body["id"])


def submission_details(*, stack: Stack, token: str, ids: list[int]) -> dict[int, dict]:
    client = ApiClient(base_url=stack.base_url, token=token)
    try:
        return {sid: client.get(f"/api/submissions/{sid}/").body for sid in ids}
    finally:
        client.close()


# --- the naive floor ---------------------------------------------------------------------------


@dataclass
class Floor:
    runs_s: list[float]
    median_s: float


def naive_floor(*, runs: int = 5) -> Floor:
    """What grading costs at the very least without a warm worker: starting a Python that
    imports torch (nothing graded yet)."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([str(VENV_BIN / "python"), "-c", "import torch"], check=True)
        times.append(time.perf_counter() - started)
    return Floor(runs_s=times, median_s=statistics.median(times))


# --- latency -----------------------------------------------------------------------------------


@dataclass
class Latency:
    count: int
    warmup: int
    first_s: float
    p50_s: float
    p95_s: float
    min_s: float
    max_s: float
    server_p50_s: float
    verdicts: dict[str, int]
    samples_s: list[float] = field(repr=False)


def latency_run(*, stack: Stack, account: Account, count: int, warmup: int = 2) -> Latency:
    """Sequential submissions of a correct softmax; each timed from before the POST until the
    answer to `GET /api/submissions/<id>/?wait=10` (held by the server until the grade is in)
    shows it graded."""
    client = ApiClient(base_url=stack.base_url, token=account.token)
    samples: list[float] = []
    server: list[float] = []
    verdicts: dict[str, int] = {}
    first = float("nan")
    try:
        for i in range(warmup + count):
            started = time.perf_counter()
            sid = submit(client)
            while True:
                body = client.get(f"/api/submissions/{sid}/?wait=10").body
                if body["status"] in FINAL:
                    break
            elapsed = time.perf_counter() - started
            if i == 0:
                first = elapsed
            if i < warmup:
                continue
            samples.append(elapsed)
            server.append(parse_time(body["graded_at"]) - parse_time(body["created_at"]))
            verdict = body["verdict"] or body["status"]
            verdicts[verdict] = verdicts.get(verdict, 0) + 1
    finally:
        client.close()
    return Latency(
        count=count,
        warmup=warmup,
        first_s=first,
        p50_s=statistics.median(samples),
        p95_s=percentile(samples, 95),
        min_s=min(samples),
        max_s=max(samples),
        server_p50_s=statistics.median(server),
        verdicts=verdicts,
        samples_s=samples,
    )


# --- burst and sustained load ------------------------------------------------------------------


class Tracker:
    """Submissions in flight, watched by one poller thread that reads each account's history
    (one request per account per round), so watching 100 submissions costs a few requests."""

    def __init__(self, *, stack: Stack, accounts: list[Account], interval_s: float) -> None:
        self.stack = stack
        self.accounts = accounts
        self.interval_s = interval_s
        self.lock = threading.Lock()
        self.pending: dict[int, Account] = {}
        self.final: dict[int, str] = {}
        self.stop_event = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._loop, name="bench-poller", daemon=True)
        self.clients = {
            a.username: ApiClient(base_url=stack.base_url, token=a.token) for a in accounts
        }

    def add(self, sid: int, account: Account) -> None:
        with self.lock:
            self.pending[sid] = account

    def in_flight(self) -> int:
        with self.lock:
            return len(self.pending)

    def start(self) -> None:
        self.thread.start()

    def _loop(self) -> None:
        try:
            while not self.stop_event.is_set():
                self.poll_once()
                self.stop_event.wait(self.interval_s)
        except BaseException as exc:  # surfaced by wait_drained
            self.error = exc

    def poll_once(self) -> None:
        with self.lock:
            users = {a.username for a in self.pending.values()}
        for account in self.accounts:
            if account.username not in users:
                continue
            response = self.clients[account.username].get("/api/submissions/?exercise=softmax")
            rows = (
                response.body.get("results", [])
                if isinstance(response.body, dict)
                else response.body
            )
            if response.status != 200 or not isinstance(rows, list):
                raise BenchFailure(f"GET /api/submissions/ answered {response.status}")
            with self.lock:
                for row in rows:
                    if row["id"] in self.pending and row["status"] in FINAL:
                        del self.pending[row["id"]]
                        self.final[row["id"]] = row["verdict"] or row["status"]

    def wait_drained(self, *, timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.error:
                raise self.error
            if not self.in_flight():
                return True
            time.sleep(0.02)
        return False

    def close(self) -> None:
        self.stop_event.set()
        if self.thread.is_alive():
            self.thread.join(timeout=10)
        for client in self.clients.values():
            client.close()


@dataclass
class Burst:
    submitted: int
    graded: int
    failed: int
    lost: int
    accepted: int
    accounts: int
    post_phase_s: float
    span_s: float
    per_second: float
    observed_span_s: float


def burst_run(
    *, stack: Stack, accounts: list[Account], count: int, timeout_s: float = 300
) -> Burst:
    """`count` submissions POSTed at once (one thread per account), then the time until the
    last one is graded, read from the server's own graded_at (no polling granularity)."""
    tracker = Tracker(stack=stack, accounts=accounts, interval_s=0.2)
    ids: dict[int, Account] = {}
    errors: list[BaseException] = []
    per_account = [
        count // len(accounts) + (i < count % len(accounts)) for i in range(len(accounts))
    ]

    def post_all(account: Account, n: int, barrier: threading.Barrier) -> None:
        client = ApiClient(base_url=stack.base_url, token=account.token)
        try:
            client.get("/api/exercises/")  # open the connection before the barrier
            barrier.wait()
            for _ in range(n):
                sid = submit(client)
                tracker.add(sid, account)
                ids[sid] = account
        except BaseException as exc:
            errors.append(exc)
        finally:
            client.close()

    barrier = threading.Barrier(len(accounts) + 1)
    threads = [
        threading.Thread(target=post_all, args=(account, n, barrier))
        for account, n in zip(accounts, per_account)
    ]
    for thread in threads:
        thread.start()
    barrier.wait()
    wall_start = time.time()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    post_phase = time.perf_counter() - started
    try:
        if errors:
            raise errors[0]
        tracker.start()
        drained = tracker.wait_drained(timeout_s=timeout_s)
        observed = time.perf_counter() - started
    finally:
        tracker.close()
    return burst_summary(
        stack=stack,
        ids=ids,
        wall_start=wall_start,
        post_phase=post_phase,
        observed=observed,
        drained=drained,
        accounts=len(accounts),
    )


def burst_summary(
    *,
    stack: Stack,
    ids: dict[int, Account],
    wall_start: float,
    post_phase: float,
    observed: float,
    drained: bool,
    accounts: int,
) -> Burst:
    details: dict[int, dict] = {}
    by_token: dict[str, list[int]] = {}
    for sid, account in ids.items():
        by_token.setdefault(account.token, []).append(sid)
    for token, sids in by_token.items():
        details |= submission_details(stack=stack, token=token, ids=sids)
    graded = [d for d in details.values() if d["status"] == "graded"]
    failed = [d for d in details.values() if d["status"] == "failed"]
    last = max((parse_time(d["graded_at"]) for d in graded), default=wall_start)
    span = last - wall_start
    return Burst(
        submitted=len(ids),
        graded=len(graded),
        failed=len(failed),
        lost=len(ids) - len(graded) - len(failed),
        accepted=sum(d["verdict"] == "accepted" for d in graded),
        accounts=accounts,
        post_phase_s=post_phase,
        span_s=span,
        per_second=len(graded) / span if span > 0 else float("nan"),
        observed_span_s=observed if drained else float("nan"),
    )


@dataclass
class Sustained:
    seconds: float
    backlog: int
    submitted: int
    graded: int
    graded_in_window: int
    failed: int
    lost: int
    accepted: int
    per_second: float
    latency_p50_s: float
    latency_p95_s: float


def sustained_run(
    *,
    stack: Stack,
    accounts: list[Account],
    seconds: float,
    backlog: int = 12,
    max_rate: float = 50.0,
    drain_timeout_s: float = 300,
    log: Callable[[str], None] = print,
) -> Sustained:
    """Keep `backlog` submissions in flight for `seconds` (never more than `max_rate` POSTs a
    second, so the offered load is bounded in count and time), then wait for the rest. Graded/s
    counts what the server graded inside the window."""
    tracker = Tracker(stack=stack, accounts=accounts, interval_s=0.2)
    clients = [ApiClient(base_url=stack.base_url, token=a.token) for a in accounts]
    ids: dict[int, Account] = {}
    cap = int(max_rate * seconds) + backlog
    wall_start = time.time()
    started = time.perf_counter()
    next_progress = started + 10
    i = 0
    tracker.start()
    try:
        while time.perf_counter() - started < seconds and len(ids) < cap:
            if tracker.error:
                raise tracker.error
            if tracker.in_flight() >= backlog:
                time.sleep(0.01)
                continue
            k = i % len(accounts)
            i += 1
            sid = submit(clients[k])
            tracker.add(sid, accounts[k])
            ids[sid] = accounts[k]
            time.sleep(1 / max_rate)
            if time.perf_counter() >= next_progress:
                log(f"  sustained: {len(ids)} submitted, {len(tracker.final)} graded")
                next_progress += 10
        window_end = wall_start + seconds
        tracker.wait_drained(timeout_s=drain_timeout_s)
    finally:
        tracker.close()
        for client in clients:
            client.close()
    details: dict[int, dict] = {}
    by_token: dict[str, list[int]] = {}
    for sid, account in ids.items():
        by_token.setdefault(account.token, []).append(sid)
    for token, sids in by_token.items():
        details |= submission_details(stack=stack, token=token, ids=sids)
    graded = [d for d in details.values() if d["status"] == "graded"]
    failed = [d for d in details.values() if d["status"] == "failed"]
    in_window = [d for d in graded if parse_time(d["graded_at"]) <= window_end]
    latencies = [parse_time(d["graded_at"]) - parse_time(d["created_at"]) for d in graded]
    return Sustained(
        seconds=seconds,
        backlog=backlog,
        submitted=len(ids),
        graded=len(graded),
        graded_in_window=len(in_window),
        failed=len(failed),
        lost=len(ids) - len(graded) - len(failed),
        accepted=sum(d["verdict"] == "accepted" for d in graded),
        per_second=len(in_window) / seconds,
        latency_p50_s=statistics.median(latencies) if latencies else float("nan"),
        latency_p95_s=percentile(latencies, 95) if latencies else float("nan"),
    )


def as_dict(result: object) -> dict:
    return asdict(result)
