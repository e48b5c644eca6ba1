"""`make run` serves the whole product and Ctrl-C leaves no process behind."""

import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT, RUN_DIR, free_port, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.slow]

OUR_PROGRAMS = ("redis-server", "celery", "gunicorn", "grader", "bwrap", "dlquiz")


def live_pids() -> set[int]:
    return {int(p) for p in os.listdir("/proc") if p.isdigit()}


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def get_json(url: str, *, token: str | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Token {token}")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def test_make_run_serves_health_and_api_and_ctrl_c_stops_everything():
    before = live_pids()
    port, redis_port = free_port(), free_port()
    db = RUN_DIR / "make-run.sqlite3"
    env = {
        **os.environ,
        "PORT": str(port),
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "DATABASE_URL": f"sqlite:///{db}",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    log = (RUN_DIR / "make-run.log").open("wb")
    # A terminal's Ctrl-C signals the whole foreground process group: reproduce that.
    proc = subprocess.Popen(
        ["make", "run"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:

        def healthy():
            if proc.poll() is not None:
                raise RuntimeError((RUN_DIR / "make-run.log").read_text()[-4000:])
            try:
                status, body = get_json(f"{base}/healthz")
            except (urllib.error.URLError, ConnectionError, json.JSONDecodeError):
                return None
            return body if status == 200 else None

        health = wait_until(healthy, timeout=240, interval=0.5, what="make run to become healthy")
        assert health["database"]["ok"] and health["redis"]["ok"] and health["worker"]["ok"]

        output = (RUN_DIR / "make-run.log").read_text()
        assert f"http://127.0.0.1:{port}/" in output
        assert "student / dlquiz-student" in output

        token_request = urllib.request.Request(
            f"{base}/api/auth/token/",
            data=json.dumps({"username": "student", "password": "dlquiz-student"}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(token_request, timeout=5) as response:
            token = json.loads(response.read())["token"]
        status, exercises = get_json(f"{base}/api/exercises/", token=token)
        assert status == 200
        items = exercises["results"] if isinstance(exercises, dict) else exercises
        assert {"softmax", "attention", "conv-output-size", "mlp-backprop", "lstm-step"} <= {
            e["slug"] for e in items
        }
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            raise
        log.close()

    def leftovers() -> list[str]:
        # `make run` is on SQLite: a PostgreSQL backend ("postgres: dlquiz test_dlquiz ...") is
        # the test session's own connection under `make test-postgres`, not a leftover.
        new = live_pids() - before
        return [
            f"{pid}: {cmdline(pid)}"
            for pid in new
            if any(p in cmdline(pid) for p in OUR_PROGRAMS)
            and not cmdline(pid).startswith("postgres:")
        ]

    deadline = time.monotonic() + 10
    while leftovers() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert leftovers() == []
