"""Requests waiting for a grade (`GET /api/submissions/<id>/?wait=`) never take the capacity
other requests need: against the real server (gunicorn as `make run` starts it, fewer threads),
more waiters than threads leave another student's plain GET answered at once."""

from __future__ import annotations

import json
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
from rest_framework.authtoken.models import Token

from dlquiz.coding.models import Exercise, Submission
from dlquiz.coding.services import exercises_sync
from tests.coding.factories import student_create
from tests.conftest import ROOT, RUN_DIR, free_port, wait_until, worker_env

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

WORKERS, THREADS = 2, 2
WAITERS = 3 * WORKERS * THREADS
WAIT_S = 10


@dataclass
class Answer:
    status: int
    seconds: float
    body: dict


def get(url: str, *, token: str, timeout: float = 30) -> Answer:
    request = urllib.request.Request(url, headers={"Authorization": f"Token {token}"})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    return Answer(status=status, seconds=time.monotonic() - started, body=json.loads(raw or b"{}"))


@pytest.fixture
def web_server(redis_server, request) -> Iterator[str]:
    """gunicorn with the arguments of scripts/run.sh, on the test database; no Celery worker,
    so a submission stays queued. An indirect parameter sets DLQUIZ_API_MAX_WAITERS."""
    env = worker_env(redis_server)
    env.pop("DLQUIZ_API_MAX_WAITERS", None)
    if getattr(request, "param", None) is not None:
        env["DLQUIZ_API_MAX_WAITERS"] = request.param
    port = free_port()
    log = (RUN_DIR / f"gunicorn-{port}.log").open("wb")
    process = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "-c",
            "python:dlquiz.gunicorn_conf",
            "dlquiz.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--threads",
            str(THREADS),
            "--graceful-timeout",
            "2",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        if process.poll() is not None:
            raise RuntimeError((RUN_DIR / f"gunicorn-{port}.log").read_text()[-3000:])
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2):
                return True
        except urllib.error.HTTPError:
            return True  # answering, if unhappy (no Celery worker here)
        except OSError:
            return False

    try:
        wait_until(answers, timeout=60, interval=0.2, what="gunicorn")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


@pytest.mark.parametrize(
    "web_server",
    [None, str(10 * THREADS)],
    ids=["default", "configured-above-the-threads"],
    indirect=True,
)
def test_waiters_beyond_the_threads_leave_plain_requests_served_at_once(web_server):
    """Also when DLQUIZ_API_MAX_WAITERS asks for more waiters than a process has threads: the
    last thread of every process is never given to a waiter."""
    exercises_sync()
    owner, other = student_create("waiter"), student_create("browser")
    owner_token = Token.objects.create(user=owner).key
    other_token = Token.objects.create(user=other).key
    # Never enqueued and no worker: it stays queued, so every waiter waits its full time.
    submission = Submission.objects.create(
        user=owner, exercise=Exercise.objects.get(slug="softmax"), framework="torch", code="x = 1"
    )
    exercises_url = f"{web_server}/api/exercises/"
    assert get(exercises_url, token=other_token).status == 200  # every process warmed up
    wait_url = f"{web_server}/api/submissions/{submission.pk}/?wait={WAIT_S}"

    with ThreadPoolExecutor(max_workers=WAITERS) as pool:
        waiters = [pool.submit(get, wait_url, token=owner_token) for _ in range(WAITERS)]
        time.sleep(1.5)  # all of them in: waiting, or answered for want of a slot
        plain = [get(exercises_url, token=other_token, timeout=25) for _ in range(10)]
        answers = [waiter.result(timeout=WAIT_S + 20) for waiter in waiters]

    assert all(answer.status == 200 for answer in plain)
    slowest = max(answer.seconds for answer in plain)
    assert slowest < 0.5, [round(answer.seconds, 3) for answer in plain]
    assert all(a.status == 200 and a.body["status"] == "queued" for a in answers)
    # At most threads - 1 per process waited; the rest were told the current state at once.
    waited = [answer for answer in answers if answer.seconds > WAIT_S - 1]
    assert 0 < len(waited) <= WORKERS * (THREADS - 1), [round(a.seconds, 1) for a in answers]
    assert all(answer.seconds < 5 for answer in answers if answer not in waited)
